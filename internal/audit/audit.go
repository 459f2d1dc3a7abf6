// Package audit keeps the site's audit log: what administrators and other
// staff changed about the site and its people, who did it and when. An
// entry names its actor by id and, as text, by name and address, so it
// still says who acted after their account is gone. Entries never carry
// secrets: callers describe a change in words, never with a token, hash
// or password.
//
// Other packages record through a Log, or write an Entry in the same
// transaction as the change it describes (see Store.RecordAudit and the
// stores that take an *Entry), so that the log holds a change if and only
// if it happened.
package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Actions recorded by Dateline's own packages. Other packages may use
// their own words, in the same "thing.verb" form.
const (
	RoleChanged     = "role.changed"
	StaffCreated    = "staff.created"
	StaffRemoved    = "staff.removed"
	InvitationSent  = "invitation.sent"
	InvitationUsed  = "invitation.accepted"
	SettingsChanged = "settings.changed"
)

// Actor is who made a change.
type Actor struct {
	// ID is the account's id; 0 for the system or an operator at the
	// command line.
	ID    int64
	Name  string
	Email string
}

// String is how an entry names its actor: "Name <email>".
func (a Actor) String() string {
	switch {
	case a.Email == "" && a.Name == "":
		return "system"
	case a.Email == "":
		return a.Name
	case a.Name == "":
		return "<" + a.Email + ">"
	}
	return a.Name + " <" + a.Email + ">"
}

// Entry is one line of the audit log.
type Entry struct {
	ID int64
	// At is when the change was made, by the service clock, in UTC.
	At time.Time
	// ActorID is the actor's account, 0 once it is gone or for the system.
	ActorID int64
	// Actor names who acted, as Actor.String gave it at the time.
	Actor string
	// Action says what was done, such as RoleChanged.
	Action string
	// Target names what it was done to, such as an account's address.
	Target string
	// Details says how, such as "editor → admin"; never a secret.
	Details string
}

// New returns an entry by actor at now; the caller's store writes it.
func New(now time.Time, actor Actor, action, target, details string) *Entry {
	return &Entry{At: now.UTC(), ActorID: actor.ID, Actor: actor.String(), Action: action,
		Target: clip(target, maxText), Details: clip(details, maxDetails)}
}

// Limits on what an entry keeps.
const (
	maxText    = 300
	maxDetails = 2000
)

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Store is what the log needs of the database.
type Store interface {
	// RecordAudit adds an entry and sets its ID.
	RecordAudit(ctx context.Context, e *Entry) error
	// AuditEntries returns up to limit entries older than the entry
	// before (every entry when before is 0), newest first.
	AuditEntries(ctx context.Context, before int64, limit int) ([]Entry, error)
}

// Log records and reads the audit log. It is safe for concurrent use.
type Log struct {
	store Store
	now   func() time.Time
}

// NewLog returns the log kept in st, dated by the clock now.
func NewLog(st Store, now func() time.Time) *Log {
	if st == nil || now == nil {
		panic("audit: NewLog needs a store and a clock") // a wiring mistake, found by any test
	}
	return &Log{store: st, now: now}
}

// Now is the time entries are dated with.
func (l *Log) Now() time.Time { return l.now() }

// Entry returns an entry dated now, for a store that writes it beside the
// change it describes.
func (l *Log) Entry(actor Actor, action, target, details string) *Entry {
	return New(l.now(), actor, action, target, details)
}

// Record adds an entry dated now.
func (l *Log) Record(ctx context.Context, actor Actor, action, target, details string) error {
	if strings.TrimSpace(action) == "" {
		return errors.New("audit: an entry needs an action")
	}
	if err := l.store.RecordAudit(ctx, l.Entry(actor, action, target, details)); err != nil {
		return fmt.Errorf("audit: record %s: %w", action, err)
	}
	return nil
}

// Page is one page of the log, newest first.
type Page struct {
	Entries []Entry
	// Next is the cursor of the following (older) page; 0 when this is
	// the last.
	Next int64
}

// PageSize is how many entries a page shows.
const PageSize = 50

// Page returns the entries older than the cursor before (0 for the
// newest), newest first, PageSize at a time.
func (l *Log) Page(ctx context.Context, before int64) (Page, error) {
	es, err := l.store.AuditEntries(ctx, before, PageSize+1)
	if err != nil {
		return Page{}, fmt.Errorf("audit: page: %w", err)
	}
	var p Page
	if len(es) > PageSize {
		es = es[:PageSize]
		p.Next = es[len(es)-1].ID
	}
	p.Entries = es
	return p, nil
}

// Changes describes what changed between two sets of named values, for
// an entry's details: "name: old → new" for each name whose value
// differs, in the order of names, with "(none)" for an empty value.
func Changes(names []string, before, after map[string]string) string {
	var parts []string
	for _, n := range names {
		if before[n] != after[n] {
			parts = append(parts, fmt.Sprintf("%s: %s → %s", n, orNone(before[n]), orNone(after[n])))
		}
	}
	return strings.Join(parts, "; ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
