package m2dir_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

// handmade copies testdata/m2dir/handmade, a store laid out by hand the way
// io-m2dir (8-character padded nonces, raw flag spellings), vomit-m2dir
// (4-character nonces, $ spellings) and older spec revisions (bare
// checksums, ".1" duplicates) write it, with noise readers must ignore.
func handmade(t *testing.T) m2dir.Store {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("../testdata/m2dir/handmade")))
	// io-m2dir puts ":" in the human part; module zips cannot hold such a
	// name, so it is made here.
	raw := "Subject: colon\r\n\r\n"
	write(t, filepath.Join(dir, "INBOX", "2025-01-01T00:00:00Z,"+m2dir.Checksum([]byte(raw))+".YWJjZA=="), raw)
	return m2dir.Store{Root: filepath.ToSlash(dir), Entropy: &counter{}}
}

func TestHandmadeStore(t *testing.T) {
	s := handmade(t)
	boxes := run(t, s.ListMailboxes(email.ListMailboxesOptions{WithCounts: true}))
	var names []string
	for _, b := range boxes {
		names = append(names, b.Name)
	}
	assert.Equal(t, []string{"INBOX", "INBOX/Lists", "Archive/2024", "Entwürfe"}, names)
	assert.Equal(t, 5, *boxes[0].Total)
	assert.Equal(t, 3, *boxes[0].Unread)
	assert.Equal(t, 1, *boxes[1].Total)

	envs := envMap(run(t, s.ListEnvelopes("INBOX", email.ListOptions{})))
	require.Len(t, envs, 5)
	io := envs["hAAAANE6fS6DHkda.YWJjZA=="]
	assert.Equal(t, "Build passed", io.Subject)
	assert.Equal(t, []string{`\Seen`, `\Flagged`}, io.Flags.Raw(), "raw spellings of other tools are read as they are")
	vomit := envs["bwAAADJDbv9LgKJn.q83v"]
	assert.Equal(t, "m2dir draft", vomit.Subject)
	assert.True(t, vomit.Flags.HasIANA(email.Forwarded))
	assert.True(t, vomit.Flags.Has(email.ParseFlag("Work")))
	assert.Contains(t, envs, "QAAAABVNTMu6SUH-", "a bare checksum is an id")
	assert.True(t, envs["QAAAABVNTMu6SUH-.1"].Flags.HasIANA(email.Answered), "CRLF flags file")
	for id := range envs {
		run(t, s.GetMessage("INBOX", id)) // every checksum verifies
	}

	run(t, s.StoreFlags("INBOX", []string{io.ID}, email.FlagAdd, email.ParseFlags("$junk")))
	data, err := os.ReadFile(filepath.Join(s.Root, "INBOX", ".meta", io.ID+".flags"))
	require.NoError(t, err)
	assert.Equal(t, "$seen\n$flagged\n$Junk\n", string(data), "rewritten in the m2dir spellings")

	out := run(t, s.CopyMessages("INBOX", "Archive/2024", []string{vomit.ID}))
	arch := run(t, s.ListEnvelopes("Archive/2024", email.ListOptions{}))
	require.Len(t, arch, 1)
	assert.Equal(t, out[0], arch[0].ID)
	assert.True(t, arch[0].Flags.Equal(vomit.Flags))

	run(t, s.DeleteMessages("INBOX", []string{"QAAAABVNTMu6SUH-"}))
	assert.FileExists(t, filepath.Join(s.Root, "INBOX", ".meta", "QAAAABVNTMu6SUH-.1.flags"), "the prefix match needs the dot after the whole id")
	assert.FileExists(t, filepath.Join(s.Root, "INBOX", ".m2dir.tmp.0001a2"), "foreign temp files are left alone")

	// A folder io-m2dir named with percent-encoded UTF-8 is found under
	// its decoded name.
	id := run(t, s.AddMessage("Entwürfe", msg("draft", ""), email.ParseFlags("$draft")))
	assert.FileExists(t, filepath.Join(s.Root, "Entw%C3%BCrfe", ".meta", id+".flags"))
	drafts := run(t, s.ListEnvelopes("Entwürfe", email.ListOptions{}))
	require.Len(t, drafts, 1)
	assert.True(t, drafts[0].Flags.HasIANA(email.Draft))
	moved := run(t, s.MoveMessages("Entwürfe", "INBOX/Lists", []string{id}))
	assert.Equal(t, []string{id}, moved)
	_, err = try(s.CreateMailbox("Entwürfe"))
	assert.ErrorIs(t, err, email.ErrExists, "no second spelling of one folder")
	run(t, s.DeleteMailbox("Entwürfe"))
	assert.NoDirExists(t, filepath.Join(s.Root, "Entw%C3%BCrfe"))
}
