package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"dateline/internal/account"
)

// apiCall sends one API request with a bearer token.
func apiCall(s *accountSite, token, method, path, contentType string, body []byte) result {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return result{response: response{Code: rec.Code, Header: rec.Result().Header, Body: rec.Body.String()}}
}

// staffToken makes a member of staff with an API token.
func staffToken(t *testing.T, s *accountSite, role account.Role, email string) string {
	t.Helper()
	ctx := context.Background()
	u, err := s.accounts.CreateUser(ctx, email, string(role), goodPassword, role)
	if err != nil {
		t.Fatal(err)
	}
	token, err := s.accounts.CreateAPIToken(ctx, u, "desk")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// The API answers each role as the permission table says, the same table
// the newsroom's pages ask: what a role may not do there, it may not do
// with a token either.
func TestAPIFollowsThePermissionTable(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		owner := staffToken(t, s, account.Editor, "owner@example.com")
		n := 0
		// draft is a new draft of someone else's, and its version.
		draft := func(t *testing.T) (int64, int) {
			t.Helper()
			n++
			body := fmt.Sprintf(`{"headline": "Someone else's draft %d", "section": "world", "bylines": ["Desk"], "body": "Not for everyone yet."}`, n)
			r := apiCall(s, owner, "POST", "/api/v1/stories", "application/json", []byte(body))
			var st apiStory
			if err := json.Unmarshal([]byte(r.Body), &st); r.Code != http.StatusCreated || err != nil {
				t.Fatalf("draft = %d %s", r.Code, r.Body)
			}
			return st.ID, st.Version
		}
		var img bytes.Buffer
		if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 40, 30))); err != nil {
			t.Fatal(err)
		}
		actions := []struct {
			name string
			may  account.Permission
			ok   int
			call func(t *testing.T, token string) result
		}{
			{"list stories", account.WriteStories, http.StatusOK, func(t *testing.T, token string) result {
				return apiCall(s, token, "GET", "/api/v1/stories?status=draft", "", nil)
			}},
			{"create a story", account.WriteStories, http.StatusCreated, func(t *testing.T, token string) result {
				n++
				return apiCall(s, token, "POST", "/api/v1/stories", "application/json",
					fmt.Appendf(nil, `{"headline": "Wire copy %d", "section": "world", "bylines": ["Agency"], "body": "Text."}`, n))
			}},
			{"read someone else's draft", account.EditStories, http.StatusOK, func(t *testing.T, token string) result {
				id, _ := draft(t)
				return apiCall(s, token, "GET", fmt.Sprintf("/api/v1/stories/%d", id), "", nil)
			}},
			{"edit someone else's draft", account.EditStories, http.StatusOK, func(t *testing.T, token string) result {
				id, version := draft(t)
				return apiCall(s, token, "PUT", fmt.Sprintf("/api/v1/stories/%d", id), "application/json",
					fmt.Appendf(nil, `{"headline": "Edited %d", "section": "world", "bylines": ["Desk"], "body": "Changed.", "version": %d}`, id, version))
			}},
			{"publish a story", account.PublishStories, http.StatusOK, func(t *testing.T, token string) result {
				id, _ := draft(t)
				return apiCall(s, token, "POST", fmt.Sprintf("/api/v1/stories/%d/publish", id), "application/json", []byte(`{}`))
			}},
			{"upload an image", account.UploadImages, http.StatusCreated, func(t *testing.T, token string) result {
				body, ct := uploadForm(img.Bytes())
				return apiCall(s, token, "POST", "/api/v1/images", ct, body.Bytes())
			}},
		}
		for _, role := range account.Roles() {
			if role == account.Reader {
				continue // readers hold no tokens: TestAPITokensAndRoles
			}
			token := staffToken(t, s, role, string(role)+"@staff.example")
			for _, a := range actions {
				t.Run(string(role)+"/"+a.name, func(t *testing.T) {
					r := a.call(t, token)
					if role.Can(a.may) {
						if r.Code != a.ok {
							t.Fatalf("allowed by the table, answered %d\n%.300s", r.Code, r.Body)
						}
						return
					}
					if e := apiErrorOf(t, r); r.Code != http.StatusForbidden || e.Code != "forbidden" {
						t.Fatalf("refused by the table, answered %d %+v", r.Code, e)
					}
				})
			}
			// A role that may not edit every story lists only its own.
			t.Run(string(role)+"/list shows", func(t *testing.T) {
				if !role.Can(account.WriteStories) {
					return
				}
				r := apiCall(s, token, "GET", "/api/v1/stories?status=draft&limit=200", "", nil)
				var list struct{ Stories []apiStory }
				if err := json.Unmarshal([]byte(r.Body), &list); err != nil {
					t.Fatal(err)
				}
				others := 0
				for _, st := range list.Stories {
					if strings.HasPrefix(st.Headline, "Someone else's draft") {
						others++
					}
				}
				if role.Can(account.EditStories) != (others > 0) {
					t.Errorf("%d of someone else's drafts listed", others)
				}
			})
		}
	})
}
