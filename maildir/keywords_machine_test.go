package maildir

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

func addFlags(m *memFS, flags ...string) (string, error) {
	return coroutine.Run(testStore().AddMessage("INBOX", []byte(msgN), email.ParseFlags(flags...)), m.do)
}

// A fresh lock held by another writer (Dovecot) stops a keyword change;
// nothing is written and the lock is left alone.
func TestKeywordsLockHeld(t *testing.T) {
	m := fixture()
	m.write("/m/dovecot-uidlist.lock", "")
	m.ftime = map[string]time.Time{"/m/dovecot-uidlist.lock": time.Unix(1700000000-10, 0)}
	_, err := addFlags(m, "Fresh")
	assert.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, m.files, "/m/dovecot-uidlist.lock")
	assert.Equal(t, "0 Work\n", string(m.files["/m/dovecot-keywords"]))
	assert.Len(t, m.messages("/m"), 3)
	// A keyword already in the table is also written under the lock.
	_, err = addFlags(m, "work")
	assert.ErrorIs(t, err, ErrLocked)
	delete(m.files, "/m/dovecot-uidlist.lock")
	id, err := addFlags(m, "work")
	require.NoError(t, err)
	assert.Contains(t, m.files, "/m/cur/"+id+":2,a")
	assert.NotContains(t, m.files, "/m/dovecot-uidlist.lock", "released after the message is in place")
}

// A lock older than two minutes is a crash leftover: it is removed.
func TestKeywordsStaleLock(t *testing.T) {
	m := fixture()
	m.write("/m/dovecot-uidlist.lock", "")
	m.ftime = map[string]time.Time{"/m/dovecot-uidlist.lock": time.Unix(1700000000-600, 0)}
	id, err := addFlags(m, "Fresh")
	require.NoError(t, err)
	assert.Equal(t, "0 Work\n1 Fresh\n", string(m.files["/m/dovecot-keywords"]))
	assert.NotContains(t, m.files, "/m/dovecot-uidlist.lock")
	assert.Contains(t, m.files, "/m/cur/"+id+":2,b")
}

// The 27th keyword of a folder is refused; the lock is released and the
// table unchanged.
func TestKeywordsFull(t *testing.T) {
	m := fixture()
	var table strings.Builder
	for i := range 26 {
		fmt.Fprintf(&table, "%d k%d\n", i, i)
	}
	m.write("/m/dovecot-keywords", table.String())
	_, err := addFlags(m, "one-more")
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	assert.NotContains(t, m.files, "/m/dovecot-uidlist.lock")
	assert.Equal(t, table.String(), string(m.files["/m/dovecot-keywords"]))
	for f := range m.files {
		assert.NotContains(t, f, ".dovecot-keywords.", "no temporary file left")
	}
}

// Keywords that are no IMAP atom are refused before any I/O.
func TestKeywordsRefusedBeforeIO(t *testing.T) {
	m := fixture()
	_, err := addFlags(m, "two words")
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	_, err = coroutine.Run(testStore().StoreFlags("INBOX", []string{"1.a.host"}, email.FlagAdd, email.ParseFlags("bad\r\nkw")), m.do)
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	assert.Zero(t, m.seen[coroutine.FileList]+m.seen[coroutine.FileRead])
}

// Another writer adds a keyword between our read and our lock: the table
// is read again under the lock and both keywords survive.
func TestKeywordsRereadUnderLock(t *testing.T) {
	m := fixture()
	m.before = func(r coroutine.FileRequest) {
		if r.Op == coroutine.FileCreate && r.Path == "/m/dovecot-uidlist.lock" {
			m.files["/m/dovecot-keywords"] = []byte("0 Work\n1 Theirs\n")
		}
	}
	id, err := addFlags(m, "Mine")
	require.NoError(t, err)
	assert.Equal(t, "0 Work\n1 Theirs\n2 Mine\n", string(m.files["/m/dovecot-keywords"]))
	assert.Contains(t, m.files, "/m/cur/"+id+":2,c")
}

// Adding keywords holds dovecot-uidlist.lock until the renamed or
// published message file is in place, as Dovecot does, so a Dovecot sync
// never sees the new letter while the table is changing.
func TestKeywordsLockHeldThroughRename(t *testing.T) {
	m := fixture()
	var renames, underLock int
	m.before = func(r coroutine.FileRequest) {
		if (r.Op == coroutine.FileRename || r.Op == coroutine.FileLink) && strings.Contains(r.Target, "/cur/") {
			renames++
			if _, ok := m.files["/m/dovecot-uidlist.lock"]; ok {
				underLock++
			}
		}
	}
	_, err := coroutine.Run(testStore().StoreFlags("INBOX", []string{"1.a.host", "3.c.host"}, email.FlagAdd, email.ParseFlags("Fresh", "$Forwarded")), m.do)
	require.NoError(t, err)
	_, err = addFlags(m, "Other")
	require.NoError(t, err)
	assert.Equal(t, 3, renames)
	assert.Equal(t, renames, underLock)
	assert.NotContains(t, m.files, "/m/dovecot-uidlist.lock")
	// A failed operation releases it too.
	_, err = coroutine.Run(testStore().StoreFlags("INBOX", []string{"no.such"}, email.FlagAdd, email.ParseFlags("X")), m.do)
	assert.ErrorIs(t, err, email.ErrNotFound)
	assert.NotContains(t, m.files, "/m/dovecot-uidlist.lock")
}

// Dovecot sees a changed dovecot-keywords by its mtime in whole seconds:
// a table last changed in the current second is rewritten only once the
// clock has passed that second.
func TestKeywordsMtimeGrows(t *testing.T) {
	m := fixture()
	now := time.Unix(1700000000, 5000)
	m.ftime = map[string]time.Time{"/m/dovecot-keywords": time.Unix(1700000000, 0)}
	s := testStore()
	ticks := 0
	s.Clock = func() time.Time { return now.Add(time.Duration(ticks) * time.Second) }
	do := func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		if reqs[0].Op == coroutine.FileWatch {
			assert.LessOrEqual(t, reqs[0].Wait, 1100*time.Millisecond)
			ticks++
			return make([]coroutine.FileResult, len(reqs))
		}
		if reqs[0].Op == coroutine.FileCreate && strings.Contains(reqs[0].Path, ".dovecot-keywords.") {
			assert.Equal(t, 1, ticks, "written after the second has passed")
		}
		return m.do(reqs)
	}
	id, err := coroutine.Run(s.AddMessage("INBOX", []byte(msgN), email.ParseFlags("Fresh")), do)
	require.NoError(t, err)
	assert.Equal(t, 1, ticks)
	assert.Contains(t, m.files, "/m/cur/"+id+":2,b")
}
