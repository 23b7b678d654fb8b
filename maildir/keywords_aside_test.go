package maildir

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// A dovecot-keywords line whose name is not an IMAP atom is no flag: the
// message keeps its letter, can still be re-flagged, copied and moved, the
// line survives a rewrite and its letter is never given to a new keyword.
func TestKeywordsAside(t *testing.T) {
	const table = "0 x\x1b[2Jy\n1 cr\r\r\n2 Work\n"
	m := newMemFS()
	m.maildir("/m")
	m.maildir("/m/.Archive")
	m.write("/m/dovecot-keywords", table)
	m.write("/m/cur/1.a.host:2,abc", msgA)
	s := testStore()
	envs, err := coroutine.Run(s.ListEnvelopes("INBOX", email.ListOptions{}), m.do)
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Equal(t, email.ParseFlags("Work"), envs[0].Flags)

	_, err = coroutine.Run(s.StoreFlags("INBOX", []string{"1.a.host"}, email.FlagAdd, email.ParseFlags("New", `\Seen`)), m.do)
	require.NoError(t, err)
	assert.Contains(t, m.files, "/m/cur/1.a.host:2,Sabcd", "letters a and b kept, New gets d")
	kw := string(m.files["/m/dovecot-keywords"])
	assert.Contains(t, kw, "0 x\x1b[2Jy\n")
	assert.Contains(t, kw, "1 cr\r\r\n")
	assert.Contains(t, kw, "3 New\n")

	ids, err := coroutine.Run(s.CopyMessages("INBOX", "Archive", []string{"1.a.host"}), m.do)
	require.NoError(t, err)
	got, err := coroutine.Run(s.ListEnvelopes("Archive", email.ListOptions{}), m.do)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, ids[0], got[0].ID)
	assert.Equal(t, email.ParseFlags("Work", "New", `\Seen`), got[0].Flags)

	moved, err := coroutine.Run(s.MoveMessages("INBOX", "Archive", []string{"1.a.host"}), m.do)
	require.NoError(t, err)
	got, err = coroutine.Run(s.ListEnvelopes("Archive", email.ListOptions{}), m.do)
	require.NoError(t, err)
	require.Len(t, got, 2)
	for _, e := range got {
		assert.Equal(t, email.ParseFlags("Work", "New", `\Seen`), e.Flags, e.ID)
	}
	assert.Contains(t, []string{got[0].ID, got[1].ID}, moved[0])
	assert.Empty(t, m.messages("/m"))
}

// $Forwarded is written as P (mblaze, mbsync) and as a keyword letter
// (Dovecot ignores P); either alone reads as the flag, and removing it
// removes both.
func TestForwardedBothSpellings(t *testing.T) {
	m := newMemFS()
	m.maildir("/m")
	m.write("/m/cur/1.a.host:2,S", msgA)
	m.write("/m/cur/2.b.host:2,a", msgB) // Dovecot's spelling
	m.write("/m/cur/3.c.host:2,P", msgC) // mblaze's spelling
	m.write("/m/dovecot-keywords", "0 $Forwarded\n")
	s := testStore()
	envs, err := coroutine.Run(s.ListEnvelopes("INBOX", email.ListOptions{}), m.do)
	require.NoError(t, err)
	fw := map[string]bool{}
	for _, e := range envs {
		fw[e.ID] = e.Flags.Has(email.FlagForwarded)
	}
	assert.Equal(t, map[string]bool{"1.a.host": false, "2.b.host": true, "3.c.host": true}, fw)

	_, err = coroutine.Run(s.StoreFlags("INBOX", []string{"1.a.host"}, email.FlagAdd, email.ParseFlags("$Forwarded")), m.do)
	require.NoError(t, err)
	assert.Contains(t, m.files, "/m/cur/1.a.host:2,PSa")
	_, err = coroutine.Run(s.StoreFlags("INBOX", []string{"2.b.host", "3.c.host"}, email.FlagRemove, email.ParseFlags("$Forwarded")), m.do)
	require.NoError(t, err)
	assert.Contains(t, m.files, "/m/cur/2.b.host:2,")
	assert.Contains(t, m.files, "/m/cur/3.c.host:2,")

	// A new folder gets its dovecot-keywords line.
	id, err := coroutine.Run(s.AddMessage("INBOX", []byte(msgN), email.ParseFlags(`\Forwarded`)), m.do)
	require.NoError(t, err)
	assert.Contains(t, m.files, "/m/cur/"+id+":2,Pa")

	// With all 26 letters taken, P alone carries it.
	full := newMemFS()
	full.maildir("/m")
	table := ""
	for i := range 26 {
		table += strconv.Itoa(i) + " k" + strconv.Itoa(i) + "\n"
	}
	full.write("/m/dovecot-keywords", table)
	id, err = coroutine.Run(s.AddMessage("INBOX", []byte(msgN), email.ParseFlags("$Forwarded")), full.do)
	require.NoError(t, err)
	assert.Contains(t, full.files, "/m/cur/"+id+":2,P")
}
