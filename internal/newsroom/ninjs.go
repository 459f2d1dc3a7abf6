package newsroom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"dateline/internal/account"
	"dateline/internal/story"
)

// NinjsError is a ninjs document Dateline cannot read: Field names the
// property at fault, as the document spells it.
type NinjsError struct {
	Field   string
	Message string
}

// Error says which property is wrong and why.
func (e *NinjsError) Error() string { return "newsroom: ninjs " + e.Field + ": " + e.Message }

// ErrStaleWire: the story already holds a newer version of the agency's
// item than the one sent, which is refused so that a late delivery never
// overwrites newer copy.
var ErrStaleWire = errors.New("newsroom: a newer version of this wire item is already in")

// ninjsItem is the part of an IPTC ninjs 2.x news item Dateline reads.
// Both the flat properties of ninjs 1.x that agencies still send
// (headline, body_html, subject) and their 2.x lists (headlines, bodies,
// subjects) are read; other properties are ignored, as ninjs allows.
type ninjsItem struct {
	URI            string         `json:"uri"`
	Type           string         `json:"type"`
	PubStatus      string         `json:"pubstatus"`
	VersionCreated string         `json:"versioncreated"`
	Headline       string         `json:"headline"`
	Subheadline    string         `json:"subheadline"`
	Headlines      []ninjsText    `json:"headlines"`
	BodyHTML       string         `json:"body_html"`
	BodyText       string         `json:"body_text"`
	Bodies         []ninjsText    `json:"bodies"`
	By             string         `json:"by"`
	People         []ninjsName    `json:"people"`
	Located        string         `json:"located"`
	Subject        []ninjsName    `json:"subject"`
	Subjects       []ninjsName    `json:"subjects"`
	Copyright      string         `json:"copyrightholder"`
	RightsInfo     *ninjsRights   `json:"rightsinfo"`
	Provider       *ninjsProvider `json:"provider"`
	InfoSource     []ninjsName    `json:"infosource"`
}

// ninjsText is one of ninjs 2.x's headlines or bodies.
type ninjsText struct {
	Role        string `json:"role"`
	ContentType string `json:"contenttype"`
	Value       string `json:"value"`
}

// ninjsName is a person, subject or source: what Dateline reads is its
// name, and for people and sources their role.
type ninjsName struct {
	Name string `json:"name"`
	Rel  string `json:"rel"`
	Role string `json:"role"`
}

type ninjsRights struct {
	CopyrightHolder string `json:"copyrightholder"`
}

// ninjsProvider is the provider: a name, or an object with one.
type ninjsProvider struct{ Name string }

// UnmarshalJSON reads a provider given as a string or as an object.
func (p *ninjsProvider) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		return json.Unmarshal(b, &p.Name)
	}
	var o struct {
		Name string `json:"name"`
	}
	err := json.Unmarshal(b, &o)
	p.Name = o.Name
	return err
}

