package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSettingKeysAreSpelledOnce checks that each settings key is spelled
// in one package only: the domain package that reads and saves it. A key
// is any constant a package passes to SettingValues or SaveSettingValues.
func TestSettingKeysAreSpelledOnce(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	files := map[string][]*ast.File{} // directory → its non-test files
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files[filepath.Dir(path)] = append(files[filepath.Dir(path)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{} // key → the package that owns it
	for dir, fs := range files {
		consts := map[string]string{}
		for _, f := range fs {
			ast.Inspect(f, func(n ast.Node) bool {
				if v, ok := n.(*ast.ValueSpec); ok {
					for i, name := range v.Names {
						if i < len(v.Values) {
							if lit, ok := v.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								consts[name.Name], _ = strconv.Unquote(lit.Value)
							}
						}
					}
				}
				return true
			})
		}
		for _, f := range fs {
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "SettingValues" && sel.Sel.Name != "SaveSettingValues") {
					return true
				}
				for _, arg := range call.Args {
					ast.Inspect(arg, func(n ast.Node) bool {
						if id, ok := n.(*ast.Ident); ok {
							if v, ok := consts[id.Name]; ok {
								keys[v] = dir
							}
						}
						return true
					})
				}
				return true
			})
		}
	}
	if len(keys) < 10 {
		t.Fatalf("found only %d settings keys: %v", len(keys), keys)
	}
	for dir, fs := range files {
		for _, f := range fs {
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				v, _ := strconv.Unquote(lit.Value)
				if owner, ok := keys[v]; ok && owner != dir {
					t.Errorf("%s spells the settings key %q, which %s owns", fset.Position(lit.Pos()), v, owner)
				}
				return true
			})
		}
	}
}
