package m2dir

import (
	"testing"
)

// TestBatchPathsJoin checks that batchPaths gives what path.Join does for
// a folder's directory and listed names.
func TestBatchPathsJoin(t *testing.T) {
	var p batchPaths
	for _, root := range []string{"/store", "rel", "", "/"} {
		f, err := Store{Root: root}.folder("INBOX/Sub")
		if err != nil {
			t.Fatal(err)
		}
		names := []string{"2025-01-01_x,AAAAAPUTzp1_diVN.abc", "b,AAAAAPUTzp1_diVN"}
		p.reset(0)
		for _, n := range names {
			p.add(f.dir, "", n, "")
			p.add(f.dir, MetaDir+"/", n, FlagsSuffix)
		}
		p.finish()
		for i, n := range names {
			if got, want := p.path(2*i), f.file(n); got != want {
				t.Errorf("root %q: path %q, want %q", root, got, want)
			}
			if got, want := p.path(2*i+1), f.flagsFile(n); got != want {
				t.Errorf("root %q: flags path %q, want %q", root, got, want)
			}
		}
	}
}