// StoryFromNinjs reads an agency's ninjs item as a story: headline, dek
// (subheadline), body (HTML sanitised and kept as the newsroom's Markdown,
// or plain text), bylines (by, or the people whose role is author),
// dateline (located), tags (the subjects' names), the agency as the
// story's credit (copyrightholder, or the provider), and the item's uri
// and versioncreated. The section, which ninjs does not carry, is the
// caller's. A document that is not a ninjs text item is a *NinjsError.
func (s *Service) StoryFromNinjs(ctx context.Context, doc []byte) (*story.Story, error) {
	var in ninjsItem
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, &NinjsError{Field: te.Field, Message: fmt.Sprintf("%s cannot be a JSON %s here.", te.Field, te.Value)}
		}
		return nil, &NinjsError{Message: "The body is not a JSON object: " + err.Error()}
	}
	if dec.More() {
		return nil, &NinjsError{Message: "Send one ninjs item."}
	}
	st := &story.Story{Credit: in.credit(), Dateline: strings.TrimSpace(in.Located)}
	st.Wire.URI = strings.TrimSpace(in.URI)
	switch {
	case st.Wire.URI == "":
		return nil, &NinjsError{Field: "uri", Message: "A ninjs item needs its uri, which every version of the item shares."}
	case len(st.Wire.URI) > 500:
		return nil, &NinjsError{Field: "uri", Message: "The uri is longer than 500 characters."}
	case in.Type != "" && in.Type != "text":
		return nil, &NinjsError{Field: "type", Message: fmt.Sprintf("Only text items become stories, not %q.", in.Type)}
	case in.PubStatus != "" && in.PubStatus != "usable":
		return nil, &NinjsError{Field: "pubstatus", Message: fmt.Sprintf("Only usable items are taken, not %q.", in.PubStatus)}
	}
	if in.VersionCreated == "" {
		return nil, &NinjsError{Field: "versioncreated", Message: "A ninjs item needs its versioncreated, which orders its versions."}
	}
	v, err := time.Parse(time.RFC3339, in.VersionCreated)
	if err != nil {
		return nil, &NinjsError{Field: "versioncreated", Message: "versioncreated is a date and time such as 2026-12-03T07:00:00Z."}
	}
	st.Wire.Version = v.UTC()

	st.Headline, st.Dek = in.Headline, in.Subheadline
	for _, h := range in.Headlines {
		switch {
		case (h.Role == "" || h.Role == "main") && st.Headline == "":
			st.Headline = h.Value
		case (h.Role == "sub" || h.Role == "subheadline") && st.Dek == "":
			st.Dek = h.Value
		}
	}
	if strings.TrimSpace(st.Headline) == "" {
		return nil, &NinjsError{Field: "headline", Message: "A ninjs item needs a headline."}
	}
	if st.Body, err = in.body(s.renderer); err != nil {
		return nil, err
	}

	names := in.bylines()
	if len(names) == 0 && st.Credit != "" {
		names = []string{st.Credit} // agency copy without a name is the agency's
	}
	if st.Bylines, err = s.Bylines(ctx, names); err != nil {
		return nil, err
	}
	if len(st.Bylines) == 0 {
		return nil, &NinjsError{Field: "by", Message: "Name who wrote the item (by or people), or the agency (copyrightholder or provider)."}
	}
	seen := map[string]bool{}
	for _, sub := range append(in.Subject, in.Subjects...) {
		name := strings.TrimSpace(sub.Name)
		if slug := story.Slugify(name); name != "" && slug != "story" && !seen[slug] {
			seen[slug] = true
			st.Tags = append(st.Tags, story.Tag{Name: name})
		}
	}
	return st, nil
}

// credit is the agency the item comes from.
func (in *ninjsItem) credit() string {
	candidates := []string{in.Copyright}
	if in.RightsInfo != nil {
		candidates = append(candidates, in.RightsInfo.CopyrightHolder)
	}
	if in.Provider != nil {
		candidates = append(candidates, in.Provider.Name)
	}
	for _, src := range in.InfoSource {
		candidates = append(candidates, src.Name)
	}
	for _, c := range candidates {
		if c = strings.TrimSpace(c); c != "" {
			return c
		}
	}
	return ""
}

// body is the item's text as Markdown: body_html or an HTML body first,
// then body_text or a plain one.
func (in *ninjsItem) body(r *story.Renderer) (string, error) {
	htmlBody, textBody := in.BodyHTML, in.BodyText
	for _, b := range in.Bodies {
		switch {
		case b.ContentType == "text/html" && htmlBody == "":
			htmlBody = b.Value
		case (b.ContentType == "" || b.ContentType == "text/plain") && textBody == "":
			textBody = b.Value
		}
	}
	var md string
	switch {
	case strings.TrimSpace(htmlBody) != "":
		md = r.MarkdownFromHTML(htmlBody)
	case strings.TrimSpace(textBody) != "":
		md = story.MarkdownFromText(textBody)
	}
	if md == "" {
		return "", &NinjsError{Field: "body_html", Message: "A ninjs item needs a body: body_html, body_text or bodies."}
	}
	return md, nil
}

