package web

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"dateline/internal/mail"
)

// devMailPage is the data of the development mailbox.
type devMailPage struct {
	layoutData
	Messages []devMessage
}

// devMessage is one email in the development mailbox, its plain-text
// part with the web addresses in it made into links.
type devMessage struct {
	mail.Message
	TextHTML template.HTML
}

// devMailbox lists the newest emails, for development without an SMTP
// server. It exists only in that mode.
func (s *Server) devMailbox(w http.ResponseWriter, r *http.Request) {
	msgs, err := s.devMail.RecentMail(r.Context(), 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := devMailPage{layoutData: s.layout(r, "Development mailbox"), Messages: make([]devMessage, 0, len(msgs))}
	for _, m := range msgs {
		p.Messages = append(p.Messages, devMessage{Message: m, TextHTML: linkify(m.Text)})
	}
	p.NoIndex = true
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "devmail", p)
}

// webAddress finds the http and https addresses in plain text.
var webAddress = regexp.MustCompile(`https?://[^\s<>"'` + "`" + `]+`)

// linkify escapes plain text for HTML and makes each http or https
// address in it a link; punctuation ending a sentence stays outside the
// link. Nothing else becomes markup, and no other scheme (javascript:,
// data:, …) is ever linked.
func linkify(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, loc := range webAddress.FindAllStringIndex(text, -1) {
		start, end := loc[0], loc[1]
		end = start + len(strings.TrimRight(text[start:end], ".,;:!?)]}"))
		b.WriteString(template.HTMLEscapeString(text[last:start]))
		addr := text[start:end]
		if u, err := url.Parse(addr); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			b.WriteString(`<a href="` + template.HTMLEscapeString(u.String()) + `">` + template.HTMLEscapeString(addr) + `</a>`)
		} else {
			b.WriteString(template.HTMLEscapeString(addr))
		}
		last = end
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String()) // #nosec G203 -- every piece of text is escaped above; only http(s) links are made
}
