// Package treetest holds test helpers for trees of mail files.
package treetest

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Age sets the modification time of every file and directory under root
// an hour back. A test that checks a change is seen by its modification
// time ages the tree before taking its baseline: the change then stamps a
// time that differs from the baseline's, however coarse the file
// system's clock, with no sleep.
func Age(t testing.TB, root string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
}
