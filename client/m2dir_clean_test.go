package client_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

// Writes interrupted before they publish (the rename or link into place
// fails, as a crash would stop them) leave temporary files on a real tree;
// CleanTmp removes those older than the age it is given, with the hidden
// directory of an interrupted DeleteMailbox, and nothing else.
func TestM2dirCleanTmp(t *testing.T) {
	ctx := context.Background()
	root := filepath.ToSlash(t.TempDir())
	c := client.New().WithM2dir(m2dir.Store{Root: root})
	for _, name := range []string{"INBOX", "Sent"} {
		require.NoError(t, c.CreateMailbox(ctx, name))
	}
	raw := "From: a@example.org\r\nSubject: kept\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n"
	id, err := c.AddMessage(ctx, "INBOX", strings.NewReader(raw), email.ParseFlags(`\Seen`))
	require.NoError(t, err)

	// Interrupted writes: every publishing step fails.
	store := c.M2dir().Store()
	files := client.NewFileDriver(1)
	crash := func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		for _, r := range reqs {
			if r.Op == coroutine.FileRename || r.Op == coroutine.FileLink {
				out := make([]coroutine.FileResult, len(reqs))
				for i := range out {
					out[i].Err = os.ErrPermission
				}
				return out
			}
		}
		return files.Do(ctx, reqs)
	}
	_, err = coroutine.Run(store.AddMessage("INBOX", []byte(raw), email.ParseFlags(`\Flagged`, "Work")), crash)
	require.Error(t, err)
	_, err = coroutine.Run(store.StoreFlags("INBOX", []string{id}, email.FlagAdd, email.ParseFlags("Later")), crash)
	require.Error(t, err)
	_, err = coroutine.Run(store.DeleteMailbox("Sent"), func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		if reqs[0].Op == coroutine.FileRemoveDir {
			return []coroutine.FileResult{{Err: os.ErrPermission}}
		}
		return files.Do(ctx, reqs)
	})
	require.Error(t, err)
	var temps []string
	for _, pattern := range []string{root + "/INBOX/" + m2dir.TempPrefix + "*", root + "/INBOX/.meta/" + m2dir.TempPrefix + "*", root + "/.Sent.deleting-*"} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		temps = append(temps, m...)
	}
	require.Len(t, temps, 4, "message and flags temp files of the add, flags temp file of the store, hidden folder: %v", temps)
	// Sent is gone for readers, but its leftover is cleaned through its name.
	// A young temp file (a write in flight) and foreign dot files stay.
	young := root + "/INBOX/" + m2dir.TempPrefix + "inflight"
	require.NoError(t, os.WriteFile(young, []byte("x"), 0o600))
	other := root + "/INBOX/.other"
	require.NoError(t, os.WriteFile(other, []byte("x"), 0o600))

	n, err := c.M2dir().CleanTmp(ctx, "INBOX", time.Hour)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing is an hour old yet")
	old := time.Now().Add(-2 * time.Hour)
	msgs, err := filepath.Glob(root + "/INBOX/*" + id + "*")
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	for _, p := range append(append(temps, other), msgs...) {
		require.NoError(t, os.Chtimes(p, old, old))
	}
	n, err = c.M2dir().CleanTmp(ctx, "INBOX", time.Hour)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	n, err = c.M2dir().CleanTmp(ctx, "Sent", time.Hour)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	for _, p := range temps {
		assert.NoFileExists(t, p)
		assert.NoDirExists(t, p)
	}
	assert.FileExists(t, young)
	assert.FileExists(t, other)
	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Equal(t, id, envs[0].ID)
}
