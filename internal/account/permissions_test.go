package account_test

import (
	"testing"

	"dateline/internal/account"
)

// The table, spelled out: a change to who may do what shows here.
func TestPermissionTable(t *testing.T) {
	const y, n = true, false
	//                                  reader writer editor moderator admin
	want := map[account.Permission][5]bool{
		account.ViewDashboard:     {n, y, y, y, y},
		account.WriteStories:      {n, y, y, n, y},
		account.EditStories:       {n, n, y, n, y},
		account.PublishStories:    {n, n, y, n, y},
		account.UploadImages:      {n, y, y, n, y},
		account.ModerateComments:  {n, n, y, y, y},
		account.SetCommentRules:   {n, n, y, n, y},
		account.ReadModerationLog: {n, n, n, n, y},
		account.CurateSite:        {n, n, y, n, y},
		account.RunSite:           {n, n, n, n, y},
	}
	if len(want) != len(account.Permissions()) {
		t.Fatalf("%d permissions here, %d in the package", len(want), len(account.Permissions()))
	}
	for _, p := range account.Permissions() {
		for i, role := range account.Roles() {
			if got := role.Can(p); got != want[p][i] {
				t.Errorf("%s may %s: %v, want %v", role, p, got, want[p][i])
			}
			if got := (&account.User{Role: role}).Can(p); got != want[p][i] {
				t.Errorf("a %s user may %s: %v", role, p, got)
			}
		}
		var nobody *account.User
		if nobody.Can(p) {
			t.Errorf("nobody may %s", p)
		}
	}
}