var byPrefix = regexp.MustCompile(`(?i)^by\s+`)

// bylines are the names in by ("By Ann Lee and Bo Chen"), or else the
// people whose role is author.
func (in *ninjsItem) bylines() []string {
	if by := byPrefix.ReplaceAllString(strings.TrimSpace(in.By), ""); by != "" {
		return regexp.MustCompile(`\s*,\s*|\s+and\s+|\s*&\s*`).Split(by, -1)
	}
	var names []string
	for _, p := range in.People {
		if rel := strings.ToLower(p.Rel + p.Role); rel == "" || strings.Contains(rel, "author") || strings.Contains(rel, "creator") {
			names = append(names, p.Name)
		}
	}
	return names
}

// WireResult says what filing an agency's item did.
type WireResult string

// Wire results.
const (
	WireCreated   WireResult = "created"   // a new story, a draft
	WireUpdated   WireResult = "updated"   // a newer version replaced the story's copy
	WireUnchanged WireResult = "unchanged" // the same version again: nothing to do
)

// FileWire files an agency's item, read by StoryFromNinjs, as u. The
// first version of an item makes a new draft in section; a later version
// (a newer versioncreated) replaces the copy of the story made from it,
// keeping what the newsroom decided (section, slug, access, comments,
// status), under the same version check as any save. The same version
// again changes nothing; an older one is ErrStaleWire. It returns the
// story as saved.
func (s *Service) FileWire(ctx context.Context, u *account.User, st *story.Story, section string) (*story.Story, WireResult, error) {
	for range 3 {
		old, err := s.store.StoryByWireURI(ctx, st.Wire.URI)
		switch {
		case errors.Is(err, story.ErrNotFound):
			st.Section = story.Section{Slug: section}
			err := s.createWire(ctx, u, st)
			if errors.Is(err, story.ErrSlugTaken) {
				continue // the item came in twice at once: now it is found
			}
			if err != nil {
				return nil, "", err
			}
			return st, WireCreated, nil
		case err != nil:
			return nil, "", fmt.Errorf("newsroom: file wire item: %w", err)
		case st.Wire.Version.Equal(old.Wire.Version):
			return old, WireUnchanged, nil
		case st.Wire.Version.Before(old.Wire.Version):
			return old, "", ErrStaleWire
		}
		st.ID, st.Section, st.Slug, st.Access, st.Comments = old.ID, old.Section, old.Slug, old.Access, old.Comments
		st.SEOTitle, st.SEODescription = old.SEOTitle, old.SEODescription
		if err := s.Save(ctx, u, st, old.Version, Save, time.Time{}, ""); err != nil {
			return nil, "", err
		}
		return st, WireUpdated, nil
	}
	return nil, "", fmt.Errorf("newsroom: file wire item %q: %w", st.Wire.URI, story.ErrConflict)
}

// createWire saves a new story from the wire, giving it a slug of its own
// when another story has its headline's: agencies repeat headlines.
func (s *Service) createWire(ctx context.Context, u *account.User, st *story.Story) error {
	base := story.Slugify(st.Headline)
	for n := 1; ; n++ {
		st.ID, st.Slug = 0, base
		if n > 1 {
			st.Slug = fmt.Sprintf("%s-%d", base, n)
		}
		err := s.Save(ctx, u, st, 0, Save, time.Time{}, "")
		if !errors.Is(err, story.ErrSlugTaken) || n == 5 {
			return err
		}
		if _, err := s.store.StoryByWireURI(ctx, st.Wire.URI); err == nil {
			return story.ErrSlugTaken // the same item, saved meanwhile
		}
	}
}
