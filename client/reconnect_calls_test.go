package client

import (
	"context"
	"net"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
	"github.com/ioemail/ioemail/search"
)

// reconnectServers runs f against imapmemserver and a private Dovecot
// (plain-text IMAP, so that the proxy can see the commands it cuts).
func reconnectServers(t *testing.T, f func(t *testing.T, addr string)) {
	t.Run("memserver", func(t *testing.T) { f(t, memIMAP(t)) })
	t.Run("dovecot", func(t *testing.T) { f(t, testpeers.StartDovecot(t).Addr) })
}

// proxied dials addr through a cutProxy with opts' policy, counting the
// dials; the actor is a direct client to the same server.
func proxied(t *testing.T, addr string, policy ReconnectPolicy) (ic, actor *IMAPClient, p *cutProxy, dials *atomic.Int32) {
	p = newCutProxy(t, addr)
	dials = new(atomic.Int32)
	opts := &Options{AllowPlaintext: true, Auth: plainAlice(), Reconnect: &policy,
		Dialer: func(ctx context.Context, network, a string) (net.Conn, error) {
			dials.Add(1)
			return p.dialer(ctx, network, a)
		}}
	ic, err := DialIMAP(tctx(t), "imap://"+addr, opts)
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	actor, err = DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: plainAlice()})
	require.NoError(t, err)
	t.Cleanup(func() { actor.Close() })
	return ic, actor, p, dials
}

func envIDs(envs []email.Envelope) []string {
	var ids []string
	for _, e := range envs {
		ids = append(ids, e.ID)
	}
	sort.Strings(ids)
	return ids
}

