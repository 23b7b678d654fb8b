package imap

import (
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// hostileDrive runs m against server bytes given turn by turn, whatever
// the machine writes, and returns its result. Reads past the script get
// EOF. It never fails on departures: a hostile server does not follow a
// script either.
func hostileDrive[R any](m coroutine.NetMachine[R], server []string, chunk int) (R, []byte, error) {
	out, run, err := streamDrive(m, server, chunk, nil)
	return out, run.written, err
}

const (
	greet   = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR UIDPLUS] hi\r\n"
	loginOK = "A1 OK [CAPABILITY IMAP4rev1 UIDPLUS SORT] in\r\n"
	selOK   = "* 2 EXISTS\r\n* OK [UIDVALIDITY 5] v\r\nA2 OK [READ-WRITE] sel\r\n"
)

func TestHostileServers(t *testing.T) {
	listEnv := func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return openThen(s, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
			// A page: the SORT first, then the page's FETCH.
			return ListEnvelopes(s, "INBOX", email.ListOptions{PageSize: 100})
		})
	}
	type result struct {
		envs []email.Envelope
		err  error
	}
	cases := []struct {
		name   string
		server []string
		secure bool // default: true
		want   error
		check  func(t *testing.T, r result, written string)
	}{
		{name: "huge literal announcement", server: []string{greet, loginOK, selOK,
			"* 1 FETCH (UID 1 BODY[] {10000000000}\r\n"}, want: email.ErrTooLarge},
		{name: "endless line", server: []string{greet, loginOK, selOK, "* 1 FETCH (UID 1 " + strings.Repeat("x", 5000)}, want: email.ErrTooLarge},
		{name: "literal never ends", server: []string{greet, loginOK, selOK, "* 1 FETCH (UID 1 BODY[] {100}\r\nabc"}, want: email.ErrProtocol},
		{name: "unknown tag", server: []string{greet, "Z9 OK who?\r\n"}, want: email.ErrProtocol},
		{name: "tag of an earlier command", server: []string{greet, loginOK, "A1 OK again\r\n"}, want: email.ErrProtocol},
		{name: "BYE greeting", server: []string{"* BYE too busy\r\n"}, want: ErrBye},
		{name: "NO greeting", server: []string{"* NO go away\r\n"}, want: email.ErrProtocol},
		{name: "EOF before greeting", server: nil, want: ErrClosed},
		{name: "BYE mid-command", server: []string{greet, loginOK, "* 2 EXISTS\r\n* BYE shutting down\r\n"}, want: ErrBye},
		{name: "truncated response", server: []string{greet, loginOK, "* 2 EXISTS\r\n* OK [UIDVAL"}, want: email.ErrProtocol},
		{name: "garbage tagged line", server: []string{greet, "\x00\x01\x02 \xff\r\n"}, want: email.ErrProtocol},
		{name: "tagged status not OK/NO/BAD", server: []string{greet, "A1 MAYBE later\r\n"}, want: email.ErrProtocol},
		{name: "NO to AUTHENTICATE", server: []string{greet, "A1 NO [AUTHENTICATIONFAILED] bad password\r\n"}, check: func(t *testing.T, r result, _ string) {
			var ce *CommandError
			require.ErrorAs(t, r.err, &ce)
			assert.Equal(t, "AUTHENTICATIONFAILED", string(ce.Code))
			assert.NotContains(t, r.err.Error(), "alicepass")
		}},
		{name: "BAD to AUTHENTICATE", server: []string{greet, "A1 BAD syntax\r\n"}, want: email.ErrProtocol},
		{name: "NO to SELECT", server: []string{greet, loginOK, "A2 NO [NONEXISTENT] no such mailbox\r\n"}, want: email.ErrNotFound},
		{name: "unexpected continuation", server: []string{greet, loginOK, "+ what\r\n"}, want: email.ErrProtocol},
		{name: "unsolicited data mid-command", server: []string{greet, loginOK, selOK,
			"* 3 FETCH (UID 77 FLAGS (\\Seen))\r\n* 1 EXPUNGE\r\n* 4 EXISTS\r\n* VANISHED 9\r\n* X-ODD thing (\r\n* LIST garbage\r\n* SORT 2 1\r\nA3 OK sorted\r\n",
			"* 2 FETCH (UID 2 FLAGS () ENVELOPE (NIL \"two\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n* 9 FETCH (UID 99 FLAGS ())\r\n* 1 FETCH (UID 1 FLAGS () ENVELOPE (NIL \"one\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\nA4 OK done\r\n"},
			check: func(t *testing.T, r result, _ string) {
				require.NoError(t, r.err)
				require.Len(t, r.envs, 2)
				assert.Equal(t, "two", r.envs[0].Subject)
				assert.Equal(t, "one", r.envs[1].Subject)
			}},
		{name: "one bad FETCH item", server: []string{greet, loginOK, selOK, "* SORT 1\r\nA3 OK\r\n",
			"* 1 FETCH (UID 1 ENVELOPE (\"x\" (((( ) RFC822.SIZE 42 FLAGS (\\Seen))\r\nA4 OK\r\n"},
			// No envelope with made-up empty fields: the listing fails and
			// names the message and the item.
			check: func(t *testing.T, r result, _ string) {
				var fe *FetchError
				require.ErrorAs(t, r.err, &fe)
				assert.Equal(t, imap.UID(1), fe.UID)
				assert.Equal(t, "ENVELOPE", fe.Item)
				assert.ErrorIs(t, r.err, email.ErrProtocol)
				assert.Nil(t, r.envs)
			}},
		{name: "deeply nested body structure", server: []string{greet, loginOK, selOK, "* SORT 1\r\nA3 OK\r\n",
			"* 1 FETCH (UID 1 RFC822.SIZE 3 BODYSTRUCTURE " + strings.Repeat("(", 500) + strings.Repeat(")", 500) + ")\r\nA4 OK\r\n"},
			check: func(t *testing.T, r result, _ string) {
				require.NoError(t, r.err)
				require.Len(t, r.envs, 1)
				assert.Equal(t, int64(3), r.envs[0].Size)
			}},
		// A message count that does not parse leaves the view unknown: the
		// command fails (after its tagged status) and is not taken as empty.
		{name: "number overflow in EXISTS", server: []string{greet, loginOK, "* 99999999999 EXISTS\r\n* 0 EXISTS\r\nA2 OK sel\r\n"}, check: func(t *testing.T, r result, _ string) {
			var ue *UntaggedError
			require.ErrorAs(t, r.err, &ue)
			assert.Equal(t, "EXISTS", ue.Name)
			assert.ErrorIs(t, r.err, email.ErrProtocol)
			assert.Nil(t, r.envs)
		}},
		{name: "auth on a clear link", secure: false, server: []string{greet}, check: func(t *testing.T, r result, written string) {
			assert.ErrorIs(t, r.err, email.ErrInsecure)
			assert.NotContains(t, written, "AUTHENTICATE")
		}},
		{name: "SORT with bogus UIDs", server: []string{greet, loginOK, selOK, "* SORT 0 5 5\r\nA3 OK\r\n", "A4 OK nothing\r\n"}, check: func(t *testing.T, r result, _ string) {
			require.NoError(t, r.err)
			assert.Empty(t, r.envs)
		}},
		{name: "empty continuation quirk and wrong tag later", server: []string{greet, loginOK, selOK, "+\r\n"}, want: email.ErrProtocol},
		{name: "line of CRs", server: []string{greet, strings.Repeat("\r", 6000)}, want: email.ErrTooLarge},
		{name: "bare LF endings", server: []string{"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\n", "A1 OK in\n", "* CAPABILITY IMAP4rev1 SORT\nA2 OK\n", "* 0 EXISTS\nA3 OK sel\n"},
			check: func(t *testing.T, r result, _ string) { require.NoError(t, r.err) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, chunk := range []int{0, 1, 7} {
				secure := c.secure || !strings.Contains(c.name, "clear link")
				s := NewSession(secure, Limits{MaxLine: 4096, MaxLiteral: 1 << 20})
				envs, written, err := hostileDrive(listEnv(s), c.server, chunk)
				if c.want != nil {
					require.ErrorIs(t, err, c.want, "chunk %d", chunk)
				}
				if c.check != nil {
					c.check(t, result{envs, err}, string(written))
				}
				if err != nil {
					var oe *email.OpError
					assert.ErrorAs(t, err, &oe)
				}
			}
		})
	}
}

