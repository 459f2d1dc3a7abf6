package web

import (
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dateline/internal/story"
)

// searchPage is the data of /search.
type searchPage struct {
	layoutData
	Query, Section, From, To string
	// Sort is the order asked for: "newest", or "" for the best match
	// first; Sorts are the links to each order of the same search.
	Sort  string
	Sorts []sortLink
	Hits  []story.SearchHit
	Total int
	// More is set when more stories match than a search ranks; Total is
	// then only a lower bound, and Ranked says how many are shown.
	More     bool
	Ranked   string
	Pager    pager
	Searched bool
	Message  string
}

// sortLink is a link to a search in one order.
type sortLink struct {
	Label, URL string
	Current    bool
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
	p := searchPage{layoutData: s.layout(r, "Search"), Section: qv.Get("section"), From: qv.Get("from"), To: qv.Get("to")}
	p.NoIndex = true
	page, ok := pageNumber(r)
	if !ok {
		s.badRequest(w, r, "The page number must be a whole number from 1 to 10000.")
		return
	}
	req := story.SearchRequest{Query: qv.Get("q"), Section: p.Section, Page: page}
	status := http.StatusOK
	sort, sortOK := story.ParseSearchSort(qv.Get("sort"))
	req.Sort = sort
	if sort == story.ByNewest {
		p.Sort = string(story.ByNewest)
	}
	badDate := false
	for _, d := range []struct {
		raw  *string
		into *time.Time
	}{{&p.From, &req.From}, {&p.To, &req.To}} {
		if *d.raw == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", *d.raw)
		if err != nil {
			badDate = true
			*d.raw = ""
			continue
		}
		// A day of the paper: from its midnight, in its time zone.
		*d.into = story.DayStart(t.Year(), t.Month(), t.Day(), s.zone(r.Context()))
	}
	res, err := s.storySvc.Search(r.Context(), req)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Query = res.Query
	if res.NoSection {
		p.Message, status = "There is no such section; showing every section.", http.StatusBadRequest
		p.Section = ""
	}
	if badDate {
		p.Message, status = "Dates are written like 2026-11-29; that one was left out.", http.StatusBadRequest
	}
	if !sortOK {
		p.Message, status = "Results are sorted by best match or newest; showing the best match first.", http.StatusBadRequest
	}
	if res.Searched {
		p.Hits, p.Total, p.Searched = res.Hits, res.Total, true
		if res.More {
			// Only the newest matches are ranked: say "more than", and
			// let the pages end with them.
			p.More, p.Ranked = true, thousands(story.SearchCandidates)
		}
		search := url.Values{"q": {p.Query}}
		for k, v := range map[string]string{"section": p.Section, "from": p.From, "to": p.To} {
			if v != "" {
				search.Set(k, v)
			}
		}
		for _, o := range []struct{ label, sort string }{{"Best match", ""}, {"Newest", string(story.ByNewest)}} {
			u := url.Values{}
			maps.Copy(u, search)
			if o.sort != "" {
				u.Set("sort", o.sort)
			}
			p.Sorts = append(p.Sorts, sortLink{Label: o.label, URL: "/search?" + u.Encode(), Current: o.sort == p.Sort})
		}
		if p.Sort != "" {
			search.Set("sort", p.Sort)
		}
		p.Pager = newPager("/search?"+search.Encode(), page, res.Pages)
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
