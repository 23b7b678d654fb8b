package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/ioemail/ioemail/bench/internal/gen"
	"github.com/ioemail/ioemail/m2dir"
)

// ensureStore makes dir an m2store whose INBOX holds n generated messages
// (the same generator as bench/maildir), with a flags file for four in
// five of them, written directly (no fsync) to be quick; or reuses it.
func ensureStore(dir string, n int) error {
	return gen.Ensure(dir, n, func() error {
		inbox := filepath.Join(dir, "INBOX")
		if err := os.MkdirAll(filepath.Join(inbox, m2dir.MetaDir), 0o700); err != nil {
			return err
		}
		for _, p := range []string{filepath.Join(dir, m2dir.StoreMarker), filepath.Join(inbox, m2dir.FolderMarker)} {
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				return err
			}
		}
		rng := rand.New(rand.NewPCG(2, uint64(n)))
		var buf bytes.Buffer
		nonce := make([]byte, 6)
		for i := range n {
			buf.Reset()
			gen.WriteMessage(&buf, rng, i)
			for k := range nonce {
				nonce[k] = byte(rng.Uint32())
			}
			id := m2dir.Checksum(buf.Bytes()) + "." + base64.RawURLEncoding.EncodeToString(nonce)
			name := fmt.Sprintf("2025-06-01_%06d_bench@example.org,%s", i, id)
			if err := os.WriteFile(filepath.Join(inbox, name), buf.Bytes(), 0o600); err != nil {
				return err
			}
			if fl := flagSets[rng.IntN(len(flagSets))]; fl != "" {
				if err := os.WriteFile(filepath.Join(inbox, m2dir.MetaDir, id+m2dir.FlagsSuffix), []byte(fl), 0o600); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

var flagSets = []string{"$seen\n", "$seen\n", "$seen\n", "$seen\n$answered\n", "$seen\n$flagged\n", "", "$seen\n", "$seen\n$Forwarded\n", "$seen\nWork\n", "$draft\n"}