func TestHostileStartTLS(t *testing.T) {
	open := func(s *Session) coroutine.NetMachine[OpenResult] {
		return Open(s, OpenOptions{StartTLS: StartTLSRequired, Auth: alice})
	}
	// Plain bytes after the STARTTLS OK would be injected into the TLS
	// session: refused, never parsed, no handshake asked for.
	s := NewSession(false, Limits{})
	m := open(s)
	var in coroutine.NetReply
	server := []string{"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n", "A1 OK go\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n"}
	for {
		req, done := m.Resume(in)
		if done {
			break
		}
		require.NotEqual(t, coroutine.NetStartTLS, req.Op, "no handshake after injected bytes")
		in = coroutine.NetReply{}
		if req.Op == coroutine.NetRead {
			if len(server) == 0 {
				in.EOF = true
				continue
			}
			in.Data, server = []byte(server[0]), server[1:]
		}
	}
	_, err := m.Result()
	require.ErrorIs(t, err, email.ErrProtocol)

	// STARTTLS required but not offered.
	_, _, err = hostileDrive(open(NewSession(false, Limits{})), []string{"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n"}, 0)
	require.ErrorIs(t, err, email.ErrInsecure)
	// STARTTLS refused.
	_, _, err = hostileDrive(open(NewSession(false, Limits{})), []string{"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n", "A1 NO not today\r\n"}, 0)
	var ce *CommandError
	require.ErrorAs(t, err, &ce)
	// A PREAUTH server cannot be upgraded.
	_, _, err = hostileDrive(open(NewSession(false, Limits{})), []string{"* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"}, 0)
	require.ErrorIs(t, err, email.ErrInsecure)
}

