package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dateline/internal/story"
)

// maxQuery is the longest search query read; the rest is ignored.
const maxQuery = 256

// searchPage is the data of /search.
type searchPage struct {
	layoutData
	Query, Section, From, To string
	Hits                     []story.SearchHit
	Total                    int
	// More is set when more stories match than a search ranks; Total is
	// then only a lower bound, and Ranked says how many are shown.
	More     bool
	Ranked   string
	Pager    pager
	Searched bool
	Message  string
}

// snippetHTML escapes a search snippet and turns its highlight marks into
// <mark> elements.
func snippetHTML(s string) template.HTML {
	esc := template.HTMLEscapeString(s)
	esc = strings.ReplaceAll(esc, story.HighlightStart, "<mark>")
	esc = strings.ReplaceAll(esc, story.HighlightEnd, "</mark>")
	if strings.Count(esc, "<mark>") != strings.Count(esc, "</mark>") {
		esc = strings.NewReplacer("<mark>", "", "</mark>", "").Replace(esc)
	}
	return template.HTML(esc) // #nosec G203 -- escaped above; only balanced <mark> tags are added
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	qv := r.URL.Query()
	p := searchPage{layoutData: s.layout(r, "Search"), Query: qv.Get("q"), Section: qv.Get("section"),
		From: qv.Get("from"), To: qv.Get("to")}
	p.NoIndex = true
	if len(p.Query) > maxQuery {
		p.Query = strings.ToValidUTF8(p.Query[:maxQuery], "")
	}
	page, ok := pageNumber(r)
	if !ok {
		s.badRequest(w, r, "The page number must be a whole number from 1 to 10000.")
		return
	}
	q := story.SearchQuery{Terms: story.SearchTerms(p.Query), Limit: s.pageSize, Offset: (page - 1) * s.pageSize}
	status := http.StatusOK
	if p.Section != "" {
		sec, err := s.store.SectionBySlug(r.Context(), p.Section)
		if err != nil {
			p.Message, status = "There is no such section; showing every section.", http.StatusBadRequest
			p.Section = ""
		} else {
			q.SectionID = sec.ID
		}
	}
	for _, d := range []struct {
		raw  *string
		into *time.Time
		add  int
	}{{&p.From, &q.From, 0}, {&p.To, &q.To, 1}} {
		if *d.raw == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", *d.raw)
		if err != nil {
			p.Message, status = "Dates are written like 2026-11-29; that one was left out.", http.StatusBadRequest
			*d.raw = ""
			continue
		}
		*d.into = t.AddDate(0, 0, d.add)
	}
	if len(q.Terms) > 0 {
		hits, total, err := s.store.Search(r.Context(), q)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Hits, p.Total, p.Searched = hits, total, true
		if total > story.SearchCandidates {
			// Only the newest matches are ranked: say "more than", and
			// let the pages end with them.
			p.More, p.Ranked, total = true, thousands(story.SearchCandidates), story.SearchCandidates
		}
		base := "/search?" + url.Values{"q": {p.Query}, "section": {p.Section}, "from": {p.From}, "to": {p.To}}.Encode()
		p.Pager = newPager(base, page, total, s.pageSize)
		p.Title = "Search: " + p.Query
	} else if p.Query != "" {
		p.Message = "Search for words: letters and numbers."
	}
	s.render(w, r, status, "search", p)
}

// thousands writes n with a comma between each group of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
