package web

import (
	"bytes"
	"compress/gzip"
	"dateline/internal/dberr"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"dateline/internal/account"
	"dateline/internal/clock"
	"dateline/internal/comment"
	"dateline/internal/pagecache"
	"dateline/internal/story"
)

//go:embed templates
var templateFS embed.FS

// pageNames are the pages there are; each is parsed with the layout and the
// partials. Start-up fails if one is missing or broken.
var pageNames = []string{"front", "list", "story", "error", "message",
	"signup", "login", "forgot", "reset", "account", "confirm", "devmail",
	"subscribe", "democheckout", "cancel", "subscribers", "plans",
	"policy", "unsubscribe", "moderation", "search", "newsroom", "front_admin", "dashboard", "report", "images", "authors", "settings",
	"people", "audit", "invite"}

type pages struct {
	byName map[string]*template.Template
	bufs   sync.Pool
	// fragments renders the parts of pages that are the same for every
	// reader, kept once rendered (see fragment).
	fragments *template.Template
	kept      fragmentCache
}

// parsePages parses every page. zone gives the paper's time zone as it
// stands, in which every time a person reads is shown.
func parsePages(static *staticFiles, zone func() *time.Location) (*pages, error) {
	p := &pages{byName: make(map[string]*template.Template)}
	p.bufs.New = func() any { return new(bytes.Buffer) }
	funcs := template.FuncMap{
		"sectionNav": func(secs []story.Section, current string) (template.HTML, error) {
			var key strings.Builder
			key.WriteString("sections\x00" + current)
			for _, sec := range secs {
				key.WriteString("\x00" + sec.Slug + "\x01" + sec.Name)
			}
			return p.fragment("sectionNav", key.String(), navData{Sections: secs, Current: current})
		},
		"sortNav": func(path string, sorts []comment.Sort, current comment.Sort) (template.HTML, error) {
			key := fmt.Sprintf("sorts\x00%s\x00%s\x00%v", path, current, sorts)
			return p.fragment("sortNav", key, sortData{Path: path, Sorts: sorts, Current: current})
		},
		"static": static.URL,
		// A <time datetime> is an exact instant, in UTC; what a person
		// reads is in the paper's zone, with its abbreviation after a
		// time of day.
		"isoTime": func(t time.Time) string {
			return t.UTC().Format(time.RFC3339)
		},
		"displayTime": func(t time.Time) string {
			return t.In(zone()).Format(clock.TimeLayout)
		},
		"displayDate": func(t time.Time) string {
			return t.In(zone()).Format(clock.DateLayout)
		},
		// dayPath is the address of the archive of the paper's day t is on.
		"dayPath": func(t time.Time) string {
			return story.DayPath(t, zone())
		},
		"bylineHTML":  bylineHTML,
		"add":         func(a, b int) int { return a + b },
		"field":       makeField,
		"commentHTML": comment.Render,
		"snippet":     snippetHTML,
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
	src, err := templateFS.ReadFile("templates/fragments.html")
	if err != nil {
		return nil, fmt.Errorf("web: template fragments: %w", err)
	}
	if p.fragments, err = template.New("fragments").Parse(compact(string(src))); err != nil {
		return nil, fmt.Errorf("web: parse template fragments: %w", err)
	}
	for _, name := range pageNames {
		t := template.New(name).Funcs(funcs)
		for _, file := range []string{"templates/layout.html", "templates/partials.html", "templates/" + name + ".html"} {
			src, err := templateFS.ReadFile(file)
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", name, err)
			}
			if _, err := t.Parse(compact(string(src))); err != nil {
				return nil, fmt.Errorf("web: parse template %s (%s): %w", name, file, err)
			}
		}
		p.byName[name] = t
	}
	return p, nil
}

// navData is what the sections' navigation shows.
type navData struct {
	Sections []story.Section
	Current  string
}

// sortData is what the links that sort a discussion show.
type sortData struct {
	Path    string
	Sorts   []comment.Sort
	Current comment.Sort
}

// maxFragments bounds the fragments kept; past it they are all dropped
// and rendered again as asked for.
const maxFragments = 1000

// fragmentCache keeps rendered fragments by a key that names everything
// they show.
type fragmentCache struct {
	mu   sync.Mutex
	html map[string]template.HTML
}

// fragment returns the named fragment of the fragments template rendered
// with data, which key must fully describe: a fragment is rendered once
// and served to every page that asks with the same key. Every page shows
// the sections' navigation, and html/template spends more on those links
// than on the rest of a story page's header.
func (p *pages) fragment(name, key string, data any) (template.HTML, error) {
	p.kept.mu.Lock()
	html, ok := p.kept.html[key]
	p.kept.mu.Unlock()
	if ok {
		return html, nil
	}
	html, err := executeHTML(p.fragments, name, data)
	if err != nil {
		return "", err
	}
	p.kept.mu.Lock()
	if p.kept.html == nil || len(p.kept.html) >= maxFragments {
		p.kept.html = make(map[string]template.HTML)
	}
	p.kept.html[key] = html
	p.kept.mu.Unlock()
	return html, nil
}

