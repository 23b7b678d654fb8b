package client

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// A listing gives the same envelopes whether the driver computes the read
// digests (header scans on its workers) or leaves them to the machine.
func TestMaildirListingDigestOptional(t *testing.T) {
	root := filepath.ToSlash(t.TempDir())
	c := New().WithMaildir(maildir.Store{Root: root})
	ctx := context.Background()
	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	files, err := filepath.Glob("../testdata/messages/*.eml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		_, err = c.AddMessage(ctx, "INBOX", bytesReader(b), nil)
		require.NoError(t, err)
	}
	with, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)

	d := NewFileDriver(2)
	digests := 0
	strip := func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		// A driver that keeps the bytes and drops the digests: it ignores
		// DigestOnly (as it may), then forgets every digest it ran.
		for i := range reqs {
			reqs[i].DigestOnly = false
		}
		res := d.Do(ctx, reqs)
		for i := range res {
			if res[i].Digest != nil {
				digests++
			}
			res[i].Digest = nil
		}
		return res
	}
	without, err := coroutine.Run(c.Maildir().Store().ListEnvelopes("INBOX", email.ListOptions{}), strip)
	require.NoError(t, err)
	assert.Equal(t, len(files), digests, "the driver ran one digest per message head")
	assert.Equal(t, with, without)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
