package m2dir_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

func TestCreateAndListMailboxes(t *testing.T) {
	s := newStore(t)
	assert.FileExists(t, filepath.Join(s.Root, ".m2store"))
	assert.FileExists(t, filepath.Join(s.Root, "INBOX", ".m2dir"))
	assert.DirExists(t, filepath.Join(s.Root, "INBOX", ".meta"))
	for _, n := range []string{"Sent", "Lists/Go", ".dot", "INBOX/Sub", "Entwürfe", "100%"} {
		run(t, s.CreateMailbox(n))
	}
	assert.DirExists(t, filepath.Join(s.Root, "%2Edot"), "a leading dot is encoded")
	assert.DirExists(t, filepath.Join(s.Root, "100%25"))
	_, err := try(s.CreateMailbox("Sent"))
	assert.ErrorIs(t, err, email.ErrExists)
	_, err = try(s.CreateMailbox("a/../b"))
	assert.ErrorIs(t, err, email.ErrInvalidName)

	// Foreign noise: a hidden folder, a directory without a marker, a file.
	require.NoError(t, os.MkdirAll(filepath.Join(s.Root, ".hidden"), 0o700))
	write(t, filepath.Join(s.Root, ".hidden", ".m2dir"), "")
	require.NoError(t, os.MkdirAll(filepath.Join(s.Root, "plain"), 0o700))
	write(t, filepath.Join(s.Root, "stray-file"), "x")

	boxes := run(t, s.ListMailboxes(email.ListMailboxesOptions{}))
	var names []string
	for _, b := range boxes {
		names = append(names, b.Name)
		assert.Equal(t, b.Name, b.ID)
		assert.Nil(t, b.Total)
	}
	assert.Equal(t, []string{"INBOX", "INBOX/Sub", ".dot", "100%", "Entwürfe", "Lists/Go", "Sent"}, names, "INBOX first, then byte order")
	assert.Equal(t, email.RoleInbox, boxes[0].Role)
}

func TestListMailboxesNeedsMarker(t *testing.T) {
	s := m2dir.Store{Root: filepath.ToSlash(t.TempDir())}
	_, err := try(s.ListMailboxes(email.ListMailboxesOptions{}))
	assert.ErrorIs(t, err, m2dir.ErrNotStore)
	assert.ErrorIs(t, err, email.ErrNotFound)
}

func TestListMailboxesCounts(t *testing.T) {
	s := newStore(t)
	run(t, s.CreateMailbox("Sent"))
	for i, fl := range []email.Flags{nil, email.ParseFlags(`\Seen`), email.ParseFlags("$seen", "Work"), email.ParseFlags(`\Flagged`)} {
		run(t, s.AddMessage("INBOX", msg("m"+string(rune('a'+i)), "Mon, 1 Jan 2024 10:00:00 +0000"), fl))
	}
	boxes := run(t, s.ListMailboxes(email.ListMailboxesOptions{WithCounts: true}))
	require.Len(t, boxes, 2)
	assert.Equal(t, 4, *boxes[0].Total)
	assert.Equal(t, 2, *boxes[0].Unread)
	assert.Equal(t, 0, *boxes[1].Total)
	assert.Equal(t, 0, *boxes[1].Unread)
}

