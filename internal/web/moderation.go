package web

import "net/http"

// moderationRoutes registers the moderators' pages under /admin/comments.
func (s *Server) moderationRoutes(mux *http.ServeMux) {}
