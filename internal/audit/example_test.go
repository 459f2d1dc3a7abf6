package audit_test

import (
	"fmt"
	"time"

	"dateline/internal/audit"
)

// Changes names what a save changed, old → new, and leaves out what it
// did not.
func ExampleChanges() {
	names := []string{"name", "time zone", "logo"}
	before := map[string]string{"name": "Dateline", "time zone": "", "logo": "image 4"}
	after := map[string]string{"name": "The Ledger", "time zone": "Europe/Lisbon", "logo": "image 4"}
	fmt.Println(audit.Changes(names, before, after))
	// Output: name: Dateline → The Ledger; time zone: (none) → Europe/Lisbon
}

// New dates an entry in UTC and names its actor as text, so the entry
// says who acted after the account is gone.
func ExampleNew() {
	at := time.Date(2026, 12, 3, 9, 30, 0, 0, time.FixedZone("WET", 0))
	e := audit.New(at, audit.Actor{ID: 7, Name: "Ana Lima", Email: "ana@example.com"}, audit.RoleChanged,
		"rui@example.com", "writer → editor")
	fmt.Println(e.At.Format(time.RFC3339), e.ActorID, e.Actor, e.Action, e.Target, e.Details)
	fmt.Println(audit.Actor{}.String())
	// Output:
	// 2026-12-03T09:30:00Z 7 Ana Lima <ana@example.com> role.changed rui@example.com writer → editor
	// system
}
