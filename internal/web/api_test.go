package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"dateline/internal/account"
	"dateline/internal/store/storetest"
)

// curlExample is one curl command from docs/api.md with the status it
// must answer.
type curlExample struct {
	want    int
	method  string
	url     string
	headers map[string]string
	body    string
	// form holds -F fields; values starting with @ name a file under docs/.
	form [][2]string
}

// shellWords splits a command line as a POSIX shell would for the forms
// the docs use: single and double quotes, backslash-newline joins, and
// $VARS expanded inside double quotes and bare words.
func shellWords(line string, vars map[string]string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	expand := func(s string) string {
		return regexp.MustCompile(`\$([A-Z]+)`).ReplaceAllStringFunc(s, func(v string) string { return vars[v[1:]] })
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := strings.IndexByte(line[i+1:], '"')
			cur.WriteString(expand(line[i+1 : i+1+j]))
			i += j + 1
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, expand(cur.String()))
	}
	return words
}

// docExamples reads every sh block of docs/api.md.
func docExamples(t *testing.T, vars map[string]string) []curlExample {
	t.Helper()
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []curlExample
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		lines := strings.SplitN(block[1], "\n", 2)
		var want int
		if _, err := fmt.Sscanf(lines[0], "# expect %d", &want); err != nil {
			t.Fatalf("a sh block in docs/api.md does not start with '# expect STATUS': %q", lines[0])
		}
		cmd := strings.ReplaceAll(lines[1], "\\\n", " ")
		words := shellWords(cmd, vars)
		if len(words) == 0 || words[0] != "curl" {
			t.Fatalf("not a curl command: %q", cmd)
		}
		ex := curlExample{want: want, method: http.MethodGet, headers: map[string]string{}}
		for i := 1; i < len(words); i++ {
			switch words[i] {
			case "-s":
			case "-X":
				i++
				ex.method = words[i]
			case "-H":
				i++
				k, v, _ := strings.Cut(words[i], ":")
				ex.headers[k] = strings.TrimSpace(v)
			case "-d":
				i++
				ex.body = words[i]
			case "-F":
				i++
				k, v, _ := strings.Cut(words[i], "=")
				ex.form = append(ex.form, [2]string{k, v})
			default:
				ex.url = words[i]
			}
		}
		out = append(out, ex)
	}
	return out
}

func TestAPIDocExamplesRun(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		ctx := context.Background()
		srv := httptest.NewServer(s)
		defer srv.Close()
		editor, err := s.accounts.CreateUser(ctx, "wire@example.com", "Wire desk", goodPassword, account.Editor)
		if err != nil {
			t.Fatal(err)
		}
		token, err := s.accounts.CreateAPIToken(ctx, editor, "wire feed")
		if err != nil {
			t.Fatal(err)
		}
		vars := map[string]string{"DATELINE": srv.URL, "TOKEN": token}
		examples := docExamples(t, vars)
		if len(examples) < 8 {
			t.Fatalf("%d examples in docs/api.md", len(examples))
		}
		for i := range examples {
			// $ID is known once the first example has run.
			ex := docExamples(t, vars)[i]
			reqBody := ex.body
			contentType := ""
			if len(ex.form) > 0 {
				var b strings.Builder
				mw := multipart.NewWriter(&b)
				for _, kv := range ex.form {
					if name, ok := strings.CutPrefix(kv[1], "@"); ok {
						data, err := os.ReadFile("../../docs/" + name)
						if err != nil {
							t.Fatal(err)
						}
						fw, _ := mw.CreateFormFile(kv[0], name)
						fw.Write(data)
					} else {
						mw.WriteField(kv[0], kv[1])
					}
				}
				mw.Close()
				reqBody, contentType = b.String(), mw.FormDataContentType()
			}
			req, err := http.NewRequest(ex.method, ex.url, strings.NewReader(reqBody))
			if err != nil {
				t.Fatal(err)
			}
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			for k, v := range ex.headers {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != ex.want {
				t.Fatalf("example %d (%s %s): %d, want %d\n%s", i+1, ex.method, ex.url, res.StatusCode, ex.want, body)
			}
			var v map[string]any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatalf("example %d: not JSON: %s", i+1, body)
			}
			if ex.want >= 400 {
				e, _ := v["error"].(map[string]any)
				if e["code"] == "" || e["message"] == "" {
					t.Errorf("example %d: error without code and message: %s", i+1, body)
				}
			}
			if i == 0 {
				vars["ID"] = fmt.Sprint(v["id"])
			}
		}
		st, err := s.db.StoryBySlug(ctx, "harbour-pilots-end-their-strike")
		if err != nil || st.Headline != "Harbour pilots end week-long strike" || st.Status != "published" {
			t.Errorf("after the examples: %+v, %v", st, err)
		}
		// The agency's item is one story, at its second version.
		wire, err := s.db.StoryByWireURI(ctx, "urn:newsml:wire.example:20261203:rates")
		if err != nil || wire.Headline != "Central bank holds rates, signals a cut" || wire.Credit != "Wire Example" ||
			wire.Section.Slug != "business" || !strings.Contains(wire.BodyHTML, "<p>Its governor said") {
			t.Errorf("the ninjs item after the examples: %+v, %v", wire, err)
		}
	})
}