func TestAddGetList(t *testing.T) {
	s := newStore(t)
	raw := msg("hello", "Tue, 2 Jan 2024 10:00:00 +0100")
	id := run(t, s.AddMessage("INBOX", raw, email.ParseFlags(`\Seen`, "Work")))
	sum, nonce, ok := m2dir.ParseID(id)
	require.True(t, ok)
	assert.Equal(t, m2dir.Checksum(raw), sum)
	assert.Len(t, nonce, 8)

	ents, err := os.ReadDir(filepath.Join(s.Root, "INBOX"))
	require.NoError(t, err)
	var files []string
	for _, e := range ents {
		files = append(files, e.Name())
	}
	assert.Contains(t, files, "2024-01-02_090000_alice@example.org,"+id, "human part: UTC date and sender")
	flags, err := os.ReadFile(filepath.Join(s.Root, "INBOX", ".meta", id+".flags"))
	require.NoError(t, err)
	assert.Equal(t, "$seen\nWork\n", string(flags))
	for _, f := range files {
		assert.False(t, strings.HasPrefix(f, ".m2dir.tmp"), "no temp file left: %s", f)
	}

	got := run(t, s.GetMessage("inbox", id))
	assert.Equal(t, raw, got)

	envs := run(t, s.ListEnvelopes("INBOX", email.ListOptions{}))
	require.Len(t, envs, 1)
	e := envs[0]
	assert.Equal(t, id, e.ID)
	assert.Equal(t, "hello", e.Subject)
	assert.Equal(t, "hello@example.org", e.MessageID)
	assert.Equal(t, int64(len(raw)), e.Size)
	assert.Equal(t, []string{"$seen", "Work"}, e.Flags.Raw())
	assert.True(t, e.Flags.HasIANA(email.Seen))
	require.Len(t, e.From, 1)
	assert.Equal(t, "alice@example.org", e.From[0].Email)
	_, off := e.Date.Zone()
	assert.Equal(t, 3600, off)

	// The same message again is a second message with its own id.
	id2 := run(t, s.AddMessage("INBOX", raw, nil))
	assert.NotEqual(t, id, id2)
	assert.Equal(t, id[:16], id2[:16])
	_, err = os.Stat(filepath.Join(s.Root, "INBOX", ".meta", id2+".flags"))
	assert.True(t, os.IsNotExist(err), "no flags: no flags file")
}

func TestAddMessageErrors(t *testing.T) {
	s := newStore(t)
	_, err := try(s.AddMessage("Nope", msg("x", ""), nil))
	assert.ErrorIs(t, err, email.ErrNotFound)
	_, err = try(s.AddMessage("INBOX", msg("x", ""), email.Flags{email.ParseFlag("a\nb")}))
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	s2 := s
	s2.MaxMessageSize = 10
	_, err = try(s2.AddMessage("INBOX", msg("x", ""), nil))
	assert.ErrorIs(t, err, email.ErrTooLarge)
	s3 := s
	s3.Entropy = nil
	_, err = try(s3.AddMessage("INBOX", msg("x", ""), nil))
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	var op *email.OpError
	require.True(t, errors.As(err, &op))
	assert.Equal(t, "add_message", op.Op)
}

func TestListEnvelopesOrderAndPages(t *testing.T) {
	s := newStore(t)
	dates := []string{"Mon, 1 Jan 2024 10:00:00 +0000", "Wed, 3 Jan 2024 10:00:00 +0000", "", "Tue, 2 Jan 2024 10:00:00 +0000", "garbage"}
	for i, d := range dates {
		run(t, s.AddMessage("INBOX", msg("m"+string(rune('0'+i)), d), nil))
	}
	envs := run(t, s.ListEnvelopes("INBOX", email.ListOptions{}))
	var subj []string
	for _, e := range envs {
		subj = append(subj, e.Subject)
	}
	assert.Equal(t, []string{"m1", "m3", "m0"}, subj[:3], "newest first")
	assert.ElementsMatch(t, []string{"m2", "m4"}, subj[3:], "undated last")

	p2 := run(t, s.ListEnvelopes("INBOX", email.ListOptions{Page: 2, PageSize: 2}))
	require.Len(t, p2, 2)
	assert.Equal(t, envs[2:4], p2)
	assert.Empty(t, run(t, s.ListEnvelopes("INBOX", email.ListOptions{Page: 9, PageSize: 2})))

	_, err := try(s.ListEnvelopes("Missing", email.ListOptions{}))
	assert.ErrorIs(t, err, email.ErrNotFound)
}

func TestListEnvelopesLongHeader(t *testing.T) {
	s := newStore(t)
	s.HeadSize = 64
	raw := []byte("X-Long: " + strings.Repeat("y", 500) + "\r\nSubject: late\r\n\r\nbody")
	run(t, s.AddMessage("INBOX", raw, nil))
	envs := run(t, s.ListEnvelopes("INBOX", email.ListOptions{WithAttachment: true}))
	require.Len(t, envs, 1)
	assert.Equal(t, "late", envs[0].Subject, "the head is read again when the header is longer")
	require.NotNil(t, envs[0].HasAttachment)
}

