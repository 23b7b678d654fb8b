// Package doccheck finds exported names of the module's public packages
// that have no doc comment: types, functions, methods, constants,
// variables, struct fields and interface methods. Its test runs the check
// over the module, so that `go test ./...` fails when a name is added
// without a doc.
package doccheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// sourceFile matches a Go file name in a doc comment ("see list.go:40"):
// docs point at names, which go doc can show, never at source files.
var sourceFile = regexp.MustCompile(`[A-Za-z0-9_]+\.go\b`)

// Missing returns "file:line: name" for every exported name without a doc
// comment, and for every doc comment that names a source file, in the
// non-test Go files of the packages under root, skipping
// directories named internal, testdata, examples and bench, and hidden
// ones. A field or a constant counts as documented by its own comment, a
// trailing line comment, or the doc of its group (a const or var block,
// or a field list entry naming several fields).
func Missing(root string) ([]string, error) {
	var out []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "internal" || name == "testdata" || name == "examples" || name == "bench" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		report := func(pos token.Pos, what string) {
			out = append(out, fmt.Sprintf("%s:%d: %s", filepath.ToSlash(rel), fset.Position(pos).Line, what))
		}
		checkFile(f, report)
		return nil
	})
	sort.Strings(out)
	return out, err
}

func checkFile(f *ast.File, report func(token.Pos, string)) {
	// Every comment group attached as a doc, package doc included.
	ast.Inspect(f, func(n ast.Node) bool {
		var doc *ast.CommentGroup
		switch n := n.(type) {
		case *ast.File:
			doc = n.Doc
		case *ast.FuncDecl:
			doc = n.Doc
		case *ast.GenDecl:
			doc = n.Doc
		case *ast.TypeSpec:
			doc = n.Doc
		case *ast.ValueSpec:
			doc = n.Doc
		case *ast.Field:
			doc = n.Doc
		}
		if doc != nil && sourceFile.MatchString(doc.Text()) {
			report(doc.Pos(), "doc names a source file: "+sourceFile.FindString(doc.Text()))
		}
		return true
	})
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || d.Doc != nil {
				continue
			}
			if d.Recv != nil {
				recv := recvName(d.Recv.List[0].Type)
				if !ast.IsExported(recv) {
					continue
				}
				report(d.Pos(), "method "+recv+"."+d.Name.Name)
				continue
			}
			report(d.Pos(), "func "+d.Name.Name)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					if s.Doc == nil && d.Doc == nil {
						report(s.Pos(), "type "+s.Name.Name)
					}
					checkType(s.Name.Name, s.Type, report)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() && s.Doc == nil && s.Comment == nil && d.Doc == nil {
							report(n.Pos(), "value "+n.Name)
						}
					}
				}
			}
		}
	}
}

// checkType reports the undocumented exported fields of a struct type and
// methods of an interface type, nested ones included.
func checkType(owner string, t ast.Expr, report func(token.Pos, string)) {
	switch t := t.(type) {
	case *ast.StructType:
		for _, fl := range t.Fields.List {
			for _, n := range fl.Names {
				if n.IsExported() && fl.Doc == nil && fl.Comment == nil {
					report(n.Pos(), "field "+owner+"."+n.Name)
				}
			}
			if len(fl.Names) == 1 {
				checkType(owner+"."+fl.Names[0].Name, fl.Type, report)
			}
		}
	case *ast.InterfaceType:
		for _, m := range t.Methods.List {
			for _, n := range m.Names {
				if n.IsExported() && m.Doc == nil && m.Comment == nil {
					report(n.Pos(), "method "+owner+"."+n.Name)
				}
			}
		}
	}
}

// recvName returns the type name of a method receiver.
func recvName(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}
