package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/ioemail/ioemail/bench/internal/gen"
)

// ensureMaildir makes dir a Maildir of n generated messages, or reuses it
// when it already is one (see gen.Ensure).
func ensureMaildir(dir string, n int) error {
	return gen.Ensure(dir, n, func() error {
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
				return err
			}
		}
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		var buf bytes.Buffer
		base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).Unix()
		for i := range n {
			buf.Reset()
			gen.WriteMessage(&buf, rng, i)
			sub, info := "cur", ":2,"+flagSets[rng.IntN(len(flagSets))]
			if i%20 == 0 {
				sub, info = "new", "" // one in twenty not yet seen by a client
			}
			name := fmt.Sprintf("%d.M%06dP%dQ%d.bench,S=%d%s", base-int64(i)*37, i%1000000, 4242, i, buf.Len(), info)
			if err := os.WriteFile(filepath.Join(dir, sub, name), buf.Bytes(), 0o600); err != nil {
				return err
			}
		}
		return nil
	})
}

var flagSets = []string{"S", "S", "S", "RS", "FS", "", "S", "PS", "S", "DS"}
