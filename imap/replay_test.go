package imap

import (
	"errors"
	"strings"

	"github.com/ioemail/ioemail/imap/internal/wire"
	"os"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

func loadScript(t *testing.T, name string) []coroutine.Turn {
	t.Helper()
	text, err := os.ReadFile("../testdata/imap/" + name)
	require.NoError(t, err)
	turns, err := coroutine.ParseTranscript(string(text))
	require.NoError(t, err)
	return turns
}

var alice = sasl.NewPlainClient("", "alice", "alicepass")

// openThen opens a session as alice and then runs the machine next builds.
func openThen[R any](s *Session, next func(*Session) coroutine.NetMachine[R]) coroutine.NetMachine[R] {
	return coroutine.Then(Open(s, OpenOptions{Auth: alice}), func(OpenResult) coroutine.NetMachine[R] { return next(s) })
}

// replay runs the machine against a transcript at several chunk sizes and
// returns the result of the last run.
func replay[R any](t *testing.T, name string, build func(*Session) coroutine.NetMachine[R]) (R, error) {
	t.Helper()
	turns := loadScript(t, name)
	var out R
	var err error
	for _, chunk := range []int{0, 1, 2, 5, 17} {
		s := NewSession(true, Limits{})
		out, err = coroutine.ReplayNet(build(s), &coroutine.NetScript{Turns: turns, Chunk: chunk})
		var se *coroutine.ScriptError
		require.False(t, errorsAs(err, &se), "chunk %d: %v", chunk, err)
	}
	return out, err
}

func TestReplayDovecotSession(t *testing.T) {
	// The recorded Dovecot session is replayed through the raw runner: every
	// response parses and every tag matches, at every chunk size.
	turns := loadScript(t, "dovecot-session.txt")
	for _, chunk := range []int{0, 1, 3, 64} {
		s := NewSession(true, Limits{})
		m := &rawScript{s: s, turns: turns}
		_, err := coroutine.ReplayNet[int](m, &coroutine.NetScript{Turns: turns, Chunk: chunk})
		require.NoError(t, err, "chunk %d", chunk)
		assert.Equal(t, 24, m.tagged)
		assert.True(t, s.hasRaw("QRESYNC"))
		assert.Contains(t, s.enabled, imap.CapQResync)
	}
}

func TestReplayNoSort(t *testing.T) {
	envs, err := replay(t, "fallback-no-sort.txt", func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return openThen(s, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
			return ListEnvelopes(s, "inbox", email.ListOptions{Page: 1, PageSize: 2})
		})
	})
	require.NoError(t, err)
	require.Len(t, envs, 2)
	assert.Equal(t, "11", envs[0].ID)
	assert.Equal(t, "newest", envs[0].Subject)
	assert.True(t, envs[0].Flags.Has(email.FlagSeen))
	assert.Equal(t, "10", envs[1].ID)
	assert.Equal(t, "older@x", envs[1].MessageID)
	assert.Equal(t, []email.Address{{Name: "Ann", Email: "ann@example.test"}}, envs[1].From)
}

func TestReplayNoMove(t *testing.T) {
	ids, err := replay(t, "fallback-no-move.txt", func(s *Session) coroutine.NetMachine[[]string] {
		return openThen(s, func(s *Session) coroutine.NetMachine[[]string] {
			return MoveMessages(s, "INBOX", "Archive", []string{"11", "10"})
		})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"501", "500"}, ids)
}

func TestReplayNoUIDPlus(t *testing.T) {
	_, err := replay(t, "fallback-no-uidplus-refused.txt", func(s *Session) coroutine.NetMachine[struct{}] {
		return openThen(s, func(s *Session) coroutine.NetMachine[struct{}] { return DeleteMessages(s, "INBOX", []string{"11"}) })
	})
	assert.ErrorIs(t, err, email.ErrRefused)
	_, err = replay(t, "fallback-no-uidplus.txt", func(s *Session) coroutine.NetMachine[struct{}] {
		return openThen(s, func(s *Session) coroutine.NetMachine[struct{}] { return DeleteMessages(s, "INBOX", []string{"11"}) })
	})
	assert.NoError(t, err)
}

func TestReplayLoginFallback(t *testing.T) {
	res, err := replay(t, "session-login-fallback.txt", func(s *Session) coroutine.NetMachine[OpenResult] {
		return Open(s, OpenOptions{Auth: sasl.NewPlainClient("", "alice", `p a"ss`), ID: map[string]string{"name": "ioemail"}})
	})
	require.NoError(t, err)
	assert.Equal(t, "Dovecot", res.ServerID["name"])
}