func TestAPITokensAndRoles(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		srv := httptest.NewServer(s)
		defer srv.Close()
		call := func(token, method, path, body string) (int, string) {
			req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		// Tokens are made on the account page, shown once after the
		// redirect (never in its address), stored hashed.
		writer := s.staff(t, "writer@example.com", account.Writer)
		r := writer.post("/account/tokens", "name", "laptop")
		expect(t, r, http.StatusSeeOther, "/account?done=new-token#tokens-heading")
		shown, _, _ := strings.Cut(r.Header.Get("Location"), "#") // browsers keep the fragment to themselves
		r = writer.get(shown)
		token := attr(one(t, r.Doc, "input.story-link"), "value")
		if !strings.HasPrefix(token, "dl_") {
			t.Fatalf("token %q", token)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "private, no-store" {
			t.Errorf("the page showing a token: Cache-Control %q", cc)
		}
		if again := writer.get("/account?done=new-token"); len(findAll(again.Doc, "input.story-link")) != 0 {
			t.Error("the token is shown a second time")
		}
		var n int
		storetest.RawOf(t, s.db).QueryRow(t, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?`, &n, token)
		if n != 0 {
			t.Error("a token is stored in plain text")
		}
		reader := s.browser(t)
		reader.signUp("r@example.com", "R")
		if r := reader.post("/account/tokens", "name", "x"); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("a reader made a token: %d", r.Code)
		}
		// A writer drafts but cannot publish.
		code, body := call(token, "POST", "/api/v1/stories", `{"headline": "Wire copy", "section": "world", "bylines": ["Agency"], "body": "Text."}`)
		if code != http.StatusCreated {
			t.Fatalf("create = %d %s", code, body)
		}
		var created apiStory
		json.Unmarshal([]byte(body), &created)
		if code, _ := call(token, "POST", fmt.Sprintf("/api/v1/stories/%d/publish", created.ID), `{}`); code != http.StatusForbidden {
			t.Errorf("a writer's token published: %d", code)
		}
		for _, tc := range []struct {
			body string
			code int
		}{{`not json`, 400}, {`{"headline": "x"} {"headline": "y"}`, 400}, {`{"headline": "Long", "body": "` + strings.Repeat("x", 600<<10) + `"}`, 413}} {
			if code, _ := call(token, "POST", "/api/v1/stories", tc.body); code != tc.code {
				t.Errorf("body %.20q: %d, want %d", tc.body, code, tc.code)
			}
		}
		// Revoked tokens stop at once.
		page := writer.get("/account")
		form := find(page.Doc, func(nd *html.Node) bool {
			return nd.Data == "form" && strings.HasSuffix(attr(nd, "action"), "/revoke") && strings.HasPrefix(attr(nd, "action"), "/account/tokens/")
		})
		expect(t, writer.post(attr(form[0], "action")), http.StatusSeeOther, "/account?done=token")
		if code, _ := call(token, "GET", "/api/v1/stories", ""); code != http.StatusUnauthorized {
			t.Errorf("a revoked token answered %d", code)
		}
	})
}

func TestNewTokenOpensOnlyForItsSession(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		writer := s.staff(t, "writer@example.com", account.Writer)
		r := writer.post("/account/tokens", "name", "laptop")
		if r.Code != http.StatusSeeOther || strings.Contains(r.Header.Get("Location"), "dl_") {
			t.Fatalf("make a token = %d → %q", r.Code, r.Header.Get("Location"))
		}
		// The same writer on another device, given the sealed token,
		// cannot open it: it is sealed with the first session's secret.
		other := s.browser(t)
		expect(t, other.post("/login", "email", "writer@example.com", "password", goodPassword), http.StatusSeeOther, "/admin")
		other.cookies[flashCookie] = writer.cookies[flashCookie]
		page := other.get("/account?done=new-token")
		if len(findAll(page.Doc, "input.story-link")) != 0 || strings.Contains(page.Body, "dl_") {
			t.Error("another session opened the token")
		}
		if !strings.Contains(text(page.Doc), "shown once") {
			t.Error("no word on where the token went")
		}
	})
}
