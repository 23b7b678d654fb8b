package client_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
	"github.com/ioemail/ioemail/search"
)

// BenchmarkSearchEnvelopes compares, on a 1,000-message folder of the
// generated corpus, a plain listing with a header-only search (heads read,
// as listing) and a body search (every message read whole).
func BenchmarkSearchEnvelopes(b *testing.B) {
	corpus := genCorpus(1000)
	ctx := context.Background()
	for _, store := range []string{"maildir", "m2dir"} {
		c := client.New()
		if store == "maildir" {
			c.WithMaildir(maildir.Store{Root: filepath.ToSlash(b.TempDir())})
		} else {
			c.WithM2dir(m2dir.Store{Root: filepath.ToSlash(b.TempDir())})
		}
		if err := c.CreateMailbox(ctx, "INBOX"); err != nil {
			b.Fatal(err)
		}
		for _, m := range corpus {
			if _, err := c.AddMessage(ctx, "INBOX", bytes.NewReader(m.raw), m.flags); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(store+"/list", func(b *testing.B) {
			for b.Loop() {
				if _, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{PageSize: 50}); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, q := range []string{"from alice not flag seen", "body invoice", "from alice and body invoice"} {
			query := search.MustParse(q)
			b.Run(store+"/"+q, func(b *testing.B) {
				for b.Loop() {
					if _, err := c.SearchEnvelopes(ctx, "INBOX", query, email.ListOptions{PageSize: 50}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
