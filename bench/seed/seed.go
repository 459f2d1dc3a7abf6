package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os/exec"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"dateline/internal/config"
	"dateline/internal/password"
	"dateline/internal/story"
)

// Sizes are how much of each thing the seeded paper holds.
type Sizes struct {
	Stories     int `json:"stories"`
	Years       int `json:"years"`
	Authors     int `json:"authors"`
	Tags        int `json:"tags"`
	Readers     int `json:"readers"`
	Subscribers int `json:"subscribers"`
	Comments    int `json:"comments"`
}

// DefaultSizes is a mid-sized national newspaper's archive.
func DefaultSizes() Sizes {
	return Sizes{Stories: 100_000, Years: 10, Authors: 150, Tags: 400, Readers: 20_000, Subscribers: 5_000, Comments: 1_000_000}
}

func (z Sizes) check() error {
	switch {
	case z.Stories < 1, z.Years < 1, z.Authors < 1, z.Tags < 1:
		return errors.New("stories, years, authors and tags must be at least 1")
	case z.Readers < 1 || z.Subscribers < 1 || z.Subscribers > z.Readers:
		return errors.New("readers must be at least 1 and subscribers between 1 and readers")
	case z.Comments < 0:
		return errors.New("comments cannot be negative")
	}
	return nil
}

// Config says what to seed, where, and where to write the files the load
// scripts read.
type Config struct {
	Database string // SQLite file path or postgres:// URL
	Dateline string // the dateline binary that migrates the database
	Out      string // folder for cookies, story lists and meta.json
	Sizes    Sizes
	Password string // every reader's password
	Seed     uint64 // makes the text repeatable
	Now      time.Time
	Progress io.Writer
}

// Seeder fills one database.
type Seeder struct {
	cfg      Config
	db       *sql.DB
	pg       bool
	renderer *story.Renderer
	now      time.Time

	sectionIDs   []int64
	authorNames  []string
	storySection []int       // index into sectionSpecs, by story ID-1
	storyTime    []time.Time // publication, by story ID-1
	subscriber   []bool      // by user ID-1
	subscribers  []int64     // IDs of subscribers
}

