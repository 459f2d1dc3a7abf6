package newsroom

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dateline/internal/field"
	"dateline/internal/story"
)

// The keys the front page's curation is stored under.
const (
	keyLead          = "front_lead"
	keyTop           = "front_top"
	keyBreakingText  = "breaking_text"
	keyBreakingURL   = "breaking_url"
	keyBreakingUntil = "breaking_until"
)

// The names field.Errors gives the front page's settings.
const (
	FieldTop           = "top"
	FieldBreakingText  = "text"
	FieldBreakingURL   = "url"
	FieldBreakingUntil = "until"
)

// MaxTopStories is how many stories editors may order under the lead.
const MaxTopStories = 6

// maxBreakingText bounds the breaking-news banner, in characters.
const maxBreakingText = 200

// FrontPage is what editors chose for the front page.
type FrontPage struct {
	// Lead is the story at the top; 0 leaves the latest there.
	Lead int64
	// Top are the stories under the lead, in order.
	Top []int64
	// Breaking is the banner above every page; its Text is empty when
	// there is none.
	Breaking Breaking
}

// Breaking is the banner editors put above every page until a time.
type Breaking struct {
	Text  string
	URL   string // a path on this site or an http(s) address; may be empty
	Until time.Time
}

// Live reports whether the banner is up at now.
func (b Breaking) Live(now time.Time) bool { return b.Text != "" && now.Before(b.Until) }

// Validate checks front-page settings an editor chose, except whether the
// banner comes down in the future, which SaveFrontPage checks against its
// clock; it returns a field.Errors.
func (f FrontPage) Validate() error {
	wrong := field.Errors{}
	if len(f.Top) > MaxTopStories {
		wrong[FieldTop] = fmt.Sprintf("Choose at most %d top stories.", MaxTopStories)
	}
	if b := f.Breaking; b.Text != "" {
		if len([]rune(b.Text)) > maxBreakingText {
			wrong[FieldBreakingText] = fmt.Sprintf("Keep the banner under %d characters.", maxBreakingText)
		}
		if u := b.URL; u != "" {
			if parsed, err := url.Parse(u); err != nil || (!strings.HasPrefix(u, "/") && parsed.Scheme != "https" && parsed.Scheme != "http") || strings.HasPrefix(u, "//") {
				wrong[FieldBreakingURL] = "Give a link on this site (starting with /) or an http(s) address."
			}
		}
	}
	return wrong.Err()
}

// FrontPage reads the editors' choices in one query: the banner is on
// every page, so this is on the hot path. The banner is returned even
// when its time has passed; Live tells.
func (s *Service) FrontPage(ctx context.Context) (FrontPage, error) {
	var f FrontPage
	vals, err := s.store.SettingValues(ctx, keyLead, keyTop, keyBreakingText, keyBreakingURL, keyBreakingUntil)
	if err != nil {
		return f, fmt.Errorf("newsroom: front page: %w", err)
	}
	f.Lead, _ = strconv.ParseInt(vals[keyLead], 10, 64)
	for _, v := range strings.Split(vals[keyTop], ",") {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			f.Top = append(f.Top, id)
		}
	}
	if text := vals[keyBreakingText]; text != "" {
		until, err := time.Parse(time.RFC3339, vals[keyBreakingUntil])
		if err == nil {
			f.Breaking = Breaking{Text: text, URL: vals[keyBreakingURL], Until: until}
		}
	}
	return f, nil
}

// SaveFrontPage checks and stores the editors' choices; wrong ones are
// refused with a field.Errors and nothing is saved.
func (s *Service) SaveFrontPage(ctx context.Context, f FrontPage) error {
	err := f.Validate()
	if f.Breaking.Text != "" && !f.Breaking.Until.After(s.now()) {
		fe, _ := err.(field.Errors)
		if fe == nil {
			fe = field.Errors{}
		}
		fe[FieldBreakingUntil] = "Give the time the banner comes down, in the future (UTC)."
		err = fe
	}
	if err != nil {
		return err
	}
	top := make([]string, len(f.Top))
	for i, id := range f.Top {
		top[i] = strconv.FormatInt(id, 10)
	}
	b, until := f.Breaking, ""
	if b.Text == "" {
		b = Breaking{} // no banner: nothing else of it is kept
	} else {
		until = b.Until.UTC().Format(time.RFC3339)
	}
	err = s.store.SaveSettingValues(ctx, map[string]string{
		keyLead: strconv.FormatInt(f.Lead, 10), keyTop: strings.Join(top, ","),
		keyBreakingText: b.Text, keyBreakingURL: b.URL, keyBreakingUntil: until,
	})
	if err != nil {
		return fmt.Errorf("newsroom: save front page: %w", err)
	}
	return nil
}

// ChooseFrontStories sets the lead story (0 for the latest) and the top
// stories under it, in order, keeping the banner while it is up: one that
// came down is not saved again. Too many top stories are refused with a
// field.Errors.
func (s *Service) ChooseFrontStories(ctx context.Context, lead int64, top []int64) error {
	f, err := s.FrontPage(ctx)
	if err != nil {
		return err
	}
	if !f.Breaking.Live(s.now()) {
		f.Breaking = Breaking{}
	}
	f.Lead, f.Top = lead, top
	return s.SaveFrontPage(ctx, f)
}

// SetBreaking puts up the breaking-news banner b, or takes it down when
// b.Text is empty, keeping the stories chosen. A wrong banner is refused
// with a field.Errors, as SaveFrontPage refuses it.
func (s *Service) SetBreaking(ctx context.Context, b Breaking) error {
	f, err := s.FrontPage(ctx)
	if err != nil {
		return err
	}
	f.Breaking = b
	return s.SaveFrontPage(ctx, f)
}

// Curate puts the lead and top stories f chose first, in their order and
// each once, followed by the latest of the rest, as many stories as
// latest has. A chosen story readers cannot see (unpublished, or one that
// cannot be read) falls away by itself.
func (s *Service) Curate(ctx context.Context, f FrontPage, latest []story.Story) []story.Story {
	if f.Lead == 0 && len(f.Top) == 0 {
		return latest
	}
	var out []story.Story
	seen := map[int64]bool{}
	for _, id := range append([]int64{f.Lead}, f.Top...) {
		if id == 0 || seen[id] {
			continue
		}
		st, err := s.store.StoryByID(ctx, id)
		if err != nil || !st.Visible(s.now()) {
			continue
		}
		seen[id] = true
		out = append(out, *st)
	}
	for _, st := range latest {
		if !seen[st.ID] && len(out) < len(latest) {
			out = append(out, st)
		}
	}
	return out
}