func TestHostileAuthenticate(t *testing.T) {
	// A challenge that is not base64 makes the client cancel with "*".
	s := NewSession(true, Limits{})
	m := Open(s, OpenOptions{Auth: alice})
	_, written, err := hostileDrive(m, []string{"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n", "+ !!!notbase64\r\n", "A1 BAD cancelled\r\n"}, 0)
	require.ErrorIs(t, err, email.ErrProtocol)
	assert.Contains(t, string(written), "\r\n*\r\n")
	// Mechanism not offered and no LOGIN either.
	_, _, err = hostileDrive(Open(NewSession(true, Limits{}), OpenOptions{Auth: alice}), []string{"* OK [CAPABILITY IMAP4rev1 AUTH=GSSAPI LOGINDISABLED] hi\r\n"}, 0)
	require.ErrorIs(t, err, email.ErrUnsupported)
}

func TestHostileAppendRefused(t *testing.T) {
	// The server refuses the synchronising literal: the message is not sent.
	s := NewSession(true, Limits{})
	m := openThen(s, func(s *Session) coroutine.NetMachine[string] {
		return AddMessage(s, "INBOX", []byte("Subject: x\r\n\r\nsecret body\r\n"), nil)
	})
	_, written, err := hostileDrive(m, []string{greet, loginOK, "A2 NO [OVERQUOTA] full\r\n"}, 0)
	var ce *CommandError
	require.ErrorAs(t, err, &ce)
	assert.NotContains(t, string(written), "secret body")
}

func TestHostileNames(t *testing.T) {
	s := NewSession(true, Limits{})
	m := openThen(s, func(s *Session) coroutine.NetMachine[[]email.Mailbox] {
		return ListMailboxes(s, email.ListMailboxesOptions{})
	})
	boxes, _, err := hostileDrive(m, []string{greet, loginOK,
		"* LIST () \"/\" \"caf\xe9\"\r\n* LIST () \"/\" \"&Jjo\"\r\n* LIST (\\NonExistent) \"/\" gone\r\n* LIST () \".\" \"a.b\"\r\nA2 OK\r\n"}, 3)
	require.NoError(t, err)
	require.Len(t, boxes, 3)
	assert.Equal(t, "caf\uFFFD", boxes[0].Name)
	assert.Equal(t, "caf\xe9", boxes[0].ID, "the raw name round-trips")
	assert.Equal(t, "&Jjo", boxes[1].ID)
	assert.Equal(t, "a/b", boxes[2].ID)
	// An id that did not decode goes back to the server verbatim.
	_, written, err := hostileDrive(DeleteMailbox(s, "&Jjo"), []string{"A3 OK deleted\r\n"}, 0)
	require.NoError(t, err)
	assert.Equal(t, "A3 DELETE &Jjo\r\n", string(written))
}
