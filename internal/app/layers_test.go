package app_test

import (
	gobuild "go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The layers, as docs/architecture.md draws them: requests flow from web
// through the domain packages to the store, and the wiring (app,
// services) sits above them all.
var (
	domain = []string{"account", "billing", "comment", "newsroom", "media", "story", "feed", "mail", "password", "demo", "site", "insight", "audit"}
	wiring = []string{"app", "services"}
)

// forbidden says which of Dateline's packages a package must not import,
// by the last part of their paths under internal/ ("store" stands for
// store and its subpackages).
func forbidden(pkg string) []string {
	switch {
	case pkg == "web":
		// NewSite puts the site on a services.Set, so that production
		// and the web tests build it the same way; everything else in web
		// knows the domain packages only.
		return []string{"store", "app"}
	case slices.Contains(domain, pkg):
		return append([]string{"store", "web"}, wiring...)
	case pkg == "store" || strings.HasPrefix(pkg, "store/"):
		return append([]string{"web"}, wiring...)
	case pkg == "services":
		return []string{"web", "app"}
	case pkg == "clock", pkg == "config", pkg == "dberr", pkg == "field":
		return []string{"store", "web", "app", "services"}
	case pkg == "pagecache":
		// A leaf the web server, the domain and the store all keep things
		// in: it knows none of them.
		return append(append([]string{"store", "web"}, wiring...), domain...)
	}
	return nil
}

// breaks reports whether internal/pkg importing internal/imp goes against
// the layers.
func breaks(pkg, imp string) bool {
	for _, b := range forbidden(pkg) {
		if imp == b || strings.HasPrefix(imp, b+"/") {
			return true
		}
	}
	return false
}

// TestLayers reads the imports of every package under internal/ (test
// files aside) and fails on one that points the wrong way.
func TestLayers(t *testing.T) {
	root := repoRoot(t)
	internal := filepath.Join(root, "internal")
	seen := 0
	err := filepath.WalkDir(internal, func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		p, err := gobuild.Default.ImportDir(dir, 0)
		if err != nil {
			if _, ok := err.(*gobuild.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(internal, dir)
		pkg := filepath.ToSlash(rel)
		if forbidden(pkg) == nil && !slices.Contains(wiring, pkg) && pkg != "web" && !strings.HasSuffix(pkg, "test") {
			t.Errorf("internal/%s has no place in the layers: add it to TestLayers and docs/architecture.md", pkg)
		}
		seen++
		for _, imp := range p.Imports {
			name, ok := strings.CutPrefix(imp, "dateline/internal/")
			if !ok {
				continue
			}
			if breaks(pkg, name) {
				t.Errorf("internal/%s imports %s, against the layers", pkg, imp)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 15 {
		t.Fatalf("read only %d packages under %s", seen, internal)
	}
}

// TestLayersCatchAWrongImport checks the rule table itself: the imports
// the layers forbid are forbidden.
func TestLayersCatchAWrongImport(t *testing.T) {
	for _, tc := range []struct{ pkg, imports string }{
		{"web", "store"}, {"web", "app"}, {"web", "store/storetest"}, {"billing", "store"}, {"comment", "web"}, {"story", "services"},
		{"store", "web"}, {"store/storetest", "web"}, {"services", "web"},
	} {
		if !breaks(tc.pkg, tc.imports) {
			t.Errorf("internal/%s may import internal/%s", tc.pkg, tc.imports)
		}
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}
