package imap

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// idleOnce shows that the runner carries what a watch machine needs:
// IDLE, its continuation, DONE on data or on a read timeout.
type idleOnce struct {
	s      *Session
	sent   bool
	exists uint32
}

func (i *idleOnce) result() uint32 { return i.exists }

func (i *idleOnce) advance(r *runner) ([]*wire.Command, bool, error) {
	if i.sent {
		if err := runErr(r, 0, "IDLE"); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	}
	i.sent = true
	done := false
	stop := func() {
		if !done {
			done = true
			r.queue([]byte("DONE\r\n"))
		}
	}
	r.onCont = func([]byte) ([]byte, error) { return nil, nil }
	r.onData = func(resp *wire.Response) error {
		if resp.Kind == wire.KindExists {
			i.exists = resp.Num
			stop()
		}
		return nil
	}
	r.wait = 29 * time.Minute
	r.onTimeout = func() ([]byte, error) { stop(); return nil, nil }
	return one(i.s.command("IDLE"))
}

func TestRunnerIdle(t *testing.T) {
	n, err := replay(t, "idle.txt", func(s *Session) coroutine.NetMachine[uint32] {
		return openThen(s, func(s *Session) coroutine.NetMachine[uint32] {
			return newMachine[uint32](s, "idle", &idleOnce{s: s})
		})
	})
	require.NoError(t, err)
	assert.Equal(t, uint32(4), n)

	// On a read timeout DONE goes out too.
	s := NewSession(true, Limits{})
	s.State = StateAuthenticated
	m := newMachine[uint32](s, "idle", &idleOnce{s: s})
	req, _ := m.Resume(coroutine.NetReply{})
	assert.Equal(t, "A1 IDLE\r\n", string(req.Data))
	req, _ = m.Resume(coroutine.NetReply{})
	require.Equal(t, coroutine.NetRead, req.Op)
	assert.Equal(t, 29*time.Minute, req.Wait)
	req, _ = m.Resume(coroutine.NetReply{Data: []byte("+ idling\r\n")})
	require.Equal(t, coroutine.NetRead, req.Op)
	req, _ = m.Resume(coroutine.NetReply{TimedOut: true})
	require.Equal(t, coroutine.NetWrite, req.Op)
	assert.Equal(t, "DONE\r\n", string(req.Data))
	m.Resume(coroutine.NetReply{})
	_, done := m.Resume(coroutine.NetReply{Data: []byte("A1 OK done\r\n")})
	require.True(t, done)
	_, err = m.Result()
	require.NoError(t, err)
}