func TestGetMessageChecksumMismatch(t *testing.T) {
	s := newStore(t)
	id := run(t, s.AddMessage("INBOX", msg("x", ""), nil))
	p := onlyMessage(t, s, "INBOX")
	require.NoError(t, os.WriteFile(p, []byte("tampered"), 0o600))
	_, err := try(s.GetMessage("INBOX", id))
	var ce *m2dir.ChecksumError
	require.True(t, errors.As(err, &ce))
	assert.ErrorIs(t, err, m2dir.ErrChecksum)
	assert.Equal(t, id, ce.ID)
	assert.FileExists(t, p, "nothing is removed")

	_, err = try(s.GetMessage("INBOX", "AAAAAPUTzp1_diVN.zzzz"))
	assert.ErrorIs(t, err, email.ErrNotFound)
	_, err = try(s.GetMessage("INBOX", "../../etc/passwd"))
	assert.ErrorIs(t, err, email.ErrInvalidID)
}

func onlyMessage(t *testing.T, s m2dir.Store, box string) string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(s.Root, box))
	require.NoError(t, err)
	for _, e := range ents {
		if _, ok := m2dir.ParseFileName(e.Name()); ok {
			return filepath.Join(s.Root, box, e.Name())
		}
	}
	t.Fatal("no message")
	return ""
}

func TestStoreFlags(t *testing.T) {
	s := newStore(t)
	a := run(t, s.AddMessage("INBOX", msg("a", ""), email.ParseFlags(`\Seen`)))
	b := run(t, s.AddMessage("INBOX", msg("b", ""), nil))
	flagsOf := func(id string) []string {
		for _, e := range run(t, s.ListEnvelopes("INBOX", email.ListOptions{})) {
			if e.ID == id {
				return e.Flags.Raw()
			}
		}
		t.Fatalf("no %s", id)
		return nil
	}
	run(t, s.StoreFlags("INBOX", []string{a, b}, email.FlagAdd, email.ParseFlags(`\Flagged`, "$seen")))
	assert.Equal(t, []string{"$seen", "$flagged"}, flagsOf(a))
	assert.Equal(t, []string{"$seen", "$flagged"}, flagsOf(b))
	run(t, s.StoreFlags("INBOX", []string{a}, email.FlagRemove, email.ParseFlags(`\Seen`)))
	assert.Equal(t, []string{"$flagged"}, flagsOf(a), `removing \Seen removes $seen`)
	run(t, s.StoreFlags("INBOX", []string{a}, email.FlagSet, email.ParseFlags("Work")))
	assert.Equal(t, []string{"Work"}, flagsOf(a))
	run(t, s.StoreFlags("INBOX", []string{a}, email.FlagRemove, email.ParseFlags("work")))
	assert.Empty(t, flagsOf(a))
	assert.NoFileExists(t, filepath.Join(s.Root, "INBOX", ".meta", a+".flags"), "an empty set removes the file")
	assertNoTemp(t, filepath.Join(s.Root, "INBOX", ".meta"))

	err := runErr(s.StoreFlags("INBOX", []string{a, "AAAAAPUTzp1_diVN.nope"}, email.FlagAdd, email.ParseFlags("x")))
	assert.ErrorIs(t, err, email.ErrNotFound)
	assert.Empty(t, flagsOf(a), "nothing changed")
	assert.ErrorIs(t, runErr(s.StoreFlags("INBOX", []string{a}, email.FlagOp(0), nil)), email.ErrInvalidArgument)
}

func runErr[R any](m coroutine.FileMachine[R]) error {
	_, err := try(m)
	return err
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		assert.False(t, strings.HasPrefix(e.Name(), m2dir.TempPrefix), "temp file left: %s", e.Name())
	}
}

