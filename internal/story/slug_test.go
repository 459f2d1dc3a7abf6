package story

import (
	"strings"
	"testing"
)

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ferry line to the islands reopens", "ferry-line-to-the-islands-reopens"},
		{"  Reader's   guide: what’s next?  ", "readers-guide-whats-next"},
		{"São Paulo café reopens", "sao-paulo-cafe-reopens"},
		{"Tromsø & Ålesund", "troms-alesund"},
		{"2026: a year in 12 charts", "2026-a-year-in-12-charts"},
		{"---", "story"},
		{"北京", "story"},
		{"", "story"},
	}
	for _, tt := range tests {
		if got := Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := Slugify(strings.Repeat("word ", 40))
	if len(long) > MaxSlug || strings.HasSuffix(long, "-") || !strings.HasSuffix(long, "word") {
		t.Errorf("long slug %q: want at most %d bytes, cut at a word", long, MaxSlug)
	}
}

func FuzzSlugifyMakesValidSlugs(f *testing.F) {
	for _, seed := range []string{"Ferry line", "São Paulo", "---", "", "a--b", "Ünïcödé ñ"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, headline string) {
		s := Slugify(headline)
		if !ValidSlug(s) || len(s) > MaxSlug {
			t.Fatalf("Slugify(%q) = %q, not a valid slug", headline, s)
		}
		if Slugify(s) != s {
			t.Fatalf("Slugify is not stable on %q", s)
		}
	})
}

func TestValidSlug(t *testing.T) {
	for s, want := range map[string]bool{
		"ok": true, "a-b-c": true, "2026": true,
		"": false, "-a": false, "a-": false, "a--b": false, "A": false, "a_b": false, "a/b": false, "é": false,
		"../etc": false, strings.Repeat("a", 201): false,
	} {
		if got := ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestPrepare(t *testing.T) {
	r := NewRenderer()
	ok := func() *Story {
		return &Story{Headline: " A headline ", Dateline: " beirut ", Section: Section{Slug: "world"},
			Bylines: []Byline{{Name: " Staff "}}, Body: "Text."}
	}
	s := ok()
	if err := s.Prepare(r); err != nil {
		t.Fatal(err)
	}
	if s.Headline != "A headline" || s.Dateline != "BEIRUT" || s.Slug != "a-headline" || s.Access != Free ||
		s.Status != Draft || s.BodyHTML != "<p>Text.</p>\n" || s.Bylines[0].Name != "Staff" {
		t.Errorf("prepared = %+v", s)
	}
	for field, breakIt := range map[string]func(*Story){
		"headline":     func(s *Story) { s.Headline = "  " },
		"section":      func(s *Story) { s.Section = Section{} },
		"bylines":      func(s *Story) { s.Bylines = nil },
		"access":       func(s *Story) { s.Access = "everyone" },
		"status":       func(s *Story) { s.Status = "live" },
		"published_at": func(s *Story) { s.Status = Published },
		"slug":         func(s *Story) { s.Slug = "Not A Slug" },
		"dek":          func(s *Story) { s.Dek = strings.Repeat("x", MaxDek+1) },
	} {
		s := ok()
		breakIt(s)
		err := s.Prepare(r)
		ve, isVE := err.(*ValidationError)
		if !isVE || ve.Field != field || ve.Message == "" {
			t.Errorf("%s: Prepare = %v, want a ValidationError on %s", field, err, field)
		}
	}
}