func TestReplayStartTLS(t *testing.T) {
	turns := loadScript(t, "session-starttls.txt")
	for _, chunk := range []int{0, 1, 4} {
		s := NewSession(false, Limits{})
		_, err := coroutine.ReplayNet(Open(s, OpenOptions{StartTLS: StartTLSRequired, Auth: alice}), &coroutine.NetScript{Turns: turns, Chunk: chunk})
		require.NoError(t, err)
		assert.True(t, s.Secure)
		assert.Equal(t, StateAuthenticated, s.State)
		assert.True(t, s.hasRaw("IDLE"), "capabilities refreshed after AUTHENTICATE")
	}
}

func TestReplayPreauth(t *testing.T) {
	res, err := replay(t, "session-preauth.txt", func(s *Session) coroutine.NetMachine[OpenResult] {
		return Open(s, OpenOptions{Auth: alice})
	})
	require.NoError(t, err)
	assert.True(t, res.PreAuth)
}

func TestReplaySyncLiteral(t *testing.T) {
	_, err := replay(t, "session-sync-literal.txt", func(s *Session) coroutine.NetMachine[OpenResult] {
		return Open(s, OpenOptions{Auth: sasl.NewPlainClient("", "alice", "a\r\nb!")})
	})
	require.NoError(t, err)
}

// rawScript sends the client turns of a transcript as they are, through
// the runner, and counts the tagged statuses.
type rawScript struct {
	s      *Session
	turns  []coroutine.Turn
	i      int
	greet  bool
	tagged int
	m      *machine[int]
}

func (r *rawScript) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	if r.m == nil {
		r.m = newMachine[int](r.s, "raw", r)
	}
	return r.m.Resume(in)
}

func (r *rawScript) Result() (int, error) { return r.m.Result() }

func (r *rawScript) result() int { return r.tagged }

func (r *rawScript) advance(run *runner) ([]*wire.Command, bool, error) {
	if run.err != nil {
		return nil, false, run.err
	}
	if !r.greet {
		r.greet = true
		run.greet = true
		return nil, false, nil
	}
	for _, st := range run.status {
		if st != nil {
			r.tagged++
		}
	}
	for r.i < len(r.turns) && r.turns[r.i].Side != coroutine.Client {
		r.i++
	}
	if r.i == len(r.turns) {
		return nil, true, nil
	}
	data := r.turns[r.i].Data
	r.i++
	tag, _, _ := strings.Cut(string(data), " ")
	run.byeOK = true
	return []*wire.Command{{Tag: tag, Segments: [][]byte{data}}}, false, nil
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func TestReplayDotDelimiter(t *testing.T) {
	_, err := replay(t, "dot-delimiter.txt", func(s *Session) coroutine.NetMachine[struct{}] {
		return openThen(s, func(s *Session) coroutine.NetMachine[struct{}] { return CreateMailbox(s, "a/b") })
	})
	require.NoError(t, err)
	// A name holding the delimiter itself cannot be sent.
	s := NewSession(true, Limits{})
	s.State, s.delim = StateAuthenticated, '.'
	_, _, err = hostileDrive(CreateMailbox(s, "v1.2/x"), nil, 0)
	require.ErrorIs(t, err, email.ErrInvalidName)
}

func TestReplayAppendNoUIDPlus(t *testing.T) {
	id, err := replay(t, "fallback-no-uidplus-append.txt", func(s *Session) coroutine.NetMachine[string] {
		return openThen(s, func(s *Session) coroutine.NetMachine[string] {
			return AddMessage(s, "Drafts", []byte("Message-ID: <a@b>\r\nSubject: hi\r\n\r\nhello\r\n"), email.NewFlags(email.FlagSeen))
		})
	})
	require.NoError(t, err)
	assert.Equal(t, "41", id)
}

func TestReplayNoListStatus(t *testing.T) {
	boxes, err := replay(t, "fallback-no-list-status.txt", func(s *Session) coroutine.NetMachine[[]email.Mailbox] {
		return openThen(s, func(s *Session) coroutine.NetMachine[[]email.Mailbox] {
			return ListMailboxes(s, email.ListMailboxesOptions{WithCounts: true})
		})
	})
	require.NoError(t, err)
	require.Len(t, boxes, 3)
	assert.Equal(t, email.Mailbox{ID: "INBOX", Name: "INBOX", Role: email.RoleInbox, Total: email.IntPtr(12), Unread: email.IntPtr(3)}, boxes[0])
	assert.Equal(t, email.Mailbox{ID: "Trash", Name: "Trash", Role: email.RoleTrash}, boxes[1])
	assert.Equal(t, email.Mailbox{ID: "Projekte/Entwürfe", Name: "Projekte/Entwürfe", Total: email.IntPtr(2), Unread: email.IntPtr(0)}, boxes[2])
}
