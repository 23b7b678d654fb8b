package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// TestReplayListingsAgree runs part 1's three ways once over the committed
// recording and checks that they return the same 2,000 envelopes, so the
// benchmark keeps comparing like with like as the library changes.
func TestReplayListingsAgree(t *testing.T) {
	data, uids := loadRecording("testdata/dovecot-fetch.txt.gz")
	require.Len(t, uids, 2000)
	rp := newReplay(data, uids)
	addr := rp.serve()
	ctx := context.Background()

	ic, err := client.DialIMAP(ctx, "imap://"+addr, &client.Options{AllowPlaintext: true, Auth: client.Password("alice", "alicepass")})
	require.NoError(t, err)
	defer ic.Close()
	require.Equal(t, 2000, listOurs(ctx, ic, "INBOX"))
	ours := sink

	c, err := imapclient.DialInsecure(addr, &imapclient.Options{WordDecoder: wordDecoder})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Login("alice", "alicepass").Wait())
	_, err = c.Select("INBOX", nil).Wait()
	require.NoError(t, err)
	require.Equal(t, 2000, listTheirs(c, true))
	theirs := sink
	require.Empty(t, sameEnvelopes(ours, theirs))

	s, m := memSession(rp, 4096)
	require.Equal(t, 2000, listMemory(s, m))
	require.Empty(t, sameEnvelopes(sink, theirs))

	// Ours is newest first (the replayed SORT), with decoded words.
	require.True(t, !ours[0].Date.Before(ours[len(ours)-1].Date))
	var decoded bool
	for _, e := range ours {
		for _, a := range e.From {
			if a.Name == "Renée Zellweger" {
				decoded = true
			}
		}
	}
	require.True(t, decoded, "no decoded RFC 2047 name in the listing")

	fl := dialFloor(addr)
	require.Equal(t, 0, fl.fetch(len(data)))
}

// TestSameEnvelopesFindsDifferences checks the comparison itself.
func TestSameEnvelopesFindsDifferences(t *testing.T) {
	a := []email.Envelope{{ID: "1", Subject: "x", Flags: email.ParseFlags(`\Seen`)}, {ID: "2", Size: 5}}
	b := []email.Envelope{{ID: "2", Size: 5}, {ID: "1", Subject: "x", Flags: email.ParseFlags(`\Seen`)}}
	require.Empty(t, sameEnvelopes(a, b))
	b[1].Flags = nil
	require.Contains(t, sameEnvelopes(a, b), "flags")
	b[1].Flags, b[0].Size = a[0].Flags, 6
	require.Contains(t, sameEnvelopes(a, b), "size")
	require.Contains(t, sameEnvelopes(a, b[:1]), "2 envelopes against 1")
}

// TestGenerateIsDeterministic checks that the Dovecot mailbox gets the
// same messages on every machine.
func TestGenerateIsDeterministic(t *testing.T) {
	x, y := generate(50, 1), generate(50, 1)
	for i := range x {
		require.True(t, bytes.Equal(x[i].raw, y[i].raw))
		require.Equal(t, x[i].flags, y[i].flags)
		require.True(t, x[i].date.Equal(y[i].date))
	}
	require.False(t, bytes.Equal(generate(1, 2)[0].raw, x[0].raw))
}
