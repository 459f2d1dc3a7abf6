package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves the embedded CSS, JS and icons. Each file's URL carries
// a hash of its content in its name (site.<hash>.css), so browsers and
// CDNs may keep it for a year; text files are compressed once, at start.
type staticFiles struct {
	files  map[string]*staticFile
	hashed map[string]*staticFile // by the name with the hash
}

type staticFile struct {
	name        string
	body        []byte
	gz, br      []byte // nil for files that do not compress
	hash        string
	contentType string
}

// hashedName puts the hash before the extension: site.css becomes
// site.<hash>.css.
func (f *staticFile) hashedName() string {
	ext := path.Ext(f.name)
	return strings.TrimSuffix(f.name, ext) + "." + f.hash + ext
}

func loadStatic() (*staticFiles, error) {
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	sf := &staticFiles{files: make(map[string]*staticFile), hashed: make(map[string]*staticFile)}
	for _, e := range entries {
		body, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("web: static file %s: %w", e.Name(), err)
		}
		if strings.HasSuffix(e.Name(), ".css") {
			// Readers get the stylesheet without the newsroom's parts;
			// the newsroom's pages get all of it, under a name of its own.
			whole := compactCSS(body)
			reader, err := readerCSS(body)
			if err != nil {
				return nil, fmt.Errorf("web: static file %s: %w", e.Name(), err)
			}
			body = compactCSS(reader)
			if e.Name() == "site.css" {
				if err := sf.add(adminCSS, whole); err != nil {
					return nil, err
				}
			}
		}
		if err := sf.add(e.Name(), body); err != nil {
			return nil, err
		}
	}
	return sf, nil
}

// adminCSS is the name the newsroom's pages load the whole stylesheet by:
// site.css with its admin-only sections.
const adminCSS = "site-admin.css"

// The lines that open and close a section of site.css that only the
// newsroom's pages need.
const (
	adminOnlyStart = "/* admin-only { */"
	adminOnlyEnd   = "/* } admin-only */"
)

// readerCSS is a stylesheet without its admin-only sections: what every
// reader's page carries. A section left open is an error.
func readerCSS(src []byte) ([]byte, error) {
	s := string(src)
	var b strings.Builder
	for {
		i := strings.Index(s, adminOnlyStart)
		if i < 0 {
			if strings.Contains(s, adminOnlyEnd) {
				return nil, fmt.Errorf("%q without %q before it", adminOnlyEnd, adminOnlyStart)
			}
			b.WriteString(s)
			return []byte(b.String()), nil
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i:], adminOnlyEnd)
		if j < 0 {
			return nil, fmt.Errorf("%q without %q after it", adminOnlyStart, adminOnlyEnd)
		}
		if strings.Contains(s[i+len(adminOnlyStart):i+j], adminOnlyStart) {
			return nil, fmt.Errorf("%q inside another admin-only section", adminOnlyStart)
		}
		s = s[i+j+len(adminOnlyEnd):]
	}
}

// add keeps a static file under name, hashed and, if it is text,
// compressed.
func (sf *staticFiles) add(name string, body []byte) error {
	sum := sha256.Sum256(body)
	ct := mime.TypeByExtension(path.Ext(name))
	switch {
	case path.Ext(name) == ".ico":
		ct = "image/x-icon"
	case ct == "":
		ct = "application/octet-stream"
	}
	f := &staticFile{name: name, body: body, hash: hex.EncodeToString(sum[:6]), contentType: ct}
	if compressible(ct) {
		var err error
		if f.gz, err = gzipBest(body); err != nil {
			return fmt.Errorf("web: static file %s: %w", name, err)
		}
		if f.br, err = brotliBest(body); err != nil {
			return fmt.Errorf("web: static file %s: %w", name, err)
		}
	}
	sf.files[f.name] = f
	sf.hashed[f.hashedName()] = f
	return nil
}

// compressible reports whether files of a content type are text, which
// gzip and brotli shrink; images are compressed already.
func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.Contains(contentType, "javascript") ||
		strings.HasPrefix(contentType, "image/svg+xml")
}

