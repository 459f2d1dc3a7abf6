// Command floor is the yardstick of the load tests: a minimal net/http
// server that answers each page under test with the exact bytes and
// Content-Type captured from Dateline, from memory. What it manages on a
// machine is the practical limit of a Go server there; Dateline's figures
// are reported as a fraction of it.
//
// Pages are given as a manifest, one page a line:
//
//	/path<TAB>content-type<TAB>file-with-the-body
//
//	floor --addr 127.0.0.1:18081 --pages pages.tsv
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// page is one captured response.
type page struct {
	contentType string
	body        []byte
	length      string
}

// handler serves the captured pages and 404 for anything else.
type handler struct {
	pages map[string]*page
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := h.pages[r.URL.Path]
	if !ok {
		if r.URL.Path == "/healthz" {
			w.WriteHeader(http.StatusOK)
			return
		}
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr["Content-Type"] = []string{p.contentType}
	hdr["Content-Length"] = []string{p.length}
	_, _ = w.Write(p.body) // the client may have gone; nothing to do for it
}

// load reads a manifest; body files are relative to the manifest's folder.
func load(manifest string) (map[string]*page, error) {
	f, err := os.Open(manifest) // #nosec G304 -- the manifest is the path the operator gives with --pages.
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pages := map[string]*page{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) != 3 {
			return nil, fmt.Errorf("%s:%d: want path, content type and file separated by tabs", manifest, n)
		}
		file := parts[2]
		if !filepath.IsAbs(file) {
			file = filepath.Join(filepath.Dir(manifest), file)
		}
		// #nosec G304 -- body files are the ones the operator's own manifest lists.
		body, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", manifest, n, err)
		}
		pages[parts[0]] = &page{contentType: parts[1], body: body, length: strconv.Itoa(len(body))}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, errors.New(manifest + " lists no pages")
	}
	return pages, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	manifest := flag.String("pages", "", "manifest of the pages to serve (path, content type, body file)")
	flag.Parse()
	pages, err := load(*manifest)
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	srv := &http.Server{Addr: *addr, Handler: &handler{pages: pages}, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}
