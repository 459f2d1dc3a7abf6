package web

import (
	"net/http"

	"dateline/internal/mail"
)

// devMailPage is the data of the development mailbox.
type devMailPage struct {
	layoutData
	Messages []mail.Message
}

// devMailbox lists the newest emails, for development without an SMTP
// server. It exists only in that mode.
func (s *Server) devMailbox(w http.ResponseWriter, r *http.Request) {
	msgs, err := s.devMail.RecentMail(r.Context(), 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := devMailPage{layoutData: s.layout(r, "Development mailbox"), Messages: msgs}
	p.NoIndex = true
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "devmail", p)
}
