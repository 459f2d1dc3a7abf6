// Package insight answers what the newsroom asks of its readers on the
// dashboard: page views by the hour, subscribers by state, sign-ups,
// subscriptions, cancellations and comments by the day, and which stories
// lead readers to subscribe. Every count is kept on the server, without
// cookies or third parties, and with nothing personal in it.
package insight

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"dateline/internal/account"
	"dateline/internal/clock"
	"dateline/internal/story"
)

// ConversionWindow is how long before a subscription begins a story read
// counts towards it; reads older than that are forgotten.
const ConversionWindow = time.Hour

// The spans the dashboard's charts cover.
const (
	ViewHours      = 7 * 24 // page views: the last seven days, by the hour
	StateDays      = 90     // subscribers by state: the last ninety days
	ActivityDays   = 30     // sign-ups, subscriptions, cancellations, comments
	ConversionDays = 30     // the stories that convert
)

// Kind is a thing counted by the hour.
type Kind string

// Kinds.
const (
	Views         Kind = "views"         // story page views
	SignUps       Kind = "sign-ups"      // new accounts
	Subscriptions Kind = "subscriptions" // subscriptions begun
	Cancellations Kind = "cancellations" // subscriptions cancelled
	Comments      Kind = "comments"      // comments posted
)

// Change is one change of a subscription's state, without whose it was.
// From is empty for a new subscription.
type Change struct {
	At       time.Time
	From, To string
}

// Converting is a story and the subscriptions it led to.
type Converting struct {
	story.Story
	Conversions int
}

// Store is what insight needs of the database.
type Store interface {
	// Secret returns the named server secret, creating it the first time.
	Secret(ctx context.Context, name string, generate func() (string, error)) (string, error)
	// NoteRead records that the reader with key read a story at a time,
	// and forgets every read from before forgetBefore.
	NoteRead(ctx context.Context, readerKey string, storyID int64, at, forgetBefore time.Time) error
	// HourlyCounts counts kind in each UTC hour from since until before
	// until; hours without any are left out.
	HourlyCounts(ctx context.Context, kind Kind, since, until time.Time) (map[time.Time]int, error)
	// SubscriptionStates counts the subscriptions in each stored state.
	SubscriptionStates(ctx context.Context) (map[string]int, error)
	// SubscriptionChanges lists the changes of state since a time.
	SubscriptionChanges(ctx context.Context, since time.Time) ([]Change, error)
	// TopConverting lists the stories that led to most subscriptions on
	// the paper's days from sinceDay (YYYY-MM-DD) on, most first.
	TopConverting(ctx context.Context, sinceDay string, limit int) ([]Converting, error)
}

// Options configure a Service.
type Options struct {
	Store Store
	// Now is the clock (see internal/clock); required.
	Now func() time.Time
	// Zone is the paper's time zone, whose days the charts count.
	Zone clock.Zone
}

// Service counts and charts. It is safe for concurrent use.
type Service struct {
	store Store
	now   func() time.Time
	zone  clock.Zone
	key   []byte // keys the hash that stands for a reader in story_reads
}

// New builds a Service, loading the key that hashes readers' accounts.
func New(ctx context.Context, opts Options) (*Service, error) {
	if opts.Now == nil {
		return nil, errors.New("insight: New needs a clock")
	}
	if opts.Store == nil {
		return nil, errors.New("insight: New needs a store")
	}
	key, err := opts.Store.Secret(ctx, "reader-key", func() (string, error) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return hex.EncodeToString(b), nil
	})
	if err != nil {
		return nil, fmt.Errorf("insight: load secret: %w", err)
	}
	s := &Service{store: opts.Store, now: opts.Now, zone: opts.Zone}
	if s.key, err = hex.DecodeString(key); err != nil {
		return nil, errors.New("insight: the stored reader key is damaged")
	}
	return s, nil
}

// ReaderKey is what stands for a reader in the reads kept for an hour: a
// hash of the account keyed with a server secret, which tells nothing of
// whose account it is to anyone without the secret.
func (s *Service) ReaderKey(userID int64) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(strconv.FormatInt(userID, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// NoteRead records that a signed-in reader read a story, so that the
// story counts if they subscribe within the hour. Staff are not counted.
func (s *Service) NoteRead(ctx context.Context, u *account.User, storyID int64) error {
	if u == nil || u.Staff() {
		return nil
	}
	now := s.now().UTC()
	if err := s.store.NoteRead(ctx, s.ReaderKey(u.ID), storyID, now, now.Add(-ConversionWindow)); err != nil {
		return fmt.Errorf("insight: note read: %w", err)
	}
	return nil
}

// Day is the paper's day of t, as story_conversions keeps it.
func Day(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// TopConverting lists up to limit stories that led readers to subscribe
// in the last ConversionDays days, most first.
func (s *Service) TopConverting(ctx context.Context, limit int) ([]Converting, error) {
	days := s.days(ctx, ConversionDays)
	list, err := s.store.TopConverting(ctx, Day(days[0], s.zone.In(ctx)), limit)
	if err != nil {
		return nil, fmt.Errorf("insight: stories that convert: %w", err)
	}
	return list, nil
}