// executeHTML renders the template t names name, for a page to include
// as it is.
func executeHTML(t *template.Template, name string, data any) (template.HTML, error) {
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // #nosec G203 -- rendered by html/template just above
}

// compact removes the indentation and blank lines of template source, and
// the line breaks after lines that are only template actions, so pages
// carry no bytes for the layout of the files they came from. Other line
// breaks stay, so text inside pre and textarea elements is unchanged.
func compact(src string) string {
	var b strings.Builder
	b.Grow(len(src))
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimLeft(line, " \t")
		if line == "" {
			continue
		}
		b.WriteString(line)
		if !(strings.HasPrefix(line, "{{") && strings.HasSuffix(line, "}}")) {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// bylineHTML joins bylines the way papers print them, "A, B and C", with
// staff names linked to their author pages.
func bylineHTML(bylines []story.Byline) template.HTML {
	var b strings.Builder
	for i, by := range bylines {
		switch {
		case i == 0:
		case i == len(bylines)-1:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		name := template.HTMLEscapeString(by.Name)
		if by.AuthorSlug != "" {
			fmt.Fprintf(&b, `<a href="/author/%s" rel="author">%s</a>`, template.HTMLEscapeString(by.AuthorSlug), name)
		} else {
			b.WriteString(name)
		}
	}
	return template.HTML(b.String()) // #nosec G203 -- every name and slug above is escaped
}

// layoutData is what every page's layout needs.
type layoutData struct {
	SiteName string
	// Lang is the BCP 47 language of the page, for <html lang>.
	Lang      string
	Title     string
	Canonical string
	Sections  []story.Section
	// Current marks the section whose link is shown as current.
	Current string
	// Description is the page's meta description.
	Description string
	// NoIndex asks search engines to skip the page (errors).
	NoIndex bool
	// Year is this year in the paper's time zone, for the footer.
	Year int
	// Today is the date in the paper's time zone, as the masthead shows
	// it ("Wednesday, 2 December 2026"); TodayISO is it for <time>.
	Today, TodayISO string
	// ZoneName names the paper's time zone for the fields where staff
	// type a time: "Lisbon time (WET)".
	ZoneName string
	// Viewer is the signed-in user, nil for anonymous readers.
	Viewer *account.User
	// Accounts is true when readers can sign up and log in.
	Accounts bool
	// Breaking is the editors' breaking-news banner, if one is up.
	Breaking *breaking
	// SiteURL is the public base URL, for absolute links in meta tags.
	SiteURL string
	// OfferSubscribe puts Subscribe in the masthead: for anonymous
	// readers, and for signed-in readers without digital access.
	OfferSubscribe bool
}

// render writes the named page with status code. The page is rendered into a
// buffer first, so a template error gives a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	buf := s.pages.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer s.pages.bufs.Put(buf)
	if err := s.renderPage(buf, name, data); err != nil {
		if name == "error" {
			// The error page itself failed: say so plainly.
			s.log.Error("render error page", "err", err)
			http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
			return
		}
		s.serverError(w, r, err)
		return
	}
	s.writeHTML(w, r, status, buf.Bytes())
}

// renderPage renders the named page into buf, with its spliced part in
// place.
func (s *Server) renderPage(buf *bytes.Buffer, name string, data any) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	// A page without a part has no mark to take away: the template
	// prints the mark only in place of a part (see storyData), so the
	// page is not searched for it.
	if sp, ok := data.(splicer); ok {
		if part := sp.spliced(); part != "" {
			pagecache.Splice(buf, s.marks.Part, string(part))
		}
	}
	return nil
}

// writeHTML sends a rendered page with status code.
func (s *Server) writeHTML(w http.ResponseWriter, r *http.Request, status int, page []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages kept by the page cache are compressed there, once; a page made
	// for one reader is compressed on the way out when it is long.
	if _, kept := w.(*pageRecorder); !kept && len(page) >= compressFrom && acceptsGzip(r) {
		if gz, ok := gzipBody(page); ok {
			writeGzipped(w, status, gz)
			return
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	_, _ = w.Write(page) // a failed write means the reader left; nothing to do
}

// writeGzipped sends a page compressed with gzip.
func writeGzipped(w http.ResponseWriter, status int, gz []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(len(gz)))
	w.WriteHeader(status)
	_, _ = w.Write(gz) // a failed write means the reader left; nothing to do
}

// splicer is page data with a long part rendered beforehand: the page's
// template prints the server's part mark where it goes, and renderPage
// writes the part there (see pagecache.Splice).
type splicer interface {
	spliced() template.HTML
}

func acceptsGzip(r *http.Request) bool {
	_, gz := acceptedEncodings(r.Header.Get("Accept-Encoding"))
	return gz
}

// compressFrom is the size from which a personal page is sent compressed:
// below it, the saving does not pay for the time.
const compressFrom = 8 << 10

// gzipBody compresses a page quickly, for one reader.
func gzipBody(body []byte) ([]byte, bool) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if err != nil {
		return nil, false
	}
	if _, err := zw.Write(body); err != nil {
		return nil, false
	}
	if err := zw.Close(); err != nil {
		return nil, false
	}
	return b.Bytes(), true
}

// errorPage is the data of the error page.
type errorPage struct {
	layoutData
	Status  int
	Heading string
	Message string
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	data := errorPage{Status: status, Heading: heading, Message: message}
	data.layoutData = s.layout(r, heading)
	data.NoIndex = true
	s.render(w, r, status, "error", data)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeAPIError(w, http.StatusNotFound, "not_found", "There is no such API address.", "")
		return
	}
	s.errorPage(w, r, http.StatusNotFound, "Page not found",
		"We could not find that page. It may have moved, or the address may be mistyped.")
}

