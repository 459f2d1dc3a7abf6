package store

import (
	"context"
	"fmt"
	"sort"
)

// The site's settings are one table of text values, each owned by the
// domain package that names its key and reads its value; the store only
// keeps them.

// settingsTag is the word on the purge channel that asks every instance
// to drop its snapshot of the settings. Page tags never start with "~".
const settingsTag = "~settings"

// SettingValues returns the values of the keys that are set; keys never
// set are absent. The table is small and read on every page, so all of it
// is kept for a moment.
func (s *Store) SettingValues(ctx context.Context, keys ...string) (map[string]string, error) {
	all, err := s.settingsSnap.get(func() (map[string]string, error) { return s.allSettings(ctx) })
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if v, ok := all[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

func (s *Store) allSettings(ctx context.Context) (map[string]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("store: settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("store: settings: %w", err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: settings: %w", err)
	}
	return out, nil
}

// SaveSettingValues stores several site settings together: all of them
// or, on error, none.
func (s *Store) SaveSettingValues(ctx context.Context, vals map[string]string) error {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the same order every time, so two saves cannot deadlock
	err := s.inTx(ctx, func(tx *txn) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, vals[k]); err != nil {
				return err
			}
		}
		// Sent when the transaction commits, and only then: every other
		// instance drops its snapshot (see Purges.Listen), before the
		// purge of pages that follows the change reaches it.
		return s.dialect.notify(ctx, tx, "store "+settingsTag)
	})
	s.settingsSnap.drop()
	if err != nil {
		return fmt.Errorf("store: save settings: %w", err)
	}
	return nil
}
