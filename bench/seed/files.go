package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/story"
)

// benchAgent marks the sessions the seed starts, so a refresh replaces
// them and leaves readers' own sessions alone.
const benchAgent = "dateline-bench-seed"

// Meta describes a seeded database; run.sh reuses a database whose meta
// matches the sizes it wants.
type Meta struct {
	Sizes    Sizes     `json:"sizes"`
	Seed     uint64    `json:"seed"`
	SeededAt time.Time `json:"seeded_at"`
	Password string    `json:"password"`
}

// Pages are the addresses under test, as found in the seeded database.
type Pages struct {
	Story      string `json:"story"`       // a recent free story with a discussion
	Subscriber string `json:"subscriber"`  // a recent subscribers-only story
	Section    string `json:"section"`     // a section front
	Front      string `json:"front"`       // the front page
	Feed       string `json:"feed"`        // the site's Atom feed
	Search     string `json:"search"`      // a search with results
	FreeSlug   string `json:"free_slug"`   // Story's slug
	SubSlug    string `json:"sub_slug"`    // Subscriber's slug
	OpenCount  int    `json:"open_count"`  // stories whose discussion is open
	CookieFile string `json:"cookie_file"` // one subscriber session token a line
}

// writeFiles starts one session for every subscriber and writes, into the
// Out folder:
//
//	cookies.txt       a session token a line, one per subscriber
//	readers.txt       reader email addresses, for the log-in flood
//	open-stories.txt  slugs of stories whose discussion is open to subscribers
//	words.txt         words to search for
//	pairs.txt         two words to search for together, found in one story
//	pages.json        the addresses under test (Pages)
//	meta.json         the sizes seeded (Meta), written by Run only
func (s *Seeder) writeFiles(ctx context.Context) error {
	if err := os.MkdirAll(s.cfg.Out, 0o750); err != nil {
		return err
	}
	tokens, err := s.startSessions(ctx)
	if err != nil {
		return err
	}
	if err := writeLines(filepath.Join(s.cfg.Out, "cookies.txt"), tokens); err != nil {
		return err
	}
	emails, err := s.strings(ctx, `SELECT email FROM users WHERE role = 'reader' AND email_verified_at IS NOT NULL ORDER BY id LIMIT 5000`)
	if err != nil {
		return err
	}
	if err := writeLines(filepath.Join(s.cfg.Out, "readers.txt"), emails); err != nil {
		return err
	}
	// Discussions close 14 days after publication; keep a margin so the
	// list stays good for a day or two.
	open, err := s.strings(ctx, rebind(s.pg, `SELECT slug FROM stories WHERE status = 'published'
		AND comments_mode <> 'closed' AND published_at > ? AND published_at <= ? ORDER BY published_at DESC`),
		utc(s.now.Add(-12*24*time.Hour)), s.now)
	if err != nil {
		return err
	}
	if len(open) == 0 {
		return errors.New("no story published in the last 12 days has an open discussion: seed again")
	}
	if err := writeLines(filepath.Join(s.cfg.Out, "open-stories.txt"), open); err != nil {
		return err
	}
	if err := writeLines(filepath.Join(s.cfg.Out, "words.txt"), searchWords()); err != nil {
		return err
	}
	if err := writeLines(filepath.Join(s.cfg.Out, "pairs.txt"), searchPairs()); err != nil {
		return err
	}
	pages, err := s.pages(ctx)
	if err != nil {
		return err
	}
	pages.OpenCount = len(open)
	pages.CookieFile = "cookies.txt"
	if err := writeJSON(filepath.Join(s.cfg.Out, "pages.json"), pages); err != nil {
		return err
	}
	if s.storyTime != nil { // a full seed, not a refresh
		return writeJSON(filepath.Join(s.cfg.Out, "meta.json"), Meta{Sizes: s.cfg.Sizes, Seed: s.cfg.Seed,
			SeededAt: s.now, Password: s.cfg.Password})
	}
	return nil
}

// startSessions replaces the sessions seeded before with one new
// "keep me signed in" session per active subscriber and returns their
// cookie values. Only the tokens' SHA-256 is stored, as Dateline does.
func (s *Seeder) startSessions(ctx context.Context) ([]string, error) {
	if _, err := s.db.ExecContext(ctx, rebind(s.pg, `DELETE FROM sessions WHERE user_agent = ?`), benchAgent); err != nil {
		return nil, fmt.Errorf("delete old sessions: %w", err)
	}
	ids, err := s.ints(ctx, `SELECT user_id FROM subscriptions WHERE status = 'active' ORDER BY user_id`)
	if err != nil {
		return nil, err
	}
	l := newLoader(s.db, s.pg)
	defer l.abort()
	sessions := l.table("sessions", "token_hash", "user_id", "created_at", "last_seen_at", "idle_seconds",
		"expires_at", "user_agent", "ip")
	tokens := make([]string, 0, len(ids))
	for _, id := range ids {
		b := make([]byte, 32)
		rand.Read(b)
		token := base64.RawURLEncoding.EncodeToString(b)
		tokens = append(tokens, token)
		if err := sessions.add(ctx, account.HashToken(token), id, s.now, s.now, int64(30*24*time.Hour/time.Second),
			utc(s.now.Add(90*24*time.Hour)), benchAgent, "127.0.0.1"); err != nil {
			return nil, err
		}
	}
	if err := l.close(ctx); err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	return tokens, nil
}

// pages picks the addresses under test: the newest free and
// subscribers-only stories that have at least a few comments (a story a
// reader would land on), the busiest section, and a search for a word.
func (s *Seeder) pages(ctx context.Context) (*Pages, error) {
	p := &Pages{Front: "/", Feed: "/feed.atom"}
	pick := func(access string) (string, string, error) {
		var slug string
		var published time.Time
		err := s.db.QueryRowContext(ctx, rebind(s.pg, `SELECT x.slug, x.published_at FROM (
				SELECT st.id, st.slug, st.published_at FROM stories st
				WHERE st.status = 'published' AND st.access = ? AND st.published_at <= ?
				ORDER BY st.published_at DESC LIMIT 50) x
			ORDER BY (SELECT COUNT(*) FROM comments c WHERE c.story_id = x.id) >= 5 DESC, x.published_at DESC
			LIMIT 1`), access, s.now).Scan(&slug, &published)
		if err != nil {
			return "", "", fmt.Errorf("find a %s story: %w", access, err)
		}
		return slug, story.Path(published, slug), nil
	}
	var err error
	if p.FreeSlug, p.Story, err = pick("free"); err != nil {
		return nil, err
	}
	if p.SubSlug, p.Subscriber, err = pick("subscribers"); err != nil {
		return nil, err
	}
	var section string
	if err := s.db.QueryRowContext(ctx, `SELECT sec.slug FROM sections sec
		ORDER BY (SELECT COUNT(*) FROM stories st WHERE st.section_id = sec.id) DESC, sec.id LIMIT 1`).Scan(&section); err != nil {
		return nil, fmt.Errorf("find a section: %w", err)
	}
	p.Section = "/section/" + section
	p.Search = "/search?q=" + searchWords()[0]
	return p, nil
}

func (s *Seeder) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *Seeder) ints(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// The seed's files hold session tokens, reader emails and (meta.json) the
// readers' password, so they are 0o600: only the operator's own processes
// (run.sh, wrk and its Lua scripts) read them.
func writeLines(path string, lines []string) error {
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
