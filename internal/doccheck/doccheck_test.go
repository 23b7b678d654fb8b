package doccheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestModuleDocumented fails on every exported name of the public
// packages without a doc comment.
func TestModuleDocumented(t *testing.T) {
	missing, err := Missing("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("%d exported names without a doc comment:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

// TestMissingFinds checks the checker on a package with one of each
// omission and one of each accepted form of doc.
func TestMissingFinds(t *testing.T) {
	dir := t.TempDir()
	src := `// Package p is documented.
package p

// T is documented; see t.go for more.
type T struct {
	A int // documented by a line comment
	// B is documented above.
	B int
	C int
}

type U interface {
	// M is documented.
	M()
	N()
}

// The group doc covers both.
const (
	X = 1
	Y = 2
)

var Z = 3

func F() {}

// G is documented.
func (T) G() {}

func (T) H() {}

func (u unexported) I() {}

type unexported struct{ J int }
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Missing(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"p.go:12: type U",
		"p.go:15: method U.N",
		"p.go:24: value Z",
		"p.go:26: func F",
		"p.go:31: method T.H",
		"p.go:4: doc names a source file: t.go",
		"p.go:9: field T.C",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Missing =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