// TestReconnectReadsRetry cuts the connection before and after a read
// command reached the server, and between calls: each read is repeated on
// a new connection (through Options.Dialer) and returns what a direct
// client sees.
func TestReconnectReadsRetry(t *testing.T) {
	reconnectServers(t, func(t *testing.T, addr string) {
		ic, actor, p, dials := proxied(t, addr, fastReconnect)
		ctx := tctx(t)
		name := box(t, actor, "reconnect-reads")
		for i := 1; i <= 3; i++ {
			_, err := actor.AddMessage(ctx, name, strings.NewReader(testMessage(i, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
			require.NoError(t, err)
		}
		direct, err := actor.ListEnvelopes(ctx, name, email.ListOptions{})
		require.NoError(t, err)
		want := envIDs(direct)
		require.Len(t, want, 3)

		for _, after := range []bool{false, true} {
			fired := p.cutOn("UID FETCH", after, 0)
			n := dials.Load()
			got, err := ic.ListEnvelopes(ctx, name, email.ListOptions{})
			require.NoError(t, err, "a listing cut off (after=%v) is repeated", after)
			assert.Equal(t, want, envIDs(got))
			waitClosed(t, fired, "the cut")
			assert.Equal(t, n+1, dials.Load(), "one redial through Options.Dialer")
		}

		p.cutAll() // between calls, as a server restart would
		boxes, err := ic.ListMailboxes(ctx, email.ListMailboxesOptions{})
		require.NoError(t, err)
		assert.True(t, hasMailbox(boxes, name))

		fired := p.cutOn("BODY", true, 0)
		var sb strings.Builder
		_, err = ic.GetMessage(ctx, name, want[0], &sb)
		require.NoError(t, err)
		assert.Contains(t, sb.String(), "Subject: message ")
		waitClosed(t, fired, "the cut of GetMessage")

		fired = p.cutOn("FETCH", false, 0) // FETCH or UID FETCH (the search matches locally)
		found, err := ic.SearchEnvelopes(ctx, name, search.MustParse("subject message"), email.ListOptions{})
		require.NoError(t, err)
		assert.Equal(t, want, envIDs(found))
		waitClosed(t, fired, "the cut of SearchEnvelopes")

		// A flag store has the effect of one store however often it is
		// repeated: cut after it reached the server, it is repeated.
		fired = p.cutOn("STORE", true, 0)
		require.NoError(t, ic.StoreFlags(ctx, name, want[:1], email.FlagAdd, email.NewFlags(email.FlagFlagged)))
		waitClosed(t, fired, "the cut of StoreFlags")
		after, err := actor.ListEnvelopes(ctx, name, email.ListOptions{})
		require.NoError(t, err)
		for _, e := range after {
			assert.Equal(t, e.ID == want[0], e.Flags.Has(email.FlagFlagged), "flags of %s", e.ID)
		}
	})
}

func hasMailbox(boxes []email.Mailbox, name string) bool {
	for _, b := range boxes {
		if b.Name == name {
			return true
		}
	}
	return false
}

// TestReconnectChangesOutcomeUnknown cuts APPEND, COPY and the expunge of
// DeleteMessages after they reached the server: each fails with
// ErrOutcomeUnknown and its cause, is not repeated, and the next call
// works on a new connection. A connection that died between calls is
// found by a NOOP first, so the change then goes through.
func TestReconnectChangesOutcomeUnknown(t *testing.T) {
	reconnectServers(t, func(t *testing.T, addr string) {
		ic, actor, p, dials := proxied(t, addr, fastReconnect)
		ctx := tctx(t)
		name := box(t, actor, "reconnect-changes")
		other := box(t, actor, "reconnect-other")
		count := func(mbox string) int {
			envs, err := actor.ListEnvelopes(ctx, mbox, email.ListOptions{})
			require.NoError(t, err)
			return len(envs)
		}

		fired := p.cutOn("APPEND", true, 0)
		_, err := ic.AddMessage(ctx, name, strings.NewReader(testMessage(1, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		waitClosed(t, fired, "the cut of APPEND")
		assert.LessOrEqual(t, count(name), 1, "APPEND is never repeated")

		// The link dies between calls: the NOOP that precedes a change
		// finds it, and the APPEND goes out once on a new connection.
		p.cutAll()
		n := dials.Load()
		id, err := ic.AddMessage(ctx, name, strings.NewReader(testMessage(2, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
		require.NoError(t, err)
		assert.Equal(t, n+1, dials.Load())
		envs, err := ic.ListEnvelopes(ctx, name, email.ListOptions{})
		require.NoError(t, err)
		require.NotEmpty(t, envs)
		if id == "" {
			id = envs[0].ID
		}

		fired = p.cutOn("COPY", true, 0)
		_, err = ic.CopyMessages(ctx, name, other, []string{id})
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		waitClosed(t, fired, "the cut of COPY")
		assert.LessOrEqual(t, count(other), 1, "COPY is never repeated")

		before := count(name)
		fired = p.cutOn("EXPUNGE", true, 0)
		err = ic.DeleteMessages(ctx, name, []string{id})
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		waitClosed(t, fired, "the cut of the expunge")
		assert.GreaterOrEqual(t, count(name), before-1)

		_, err = ic.ListMailboxes(ctx, email.ListMailboxesOptions{})
		require.NoError(t, err, "the next call dials again")
	})
}

// TestReconnectDisabled: with NoReconnect a broken connection stays
// broken, and an interrupted change still says its outcome is unknown.
func TestReconnectDisabled(t *testing.T) {
	ic, actor, p, dials := proxied(t, memIMAP(t), NoReconnect)
	ctx := tctx(t)
	name := box(t, actor, "reconnect-off")
	fired := p.cutOn("APPEND", true, 0)
	_, err := ic.AddMessage(ctx, name, strings.NewReader(testMessage(1, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	waitClosed(t, fired, "the cut")
	_, err = ic.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.ErrorIs(t, err, ErrConnBroken)
	assert.EqualValues(t, 1, dials.Load(), "no redial")

	// A failed redial ends the attempts with ErrConnBroken and the cause.
	ic2, _, p2, dials2 := proxied(t, memIMAP(t), ReconnectPolicy{MaxAttempts: 3, MinDelay: 1, MaxDelay: 1})
	p2.ln.Close()
	p2.cutAll()
	_, err = ic2.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.ErrorIs(t, err, ErrConnBroken)
	assert.EqualValues(t, 1+3, dials2.Load(), "three redials")
}
