package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

func TestReplayShippedScript(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, replay(&out, "../../testdata/replay/maildir_list_envelopes.json"))
	assert.Contains(t, out.String(), "3 envelope(s) in INBOX")
}

func TestRecordThenReplay(t *testing.T) {
	root := t.TempDir()
	c := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(root)})
	ctx := context.Background()
	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	for _, subj := range []string{"one", "two"} {
		_, err := c.AddMessage(ctx, "INBOX", strings.NewReader("Subject: "+subj+"\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n"), email.Flags{email.FlagSeen})
		require.NoError(t, err)
	}
	script := filepath.Join(t.TempDir(), "s.json")
	require.NoError(t, recordScript(root, script))

	// The disk is gone; the script still answers every request.
	require.NoError(t, os.RemoveAll(root))
	var out bytes.Buffer
	require.NoError(t, replay(&out, script))
	assert.Contains(t, out.String(), "2 envelope(s)")
	assert.Contains(t, out.String(), "one")
	assert.Contains(t, out.String(), `[\Seen]`)
}
