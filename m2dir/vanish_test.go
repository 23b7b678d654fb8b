package m2dir_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// vanishing drives m and removes the file victim right after the first
// batch that lists a directory, as a concurrent delete would.
func vanishing[R any](m coroutine.FileMachine[R], victim string) (R, error) {
	done := false
	return coroutine.Run(m, func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		res := driver.Do(context.Background(), reqs)
		if !done && len(reqs) > 0 && reqs[0].Op == coroutine.FileList {
			done = true
			os.Remove(victim)
		}
		return res
	})
}

func TestVanishedFile(t *testing.T) {
	s := newStore(t)
	run(t, s.CreateMailbox("Other"))
	keep := run(t, s.AddMessage("INBOX", msg("keep", ""), nil))
	gone := run(t, s.AddMessage("INBOX", msg("gone", ""), email.ParseFlags("$seen")))
	path := func() string {
		ents, _ := os.ReadDir(filepath.Join(s.Root, "INBOX"))
		for _, e := range ents {
			if filepath.Ext(e.Name()) != "" && len(e.Name()) > len(gone) && e.Name()[len(e.Name())-len(gone):] == gone {
				return filepath.Join(s.Root, "INBOX", e.Name())
			}
		}
		return ""
	}
	p := path()
	require.NotEmpty(t, p)
	raw, err := os.ReadFile(p)
	require.NoError(t, err)

	_, err = vanishing(s.GetMessage("INBOX", gone), p)
	assert.ErrorIs(t, err, email.ErrNotFound, "a message removed between listing and read")
	require.NoError(t, os.WriteFile(p, raw, 0o600))

	envs, err := vanishing(s.ListEnvelopes("INBOX", email.ListOptions{}), p)
	require.NoError(t, err, "a listing leaves a vanished message out")
	require.Len(t, envs, 1)
	assert.Equal(t, keep, envs[0].ID)
	require.NoError(t, os.WriteFile(p, raw, 0o600))

	_, err = vanishing(s.CopyMessages("INBOX", "Other", []string{keep, gone}), p)
	assert.ErrorIs(t, err, email.ErrNotFound)
	require.NoError(t, os.WriteFile(p, raw, 0o600))

	_, err = vanishing(s.DeleteMessages("INBOX", []string{gone}), p)
	assert.NoError(t, err, "deleting what another process deleted succeeds")
	assert.NoFileExists(t, filepath.Join(s.Root, "INBOX", ".meta", gone+".flags"), "its metadata goes too")
	assert.Len(t, run(t, s.ListEnvelopes("INBOX", email.ListOptions{})), 1, "nothing else lost")
}