func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, message string) {
	s.errorPage(w, r, http.StatusBadRequest, "That request did not make sense", message)
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if clientLeft(r, err) {
		// The reader hung up and the work stopped with them: nothing
		// failed, and no one is left to read a page.
		s.log.DebugContext(r.Context(), "client left", "method", r.Method, "path", r.URL.Path, "err", err)
		w.WriteHeader(statusClientClosed)
		return
	}
	if s.cannotSave(err) {
		s.log.ErrorContext(r.Context(), "database full: cannot save", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "300")
		s.errorPage(w, r, http.StatusServiceUnavailable, "We cannot save right now",
			"We cannot save anything just now, because our storage is full. Nothing you did caused this, and we are on it. "+
				"Please go back, keep what you wrote, and try again in a few minutes.")
		return
	}
	if dberr.IsUnavailable(err) {
		// The database is away for a moment: say so, and when to retry.
		s.log.WarnContext(r.Context(), "database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		s.errorPage(w, r, http.StatusServiceUnavailable, "Please try again in a moment",
			"We could not reach our database just now. Nothing you did caused this; please try again in a few seconds.")
		return
	}
	s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	s.errorPage(w, r, http.StatusInternalServerError, "Something went wrong",
		"Something went wrong on our side, and we have been told about it. Please try again in a moment.")
}

// cannotSave reports whether err means the database is full, and marks
// the site not ready until a write goes through again.
func (s *Server) cannotSave(err error) bool {
	if !dberr.IsFull(err) {
		return false
	}
	s.writesFailing.Store(true)
	return true
}

// fail answers with the page that fits err: 404 for something that does not
// exist, 500 for the rest.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, story.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	s.serverError(w, r, err)
}

// breakingNow is the banner to show, if any; best effort.
func (s *Server) breakingNow(r *http.Request) *breaking {
	c, err := s.curation(r.Context())
	if err != nil {
		return nil
	}
	return c.Alert
}

// layout fills what every page shows. The section list for the navigation
// is best effort: without it the page still renders.
func (s *Server) layout(r *http.Request, title string) layoutData {
	secs, err := s.storySvc.Sections(r.Context())
	if err != nil {
		s.log.Warn("navigation: sections", "err", err)
	}
	now := s.now().In(s.zone(r.Context()))
	paper := s.paper(r.Context())
	return layoutData{
		SiteName:  paper.Name,
		Lang:      paper.Language,
		Title:     title,
		Canonical: s.opts.BaseURL + r.URL.Path,
		Sections:  secs,
		Year:      now.Year(),
		Today:     now.Format(clock.MastheadLayout),
		TodayISO:  now.Format(time.DateOnly),
		ZoneName:  zoneName(now.Location(), now),
		Viewer:    viewerOf(r).User,
		Accounts:  s.accounts != nil,
		Breaking:  s.breakingNow(r),
		SiteURL:   s.opts.BaseURL,

		OfferSubscribe: s.offersSubscription(r),
	}
}

// offersSubscription reports whether the masthead offers the reader a
// subscription: anonymous readers, and signed-in readers other than
// staff who have no digital access. It asks the billing service, which
// keeps each reader's subscription for a minute.
func (s *Server) offersSubscription(r *http.Request) bool {
	u := viewerOf(r).User
	if u == nil {
		return true
	}
	if s.billing == nil || u.Staff() {
		return false
	}
	ok, _, err := s.billing.HasAccess(r.Context(), u)
	if err != nil {
		s.log.Warn("masthead: digital access", "err", err)
		return false
	}
	return !ok
}
