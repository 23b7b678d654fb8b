package maildir

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Folders another program made (names Dovecot creates or lists) are
// listed, reported by DiffMailboxes and usable; only cur, new and tmp are
// the maildir's own directories.
func TestForeignFolderNamesFS(t *testing.T) {
	m := newMemFS()
	m.maildir("/m")
	s := testStore()
	s.Layout = LayoutFS
	base, err := coroutine.Run(s.DiffMailboxes(nil), m.do)
	require.NoError(t, err)
	for _, d := range []string{"New", "Tmp", "CUR", "Archive/Tmp", "~x", ".Hidden", `a\b`} {
		m.maildir("/m/" + d)
	}
	m.mkdirAll("/m/Archive/cur/stray") // inside a maildir's cur: not a folder
	want := []string{"INBOX", ".Hidden", "Archive/Tmp", "CUR", "New", "Tmp", `a\b`, "~x"}
	assert.Equal(t, want, listNames(t, s, m))

	diff, err := coroutine.Run(s.DiffMailboxes(base.State), m.do)
	require.NoError(t, err)
	assert.ElementsMatch(t, want[1:], diff.Created)

	for _, name := range want[1:] {
		id, err := coroutine.Run(s.AddMessage(name, []byte(msgA), email.ParseFlags(`\Seen`)), m.do)
		require.NoError(t, err, name)
		envs, err := coroutine.Run(s.ListEnvelopes(name, email.ListOptions{}), m.do)
		require.NoError(t, err, name)
		require.Len(t, envs, 1, name)
		assert.Equal(t, id, envs[0].ID, name)
	}
	// The message added to "New" is in New/cur, not in INBOX's new/.
	assert.Len(t, m.messages("/m/New"), 1)
	assert.Empty(t, m.messages("/m"))

	// New folders of the same shapes can be created (those Dovecot creates).
	for _, name := range []string{"Drafts/New", "Tmp/Cur"} {
		_, err := coroutine.Run(s.CreateMailbox(name), m.do)
		require.NoError(t, err, name)
	}
	assert.Contains(t, listNames(t, s, m), "Tmp/Cur")
}

// In Maildir++ every ".name" folder whose name maps to levels is listed,
// including names CreateMailbox would refuse.
func TestForeignFolderNamesPP(t *testing.T) {
	m := newMemFS()
	m.maildir("/m")
	for _, d := range []string{".New", ".~y", ".A.B", `.a\b`} {
		m.maildir("/m/" + d)
	}
	assert.Equal(t, []string{"INBOX", "A/B", "New", `a\b`, "~y"}, listNames(t, testStore(), m))
}

// On a case-insensitive file system "New" is INBOX's new/: CreateMailbox
// notices that the directory does not exist under its own spelling and
// makes nothing inside it.
func TestCreateMailboxCaseInsensitive(t *testing.T) {
	m := newMemFS()
	m.maildir("/m")
	fold := func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		for i := range reqs {
			reqs[i].Path = strings.Replace(reqs[i].Path, "/m/New", "/m/new", 1)
		}
		return m.do(reqs)
	}
	s := testStore()
	s.Layout = LayoutFS
	_, err := coroutine.Run(s.CreateMailbox("New"), fold)
	assert.ErrorIs(t, err, email.ErrInvalidName)
	assert.False(t, m.exists("/m/new/cur"))
	assert.False(t, m.exists("/m/new/tmp"))
}

func listNames(t *testing.T, s Store, m *memFS) []string {
	t.Helper()
	boxes, err := coroutine.Run(s.ListMailboxes(email.ListMailboxesOptions{}), m.do)
	require.NoError(t, err)
	var names []string
	for _, b := range boxes {
		names = append(names, b.ID)
	}
	return names
}
