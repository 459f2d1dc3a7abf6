package site_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dateline/internal/clock"
	"dateline/internal/field"
	"dateline/internal/site"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// TestSettingsReachEveryInstance runs two instances on one database, each
// with its own store and site service, as two processes would. A time zone
// saved through one holds on the other once the store's snapshot of the
// settings expires (a second), without a restart; wrong settings are
// refused field by field and change nothing.
func TestSettingsReachEveryInstance(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			c := clock.NewManual(time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC))
			dsn := storetest.DSN(t, d)
			open := func() *store.Store {
				s, err := store.Open(ctx, dsn, c.Now)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Close() })
				if _, err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return s
			}
			started, err := time.LoadLocation("America/New_York")
			if err != nil {
				t.Fatal(err)
			}
			one := site.New(open(), nil, started, nil)
			two := site.New(open(), nil, started, nil)
			if got := two.Zone(ctx); got != started {
				t.Fatalf("before any setting the zone is %v, want the one started with", got)
			}
			if got := two.Logo(ctx); got != nil {
				t.Errorf("logo = %+v, want the default (nil)", got)
			}

			err = one.SaveSettings(ctx, site.Settings{TimeZone: "Mars/Olympus_Mons", LogoID: 7})
			var wrong field.Errors
			if !errors.As(err, &wrong) || wrong[site.FieldTimeZone] == "" || wrong[site.FieldLogo] == "" {
				t.Fatalf("wrong settings: %v", err)
			}

			if err := one.SaveSettings(ctx, site.Settings{TimeZone: " Europe/Lisbon "}); err != nil {
				t.Fatal(err)
			}
			if got := one.Zone(ctx).String(); got != "Europe/Lisbon" {
				t.Errorf("the instance that saved reads %s", got)
			}
			c.Advance(2 * time.Second)
			lisbon := two.Zone(ctx)
			if lisbon.String() != "Europe/Lisbon" {
				t.Fatalf("the other instance reads %s", lisbon)
			}
			// 00:30 UTC on 25 October is 01:30 WEST, the first of that night's two.
			if abbr, _ := c.Now().In(lisbon).Zone(); abbr != "WEST" {
				t.Errorf("00:30 UTC on 25 October is %s in Lisbon, want WEST", abbr)
			}
			set, err := two.Settings(ctx)
			if err != nil || set != (site.Settings{TimeZone: "Europe/Lisbon"}) {
				t.Errorf("Settings = %+v, %v", set, err)
			}

			// Empty goes back to the zone the instance was started with.
			if err := two.SaveSettings(ctx, site.Settings{}); err != nil {
				t.Fatal(err)
			}
			c.Advance(2 * time.Second)
			if got := one.Zone(ctx); got != started {
				t.Errorf("after clearing the setting the zone is %v", got)
			}
		})
	}
}

// TestNameLanguageReplyTo checks the paper's name, language and Reply-To:
// each wrong value is refused by its field, good ones are stored tidied
// (spaces collapsed, the language tag in its canonical form), and empty
// ones fall back to the site's own.
func TestNameLanguageReplyTo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		ctx := context.Background()
		s := site.New(db, nil, time.UTC, nil)
		cases := []struct {
			name string
			set  site.Settings
			// wrong is the field refused, "" for none.
			wrong string
		}{
			{"a name with markup", site.Settings{Name: "The <i>Ledger</i>"}, site.FieldName},
			{"a name too long", site.Settings{Name: strings.Repeat("n", 81)}, site.FieldName},
			{"a name with an invisible character", site.Settings{Name: "The\u200bLedger"}, site.FieldName},
			{"not a language tag", site.Settings{Language: "english please"}, site.FieldLanguage},
			{"an undetermined language", site.Settings{Language: "und"}, site.FieldLanguage},
			{"two addresses", site.Settings{ReplyTo: "a@example.com, b@example.com"}, site.FieldReplyTo},
			{"a named address", site.Settings{ReplyTo: "Letters <letters@example.com>"}, site.FieldReplyTo},
			{"all good", site.Settings{Name: "The Ledger", Language: "pt-PT", ReplyTo: "letters@example.com"}, ""},
		}
		for _, c := range cases {
			err := s.Validate(ctx, c.set)
			var wrong field.Errors
			switch {
			case c.wrong == "" && err != nil:
				t.Errorf("%s: %v", c.name, err)
			case c.wrong != "" && (!errors.As(err, &wrong) || wrong[c.wrong] == "" || len(wrong) != 1):
				t.Errorf("%s: %v, want only %s refused", c.name, err, c.wrong)
			}
		}
		if err := s.SaveSettings(ctx, site.Settings{Name: "  The   Ledger ", Language: "PT-pt", ReplyTo: " letters@example.com "}); err != nil {
			t.Fatal(err)
		}
		set, err := s.Settings(ctx)
		if err != nil || set != (site.Settings{Name: "The Ledger", Language: "pt-PT", ReplyTo: "letters@example.com"}) {
			t.Errorf("stored: %+v, %v", set, err)
		}
	})
}
