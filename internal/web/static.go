package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves the embedded CSS, JS and icons. Each file's URL carries
// a hash of its content, so browsers may cache it for a year.
type staticFiles struct {
	files map[string]staticFile
}

type staticFile struct {
	body        []byte
	hash        string
	contentType string
}

func loadStatic() (*staticFiles, error) {
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		return nil, err
	}
	sf := &staticFiles{files: make(map[string]staticFile)}
	for _, e := range entries {
		body, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(e.Name(), ".css") {
			body = compactCSS(body)
		}
		sum := sha256.Sum256(body)
		ct := mime.TypeByExtension(path.Ext(e.Name()))
		if ct == "" {
			ct = "application/octet-stream"
		}
		sf.files[e.Name()] = staticFile{body: body, hash: hex.EncodeToString(sum[:6]), contentType: ct}
	}
	return sf, nil
}

// compactCSS drops comments, indentation and blank lines from a
// stylesheet: fewer bytes for every reader, the same rules.
func compactCSS(src []byte) []byte {
	s := string(src)
	var b strings.Builder
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			break
		}
		s = s[i+2+j+2:]
	}
	var out strings.Builder
	for _, line := range strings.Split(b.String(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out.WriteString(line)
			out.WriteByte('\n')
		}
	}
	return []byte(out.String())
}

// URL is the address of a static file, with its content hash.
func (sf *staticFiles) URL(name string) (string, error) {
	f, ok := sf.files[name]
	if !ok {
		return "", fmt.Errorf("static file %q does not exist", name)
	}
	return "/static/" + name + "?v=" + f.hash, nil
}

// Size is the length of a static file in bytes.
func (sf *staticFiles) Size(name string) int { return len(sf.files[name].body) }

func (sf *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := sf.files[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	h.Set("ETag", `"`+f.hash+`"`)
	if match := r.Header.Get("If-None-Match"); match == `"`+f.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(f.body) // a failed write means the reader left; nothing to do
}
