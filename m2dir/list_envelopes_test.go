package m2dir_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

// digesting performs a batch as a driver that runs Digests does: the test
// driver's results, with each read's Digest value, and no Data where the
// request is DigestOnly. It counts the reads it digested in n.
func digesting(n *int) func([]coroutine.FileRequest) []coroutine.FileResult {
	return func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		res := driver.Do(context.Background(), reqs)
		for i, r := range reqs {
			if r.Op != coroutine.FileRead || r.Digest == nil || res[i].Err != nil {
				continue
			}
			res[i].Digest = r.Digest(res[i].Data, res[i].Size)
			if r.DigestOnly {
				res[i].Data = nil
			}
			*n++
		}
		return res
	}
}

// messyInbox fills s's INBOX, by hand, with what a listing must sort out:
// two files carrying one id, a flags file naming no message, a garbage
// flags file, an over-long one, a header longer than the first read, a
// file that is no message, and dates that tie.
func messyInbox(t *testing.T, s m2dir.Store) (ids map[string]string) {
	t.Helper()
	inbox := filepath.Join(s.Root, "INBOX")
	ids = map[string]string{}
	put := func(key, human, raw, flags string) {
		id := m2dir.Checksum([]byte(raw)) + ".bm9uY2U"
		if old, ok := ids[key]; ok {
			id = old // a second file for the same id
		}
		ids[key] = id
		write(t, filepath.Join(inbox, human+","+id), raw)
		if flags != "" {
			write(t, filepath.Join(inbox, m2dir.MetaDir, id+m2dir.FlagsSuffix), flags)
		}
	}
	put("old", "2024-01-01_a", string(msg("old", "Mon, 1 Jan 2024 10:00:00 +0000")), "$seen\n")
	put("new", "2024-01-03_a", string(msg("new", "Wed, 3 Jan 2024 10:00:00 +0000")), "$seen\n$answered\n")
	put("tie1", "2024-01-02_a", string(msg("tie1", "Tue, 2 Jan 2024 11:00:00 +0100")), "")
	put("tie2", "2024-01-02_b", string(msg("tie2", "Tue, 2 Jan 2024 10:00:00 +0000")), "Work\n\\Flagged\n")
	put("undated", "undated", string(msg("undated", "")), "$draft\r\n")
	put("garbage", "garbage", string(msg("garbage", "Sun, 31 Dec 2023 10:00:00 +0000")), "$seen\n\x01bad\n$flagged\n")
	put("huge", "huge", string(msg("huge", "Sat, 30 Dec 2023 10:00:00 +0000")), strings.Repeat("$seen\n", m2dir.MaxFlagsFileSize/6+1))
	long := "X-Long: " + strings.Repeat("y", 500) + "\r\nSubject: long\r\nDate: Fri, 29 Dec 2023 10:00:00 +0000\r\n\r\nbody"
	put("long", "long", long, "$flagged\n")
	// Two files, one id: the first name in byte order is the message.
	put("dup", "b-second", string(msg("dup-second", "Thu, 28 Dec 2023 10:00:00 +0000")), "")
	put("dup", "a-first", string(msg("dup-first", "Thu, 28 Dec 2023 10:00:00 +0000")), "$seen\n")
	write(t, filepath.Join(inbox, m2dir.MetaDir, "AAAAAPUTzp1_diVN.gone"+m2dir.FlagsSuffix), "$seen\n")
	write(t, filepath.Join(inbox, "not-a-message"), "x")
	return ids
}

// TestListEnvelopesMessyFolder lists a folder full of oddities with and
// without a driver that runs the digests, whole and in pages: every way
// gives the same envelopes, in the same order, with the right flags.
func TestListEnvelopesMessyFolder(t *testing.T) {
	s := newStore(t)
	s.HeadSize = 128 // the long header is read twice
	ids := messyInbox(t, s)

	plain := run(t, s.ListEnvelopes("INBOX", email.ListOptions{}))
	var subjects []string
	for _, e := range plain {
		subjects = append(subjects, e.Subject)
	}
	ties := []string{"tie1", "tie2"} // one instant: by id
	if ids["tie2"] < ids["tie1"] {
		ties = []string{"tie2", "tie1"}
	}
	assert.Equal(t, []string{"new", ties[0], ties[1], "old", "garbage", "huge", "long", "dup-first", "undated"}, subjects,
		"newest first, one envelope for two files of one id (the first by name), undated last")

	env := envMap(plain)
	require.Len(t, env, 9, "the flags file of no message lists nothing")
	assert.Equal(t, []string{"$seen", "$answered"}, env[ids["new"]].Flags.Raw())
	assert.Equal(t, []string{`\Flagged`, "Work"}, env[ids["tie2"]].Flags.Raw())
	assert.Nil(t, env[ids["tie1"]].Flags)
	assert.True(t, env[ids["undated"]].Flags.HasIANA(email.Draft), "CRLF lines")
	assert.Equal(t, []string{"$seen", "$flagged"}, env[ids["garbage"]].Flags.Raw(), "the good lines of a garbage file")
	assert.Nil(t, env[ids["huge"]].Flags, "an over-long flags file gives no flags")
	assert.Equal(t, "long", env[ids["long"]].Subject)
	assert.True(t, env[ids["long"]].Flags.HasIANA(email.Flagged), "the flags of a header read twice")
	assert.True(t, env[ids["dup"]].Flags.HasIANA(email.Seen))

	var digested int
	withDigests, err := coroutine.Run(s.ListEnvelopes("INBOX", email.ListOptions{}), digesting(&digested))
	require.NoError(t, err)
	assert.Equal(t, plain, withDigests, "digests give what the machine computes itself")
	assert.Equal(t, 9+8, digested, "nine heads and eight flags files digested")

	for _, do := range []func([]coroutine.FileRequest) []coroutine.FileResult{nil, digesting(new(int))} {
		var pages []email.Envelope
		for p := 1; ; p++ {
			m := s.ListEnvelopes("INBOX", email.ListOptions{Page: p, PageSize: 2})
			var page []email.Envelope
			if do == nil {
				page = run(t, m)
			} else {
				page, err = coroutine.Run(m, do)
				require.NoError(t, err)
			}
			require.NotNil(t, page)
			if len(page) == 0 {
				break
			}
			pages = append(pages, page...)
		}
		assert.Equal(t, plain, pages, "the pages, one after the other, are the whole listing")
	}
}

// TestListEnvelopesEmptyFolder lists a folder without messages: an empty,
// non-nil list, whole or paged.
func TestListEnvelopesEmptyFolder(t *testing.T) {
	s := newStore(t)
	for _, opts := range []email.ListOptions{{}, {Page: 1, PageSize: 10}} {
		envs := run(t, s.ListEnvelopes("INBOX", opts))
		assert.NotNil(t, envs)
		assert.Empty(t, envs)
	}
}