func TestStoreFlagsGarbageFile(t *testing.T) {
	s := newStore(t)
	id := run(t, s.AddMessage("INBOX", msg("a", ""), email.ParseFlags("$seen")))
	p := filepath.Join(s.Root, "INBOX", ".meta", id+".flags")
	garbage := "$seen\n\x00\x01\x02binary\n"
	require.NoError(t, os.WriteFile(p, []byte(garbage), 0o600))

	envs := run(t, s.ListEnvelopes("INBOX", email.ListOptions{}))
	assert.Equal(t, []string{"$seen"}, envs[0].Flags.Raw(), "listing keeps the good lines")

	err := runErr(s.StoreFlags("INBOX", []string{id}, email.FlagAdd, email.ParseFlags("x")))
	var ffe *m2dir.FlagsFileError
	require.True(t, errors.As(err, &ffe))
	data, _ := os.ReadFile(p)
	assert.Equal(t, garbage, string(data), "left untouched")

	run(t, s.StoreFlags("INBOX", []string{id}, email.FlagSet, email.ParseFlags("x")))
	data, _ = os.ReadFile(p)
	assert.Equal(t, "x\n", string(data), "set replaces it")
}

func TestDeleteMessages(t *testing.T) {
	s := newStore(t)
	a := run(t, s.AddMessage("INBOX", msg("a", ""), email.ParseFlags(`\Seen`)))
	b := run(t, s.AddMessage("INBOX", msg("b", ""), nil))
	write(t, filepath.Join(s.Root, "INBOX", ".meta", a+".other"), "more metadata")
	assert.ErrorIs(t, runErr(s.DeleteMessages("INBOX", []string{a, "AAAAAPUTzp1_diVN.x"})), email.ErrNotFound)
	assert.Len(t, run(t, s.ListEnvelopes("INBOX", email.ListOptions{})), 2, "nothing removed")

	run(t, s.DeleteMessages("INBOX", []string{a, a}))
	envs := run(t, s.ListEnvelopes("INBOX", email.ListOptions{}))
	require.Len(t, envs, 1)
	assert.Equal(t, b, envs[0].ID)
	ents, _ := os.ReadDir(filepath.Join(s.Root, "INBOX", ".meta"))
	assert.Empty(t, ents, "metadata of the message removed too")
}

func TestCopyAndMoveCarryFlags(t *testing.T) {
	s := newStore(t)
	run(t, s.CreateMailbox("Archive"))
	a := run(t, s.AddMessage("INBOX", msg("a", ""), email.ParseFlags(`\Seen`, "Work")))
	b := run(t, s.AddMessage("INBOX", msg("b", ""), nil))

	copied := run(t, s.CopyMessages("INBOX", "Archive", []string{a, b}))
	require.Len(t, copied, 2)
	assert.NotEqual(t, a, copied[0], "a copy is a new message")
	assert.Equal(t, a[:16], copied[0][:16])
	arch := envMap(run(t, s.ListEnvelopes("Archive", email.ListOptions{})))
	assert.Equal(t, []string{"$seen", "Work"}, arch[copied[0]].Flags.Raw())
	assert.Empty(t, arch[copied[1]].Flags)
	assert.Len(t, run(t, s.ListEnvelopes("INBOX", email.ListOptions{})), 2, "the source stays")

	run(t, s.CreateMailbox("Trash"))
	moved := run(t, s.MoveMessages("INBOX", "Trash", []string{a}))
	assert.Equal(t, []string{a}, moved, "a moved message keeps its id")
	trash := envMap(run(t, s.ListEnvelopes("Trash", email.ListOptions{})))
	assert.Equal(t, []string{"$seen", "Work"}, trash[a].Flags.Raw())
	inbox := envMap(run(t, s.ListEnvelopes("INBOX", email.ListOptions{})))
	assert.NotContains(t, inbox, a)
	assert.NoFileExists(t, filepath.Join(s.Root, "INBOX", ".meta", a+".flags"))
	assert.Equal(t, msg("a", ""), run(t, s.GetMessage("Trash", a)))

	// Moving back into a folder that holds the same id gets a fresh nonce.
	run(t, s.MoveMessages("Trash", "INBOX", []string{a}))
	c2 := run(t, s.CopyMessages("INBOX", "Trash", []string{a}))
	require.NoError(t, os.Rename(filepath.Join(s.Root, "Trash", ".meta", c2[0]+".flags"), filepath.Join(s.Root, "Trash", ".meta", a+".flags")))
	moved = run(t, s.MoveMessages("INBOX", "Trash", []string{a}))
	assert.NotEqual(t, a, moved[0])
	assert.Equal(t, a[:16], moved[0][:16])
	trash = envMap(run(t, s.ListEnvelopes("Trash", email.ListOptions{})))
	assert.Equal(t, []string{"$seen", "Work"}, trash[moved[0]].Flags.Raw())

	_, err := try(s.CopyMessages("INBOX", "Nope", []string{b}))
	assert.ErrorIs(t, err, email.ErrNotFound)
	_, err = try(s.MoveMessages("INBOX", "Nope", []string{b}))
	assert.ErrorIs(t, err, email.ErrNotFound)
	_, err = try(s.MoveMessages("INBOX", "Trash", []string{"AAAAAPUTzp1_diVN.x"}))
	assert.ErrorIs(t, err, email.ErrNotFound)
}