// utc is how Dateline stores times: in UTC, to the microsecond. Readers
// are users 1..Readers; no staff accounts are seeded.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// migrate brings the schema up to date with Dateline's own migrations.
func migrate(ctx context.Context, bin, dsn string) error {
	// #nosec G204 -- bin is the dateline binary the operator names with --dateline; no shell is involved.
	out, err := exec.CommandContext(ctx, bin, "migrate", "--database", dsn).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s migrate: %w: %s", bin, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Run migrates the database, refuses one that already has stories, and
// fills it; then it writes the load scripts' files (see Refresh).
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.Sizes.check(); err != nil {
		return err
	}
	if err := migrate(ctx, cfg.Dateline, cfg.Database); err != nil {
		return err
	}
	s, err := open(cfg)
	if err != nil {
		return err
	}
	defer s.db.Close()
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM stories) + (SELECT COUNT(*) FROM users)`).Scan(&n); err != nil {
		return fmt.Errorf("count existing rows: %w", err)
	}
	if n > 0 {
		return errors.New("the database already has stories or users; seed an empty one")
	}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"sections, authors, tags and plans", s.seedReference},
		{"stories", s.seedStories},
		{"readers and subscriptions", s.seedReaders},
		{"comments", s.seedComments},
		{"finishing", s.finish},
	}
	for _, st := range steps {
		start := time.Now()
		if err := st.fn(ctx); err != nil {
			return fmt.Errorf("seed %s: %w", st.name, err)
		}
		s.progress("%s: %s\n", st.name, time.Since(start).Round(time.Millisecond))
	}
	return s.writeFiles(ctx)
}

// Refresh starts fresh sessions for the subscribers and rewrites the
// files the load scripts read, for a database seeded earlier.
func Refresh(ctx context.Context, cfg Config) error {
	s, err := open(cfg)
	if err != nil {
		return err
	}
	defer s.db.Close()
	return s.writeFiles(ctx)
}

func open(cfg Config) (*Seeder, error) {
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	db, err := openDB(cfg.Database)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return &Seeder{cfg: cfg, db: db, pg: config.IsPostgres(cfg.Database), renderer: story.NewRenderer(),
		now: utc(cfg.Now)}, nil
}

func (s *Seeder) progress(format string, args ...any) { fmt.Fprintf(s.cfg.Progress, format, args...) }

func (s *Seeder) rng(stream uint64) *rand.Rand {
	// #nosec G404 -- deliberate: a seeded, repeatable fake newspaper needs no cryptographic randomness.
	return rand.New(rand.NewPCG(s.cfg.Seed, stream))
}

// Streams of random numbers, one per kind of thing, so that changing one
// size does not change the text of everything else.
const (
	streamReference = 1 << 40
	streamReaders   = 2 << 40
	streamComments  = 3 << 40
)

func (s *Seeder) seedReference(ctx context.Context) error {
	r := s.rng(streamReference)
	l := newLoader(s.db, s.pg)
	defer l.abort()
	secs := l.table("sections", "id", "slug", "name", "description", "position")
	for i, sec := range sectionSpecs {
		if err := secs.add(ctx, i+1, sec.Slug, sec.Name, sec.Description, i); err != nil {
			return err
		}
		s.sectionIDs = append(s.sectionIDs, int64(i+1))
	}
	authors := l.table("authors", "id", "slug", "name", "bio")
	used := map[string]bool{}
	for i := range s.cfg.Sizes.Authors {
		name := personName(r)
		slug := story.Slugify(name)
		for n := 2; used[slug]; n++ {
			slug = story.Slugify(name) + "-" + strconv.Itoa(n)
		}
		used[slug] = true
		sec := pick(r, sectionSpecs)
		bio := fmt.Sprintf("%s writes about %s and %s for Dateline from %s.", name, pick(r, sec.Topics), pick(r, sec.Topics), pick(r, places))
		if err := authors.add(ctx, i+1, slug, name, bio); err != nil {
			return err
		}
		s.authorNames = append(s.authorNames, name)
	}
	tags := l.table("tags", "id", "slug", "name")
	seen := map[string]bool{}
	id := 0
	for _, name := range tagNames(r, s.cfg.Sizes.Tags) {
		slug := story.Slugify(name)
		if seen[slug] {
			continue
		}
		seen[slug] = true
		id++
		if err := tags.add(ctx, id, slug, name); err != nil {
			return err
		}
	}
	s.cfg.Sizes.Tags = id
	plans := l.table("plans", "id", "name", "description", "price_minor", "currency",
		"billing_period", "trial_days", "active", "stripe_price_id", "position", "created_at")
	created := utc(s.now.AddDate(-s.cfg.Sizes.Years, 0, 0))
	if err := plans.add(ctx, 1, "Digital monthly", "Every story, every day, on every device. Cancel at any time.",
		900, "EUR", "month", 14, true, "", 0, created); err != nil {
		return err
	}
	if err := plans.add(ctx, 2, "Digital yearly", "A year of Dateline for the price of ten months.",
		9000, "EUR", "year", 0, true, "", 1, created); err != nil {
		return err
	}
	return l.close(ctx)
}

// tagNames makes n tag names: topics, places, and the two combined.
func tagNames(r *rand.Rand, n int) []string {
	var out []string
	for _, sec := range sectionSpecs {
		for _, t := range sec.Topics {
			out = append(out, capitalize(t))
		}
	}
	out = append(out, places...)
	for len(out) < n {
		sec := pick(r, sectionSpecs)
		out = append(out, capitalize(pick(r, sec.Topics))+" in "+pick(r, places))
	}
	return out[:n]
}

// seededStory is one story ready to insert.
type seededStory struct {
	id                         int64
	headline, dek, dateline    string
	section                    int
	body, bodyHTML, lead, rest string
	access, comments           string
	published, updated         time.Time
	bylines                    []int64 // author IDs; 0 is the agency byline
	tags                       []int64
	correction                 string
}

// storyAt returns story i (0-based, oldest first), rendered.
func (s *Seeder) storyAt(i int) seededStory {
	r := s.rng(uint64(i)) // #nosec G115 -- i is a 0-based story index, never negative.
	z := s.cfg.Sizes
	span := time.Duration(z.Years) * 365 * 24 * time.Hour
	// Stories are spread evenly over the years, the newest a few minutes
	// old, with some jitter so the times are not a grid.
	step := span / time.Duration(z.Stories)
	published := s.now.Add(-5*time.Minute - span + step*time.Duration(i) + time.Duration(r.Int64N(int64(step)+1)))
	if published.After(s.now.Add(-time.Minute)) {
		published = s.now.Add(-time.Minute)
	}
	published = published.Truncate(time.Second)
	secIdx := r.IntN(len(sectionSpecs))
	st := seededStory{id: int64(i + 1), section: secIdx, published: published, access: "free", comments: "subscribers"}
	st.headline, st.dek, st.dateline, st.body = storyText(r, &sectionSpecs[secIdx])
	if r.IntN(5) == 0 {
		st.access = "subscribers"
	}
	switch n := r.IntN(100); {
	case n < 3:
		st.comments = "registered"
	case n < 5:
		st.comments = "closed"
	}
	if r.IntN(10) == 0 {
		st.updated = published.Add(time.Duration(1+r.IntN(48)) * time.Hour)
		if st.updated.After(s.now) {
			st.updated = time.Time{}
		}
	}
	if r.IntN(100) == 0 && !st.updated.IsZero() {
		st.correction = fmt.Sprintf("An earlier version of this story gave the wrong figure for %s in %s.",
			pick(r, sectionSpecs[secIdx].Topics), pick(r, places))
	}
	st.bylines = []int64{1 + r.Int64N(int64(z.Authors))}
	switch n := r.IntN(10); {
	case n == 0:
		st.bylines = append(st.bylines, 1+r.Int64N(int64(z.Authors)))
	case n == 1:
		st.bylines = []int64{0}
	}
	if len(st.bylines) == 2 && st.bylines[0] == st.bylines[1] {
		st.bylines = st.bylines[:1]
	}
	for range 1 + r.IntN(4) {
		t := 1 + r.Int64N(int64(z.Tags))
		if !slices.Contains(st.tags, t) {
			st.tags = append(st.tags, t)
		}
	}
	// Render as the newsroom does when a story is saved.
	prep := story.Story{Headline: st.headline, Dek: st.dek, Dateline: st.dateline, Body: st.body,
		Section: story.Section{ID: 1}, Bylines: []story.Byline{{Name: "x"}}, Slug: "x",
		Status: story.Published, PublishedAt: published}
	if err := prep.Prepare(s.renderer); err != nil {
		// The generated fields are always within the limits; should that
		// change, the test of storyAt catches the empty HTML.
		return st
	}
	st.bodyHTML, st.lead, st.rest, st.dateline = prep.BodyHTML, prep.Lead, prep.Rest, prep.Dateline
	return st
}

// renderChunks renders the stories in chunks on every core and sends them
// in order.
func (s *Seeder) renderChunks(ctx context.Context, out chan<- []seededStory) {
	defer close(out)
	const chunk = 1000
	workers := runtime.GOMAXPROCS(0)
	for start := 0; start < s.cfg.Sizes.Stories; start += chunk {
		list := make([]seededStory, min(chunk, s.cfg.Sizes.Stories-start))
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := w; i < len(list); i += workers {
					list[i] = s.storyAt(start + i)
				}
			})
		}
		wg.Wait()
		select {
		case out <- list:
		case <-ctx.Done():
			return
		}
	}
}

func (s *Seeder) seedStories(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []seededStory, 2)
	go s.renderChunks(ctx, chunks)

	l := newLoader(s.db, s.pg)
	defer l.abort()
	stories := l.table("stories", "id", "slug", "headline", "dek", "dateline", "section_id",
		"body", "body_html", "access", "status", "published_at", "updated_at", "created_at", "version",
		"comments_mode", "search_lead", "search_rest")
	bylines := l.table("story_bylines", "story_id", "position", "author_id", "name")
	tags := l.table("story_tags", "story_id", "tag_id", "position")
	revisions := l.table("story_revisions", "id", "story_id", "user_id", "version", "headline", "dek", "body", "created_at")
	corrections := l.table("corrections", "id", "story_id", "body", "created_at")
	slugs := make(map[string]bool, s.cfg.Sizes.Stories)
	s.storySection = make([]int, 0, s.cfg.Sizes.Stories)
	s.storyTime = make([]time.Time, 0, s.cfg.Sizes.Stories)
	nCorrections := 0
	for list := range chunks {
		for _, st := range list {
			slug := story.Slugify(st.headline)
			if slugs[slug] {
				slug += "-" + strconv.FormatInt(st.id, 10)
			}
			slugs[slug] = true
			var updated any
			if !st.updated.IsZero() {
				updated = utc(st.updated)
			}
			created := utc(st.published.Add(-time.Duration(20+st.id%100) * time.Minute))
			if err := stories.add(ctx, st.id, slug, st.headline, st.dek, st.dateline, s.sectionIDs[st.section],
				st.body, st.bodyHTML, st.access, "published", utc(st.published), updated, created, 1,
				st.comments, st.lead, st.rest); err != nil {
				return err
			}
			for pos, a := range st.bylines {
				var author any
				name := "Staff and agencies"
				if a != 0 {
					author, name = a, s.authorNames[a-1]
				}
				if err := bylines.add(ctx, st.id, pos, author, name); err != nil {
					return err
				}
			}
			for pos, t := range st.tags {
				if err := tags.add(ctx, st.id, t, pos); err != nil {
					return err
				}
			}
			if err := revisions.add(ctx, st.id, st.id, nil, 1, st.headline, st.dek, st.body, created); err != nil {
				return err
			}
			if st.correction != "" {
				nCorrections++
				if err := corrections.add(ctx, nCorrections, st.id, st.correction, utc(st.updated)); err != nil {
					return err
				}
			}
			s.storySection = append(s.storySection, st.section)
			s.storyTime = append(s.storyTime, st.published)
		}
		if n := len(s.storyTime); n%10000 == 0 {
			s.progress("  %d stories\n", n)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return l.close(ctx)
}

func (s *Seeder) seedReaders(ctx context.Context) error {
	z := s.cfg.Sizes
	hash, err := password.NewHasher(password.DefaultParams(), 1, 0).Hash(ctx, s.cfg.Password)
	if err != nil {
		return fmt.Errorf("hash the readers' password: %w", err)
	}
	r := s.rng(streamReaders)
	s.subscriber = make([]bool, z.Readers)
	for _, i := range r.Perm(z.Readers)[:z.Subscribers] {
		s.subscriber[i] = true
	}
	l := newLoader(s.db, s.pg)
	defer l.abort()
	users := l.table("users", "id", "email", "display_name", "password_hash", "role",
		"email_verified_at", "created_at", "updated_at")
	subs := l.table("subscriptions", "id", "user_id", "plan_id", "provider", "customer_ref",
		"provider_ref", "status", "current_period_end", "created_at", "updated_at")
	span := time.Duration(z.Years) * 365 * 24 * time.Hour
	nSubs := 0
	for i := range z.Readers {
		id := int64(i + 1)
		created := utc(s.now.Add(-time.Duration(r.Int64N(int64(span)))))
		if err := users.add(ctx, id, readerEmail(id), personName(r), hash, "reader",
			utc(created.Add(time.Duration(1+r.IntN(120))*time.Minute)), created, created); err != nil {
			return err
		}
		status, end := "", time.Time{}
		switch {
		case s.subscriber[i]:
			status, end = "active", s.now.Add(time.Duration(1+r.IntN(30*24))*time.Hour)
			s.subscribers = append(s.subscribers, id)
		case r.IntN(10) == 0:
			status, end = "expired", created.Add(time.Duration(30+r.IntN(700))*24*time.Hour)
			if end.After(s.now) {
				end = s.now.Add(-24 * time.Hour)
			}
		default:
			continue
		}
		nSubs++
		subCreated := created.Add(time.Duration(r.IntN(48)) * time.Hour)
		if subCreated.After(end) {
			subCreated = end.Add(-time.Hour)
		}
		if err := subs.add(ctx, nSubs, id, 1+r.IntN(2), "demo", fmt.Sprintf("demo_cus_%d", id),
			fmt.Sprintf("demo_sub_%d", id), status, utc(end), utc(subCreated), utc(subCreated)); err != nil {
			return err
		}
	}
	return l.close(ctx)
}

// readerEmail is the address of reader id; the load scripts log in with it.
func readerEmail(id int64) string { return fmt.Sprintf("reader%d@example.com", id) }

// commentCounts spreads n comments over the stories: three in ten evenly,
// the rest in proportion to how recent a story is (a half-life of about
// three months), as discussion follows the news.
func (s *Seeder) commentCounts(r *rand.Rand, n int) []int {
	weights := make([]float64, len(s.storyTime))
	var recentSum float64
	for i, t := range s.storyTime {
		days := s.now.Sub(t).Hours() / 24
		weights[i] = math.Exp(-days / 120)
		recentSum += weights[i]
	}
	cum := make([]float64, len(weights))
	acc := 0.0
	for i, w := range weights {
		acc += 0.3/float64(len(weights)) + 0.7*w/recentSum
		cum[i] = acc
	}
	counts := make([]int, len(weights))
	for range n {
		i := sort.SearchFloat64s(cum, r.Float64()*acc)
		counts[min(i, len(counts)-1)]++
	}
	return counts
}

// seededComment is what a reply needs to know of the comment it answers.
type seededComment struct {
	id, parent int64
	depth      int
}

func (s *Seeder) seedComments(ctx context.Context) error {
	z := s.cfg.Sizes
	if z.Comments == 0 {
		return nil
	}
	r := s.rng(streamComments)
	counts := s.commentCounts(r, z.Comments)
	l := newLoader(s.db, s.pg)
	defer l.abort()
	comments := l.table("comments", "id", "story_id", "user_id", "parent_id", "reply_to_id",
		"depth", "body", "status", "held_reason", "staff", "recommends", "created_at")
	var id int64
	closeAfter := 14 * 24 * time.Hour
	for i, n := range counts {
		if n == 0 {
			continue
		}
		storyID := int64(i + 1)
		published := s.storyTime[i]
		window := min(closeAfter, s.now.Sub(published))
		times := make([]time.Time, n)
		for k := range times {
			u := r.Float64()
			times[k] = published.Add(time.Duration(u * u * float64(window)))
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		var open []seededComment // published comments a reply may answer
		for _, at := range times {
			id++
			user := s.subscribers[r.IntN(len(s.subscribers))]
			if r.IntN(100) < 15 {
				user = 1 + r.Int64N(int64(z.Readers))
			}
			var parent, replyTo any
			depth := 0
			if len(open) > 0 && r.IntN(100) < 35 {
				p := open[r.IntN(len(open))]
				parent, depth = p.id, p.depth+1
				if p.depth >= 2 {
					parent, depth, replyTo = p.parent, 2, p.id
				}
			}
			body := commentText(r, &sectionSpecs[s.storySection[i]])
			status, held := "published", ""
			switch k := r.IntN(100); {
			case k < 2:
				status, held = "held", "a new commenter's first comments are reviewed"
			case k < 3:
				status = "rejected"
			case k < 4:
				status, body = "deleted", ""
			}
			recommends := 0
			if r.IntN(8) == 0 {
				recommends = r.IntN(60)
			}
			if err := comments.add(ctx, id, storyID, user, parent, replyTo, depth, body, status, held, false,
				recommends, utc(at)); err != nil {
				return err
			}
			if status == "published" {
				var p int64
				if parent != nil {
					p = parent.(int64)
				}
				open = append(open, seededComment{id: id, parent: p, depth: depth})
			}
		}
		if id/100000 > (id-int64(n))/100000 { // passed a multiple of 100,000
			s.progress("  %d comments\n", id)
		}
	}
	return l.close(ctx)
}

// finish brings PostgreSQL's identity sequences past the IDs given
// explicitly, and gathers planner statistics there as autovacuum would.
func (s *Seeder) finish(ctx context.Context) error {
	if !s.pg {
		return nil
	}
	for _, t := range []string{"sections", "authors", "tags", "plans", "stories", "story_revisions",
		"corrections", "users", "subscriptions", "comments"} {
		// #nosec G201 -- t comes from the constant list of table names above, never from input.
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), COALESCE((SELECT MAX(id) FROM %[1]s), 0) + 1, false)`, t)
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sequence of %s: %w", t, err)
		}
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return fmt.Errorf("vacuum analyze: %w", err)
	}
	return nil
}