func gzipBest(body []byte) ([]byte, error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if _, err := zw.Write(body); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return b.Bytes(), nil
}

func brotliBest(body []byte) ([]byte, error) {
	var b bytes.Buffer
	bw := brotli.NewWriterLevel(&b, brotli.BestCompression)
	if _, err := bw.Write(body); err != nil {
		return nil, fmt.Errorf("brotli: %w", err)
	}
	if err := bw.Close(); err != nil {
		return nil, fmt.Errorf("brotli: %w", err)
	}
	return b.Bytes(), nil
}

// compactCSS drops comments, indentation, blank lines and the spaces
// around punctuation from a stylesheet: fewer bytes for every reader, the
// same rules.
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
			out.WriteString(tightCSS(line))
			out.WriteByte('\n')
		}
	}
	return []byte(out.String())
}

// tightCSS drops the spaces of a line of CSS that mean nothing: after
// "{};:," and before "{};,", outside quoted strings. A space before ":"
// stays, since in a selector it means "a descendant" (".a :hover").
func tightCSS(line string) string {
	var b strings.Builder
	var quote rune
	for i, c := range line {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == ' ':
			prev, next := lastByte(b.String()), byte(0)
			if i+1 < len(line) {
				next = line[i+1]
			}
			if strings.IndexByte("{};:,", prev) >= 0 || strings.IndexByte("{};, ", next) >= 0 {
				continue
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

// lastByte is the last byte of s; 0 when s is empty.
func lastByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[len(s)-1]
}

// URL is the address of a static file, with its content hash in its
// name.
func (sf *staticFiles) URL(name string) (string, error) {
	f, ok := sf.files[name]
	if !ok {
		return "", fmt.Errorf("static file %q does not exist", name)
	}
	return "/static/" + f.hashedName(), nil
}

// Size is the length of a static file in bytes.
func (sf *staticFiles) Size(name string) int {
	if f, ok := sf.files[name]; ok {
		return len(f.body)
	}
	return 0
}

// ServeHTTP serves /static/{file}. A name with the current hash is kept
// for a year; the plain name, and an old hash in the query as pages
// once linked, are kept for minutes, since they change with the file.
func (sf *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if f, ok := sf.hashed[name]; ok {
		f.serve(w, r, "public, max-age=31536000, immutable")
		return
	}
	f, ok := sf.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") == f.hash {
		f.serve(w, r, "public, max-age=31536000, immutable")
		return
	}
	f.serve(w, r, "public, max-age=300")
}

// favicon serves /favicon.ico, which browsers ask for by that name.
func (sf *staticFiles) favicon(w http.ResponseWriter, r *http.Request) {
	f, ok := sf.files["favicon.ico"]
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.serve(w, r, "public, max-age=86400")
}

// serve writes f, compressed as the request accepts, or answers 304
// when the browser's copy is current.
func (f *staticFile) serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	enc, body := "", f.body
	if f.gz != nil {
		switch enc = preferredEncoding(r.Header.Get("Accept-Encoding")); enc {
		case "br":
			body = f.br
		case "gzip":
			body = f.gz
		}
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", cacheControl)
	etag := f.hash
	if f.gz != nil {
		h.Set("Vary", "Accept-Encoding")
		if enc != "" {
			etag += "-" + enc // each representation has an ETag of its own
		}
	}
	h.Set("ETag", `"`+etag+`"`)
	if sameFile(r.Header.Get("If-None-Match"), f.hash) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if enc != "" {
		h.Set("Content-Encoding", enc)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body) // a failed write means the reader left; nothing to do
}

// sameFile reports whether an If-None-Match header names any
// representation of the file with hash.
func sameFile(inm, hash string) bool {
	for _, tag := range strings.Split(inm, ",") {
		tag = strings.Trim(strings.TrimPrefix(strings.TrimSpace(tag), "W/"), `"`)
		if tag == "*" || strings.TrimSuffix(strings.TrimSuffix(tag, "-gzip"), "-br") == hash {
			return true
		}
	}
	return false
}