func TestCopyRefusesCorruptSource(t *testing.T) {
	s := newStore(t)
	run(t, s.CreateMailbox("Archive"))
	id := run(t, s.AddMessage("INBOX", msg("a", ""), nil))
	require.NoError(t, os.WriteFile(onlyMessage(t, s, "INBOX"), []byte("changed"), 0o600))
	_, err := try(s.CopyMessages("INBOX", "Archive", []string{id}))
	assert.ErrorIs(t, err, m2dir.ErrChecksum)
	assert.Empty(t, run(t, s.ListEnvelopes("Archive", email.ListOptions{})))
}

func TestCopyManyChunks(t *testing.T) {
	s := newStore(t)
	run(t, s.CreateMailbox("B"))
	var ids []string
	for i := range 40 {
		ids = append(ids, run(t, s.AddMessage("INBOX", msg(strings.Repeat("x", i), ""), email.ParseFlags("$seen"))))
	}
	out := run(t, s.CopyMessages("INBOX", "B", ids))
	assert.Len(t, out, 40)
	got := run(t, s.ListEnvelopes("B", email.ListOptions{}))
	assert.Len(t, got, 40)
	for _, e := range got {
		assert.True(t, e.Flags.HasIANA(email.Seen))
	}
}

func envMap(envs []email.Envelope) map[string]email.Envelope {
	m := map[string]email.Envelope{}
	for _, e := range envs {
		m[e.ID] = e
	}
	return m
}

func TestDeleteMailbox(t *testing.T) {
	s := newStore(t)
	run(t, s.CreateMailbox("Old"))
	run(t, s.AddMessage("Old", msg("a", ""), email.ParseFlags("$seen")))
	run(t, s.CreateMailbox("Parent/Child"))
	for _, n := range []string{"", "/", "INBOX", "inbox"} {
		assert.ErrorIs(t, runErr(s.DeleteMailbox(n)), email.ErrRefused, "%q", n)
	}
	assert.ErrorIs(t, runErr(s.DeleteMailbox("Missing")), email.ErrNotFound)
	assert.ErrorIs(t, runErr(s.DeleteMailbox("Parent")), email.ErrNotFound, "a container is not a folder")
	run(t, s.CreateMailbox("Parent"))
	assert.ErrorIs(t, runErr(s.DeleteMailbox("Parent")), email.ErrRefused, "child folders are not deleted with it")

	run(t, s.DeleteMailbox("Old"))
	ents, _ := os.ReadDir(s.Root)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	assert.Equal(t, []string{".m2store", "INBOX", "Parent"}, names, "no hidden leftovers")
	run(t, s.DeleteMailbox("Parent/Child"))
}

func TestResumeAfterDone(t *testing.T) {
	s := newStore(t)
	m := s.ListEnvelopes("INBOX", email.ListOptions{})
	run(t, m)
	reqs, done := m.Resume(nil)
	assert.True(t, done)
	assert.Nil(t, reqs)
	_, err := m.Result()
	assert.NoError(t, err)

	m2 := s.ListEnvelopes("INBOX", email.ListOptions{})
	m2.Resume(nil)
	_, done = m2.Resume(nil) // wrong number of results
	assert.True(t, done)
	_, err = m2.Result()
	assert.ErrorIs(t, err, email.ErrUnexpectedReply)
}
