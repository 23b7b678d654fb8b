package main

import (
	"bytes"
	"log"

	"github.com/emersion/go-sasl"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
)

// memConn answers our step machines from memory, with no socket: every
// command written is answered by the replay, and reads are served from
// the answers in chunks of a fixed size.
type memConn struct {
	rp      *replay
	chunk   int
	pending []byte
	pos     int
	scratch bytes.Buffer
}

func (m *memConn) do(req coroutine.NetRequest) coroutine.NetReply {
	switch req.Op {
	case coroutine.NetWrite:
		m.pending = append(m.pending[:0], m.pending[m.pos:]...)
		m.pos = 0
		data := req.Data
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				i = len(data) - 1
			}
			m.scratch.Reset()
			m.rp.answer(&m.scratch, string(data[:i+1]))
			m.pending = append(m.pending, m.scratch.Bytes()...)
			data = data[i+1:]
		}
		return coroutine.NetReply{}
	case coroutine.NetRead:
		if m.pos == len(m.pending) {
			return coroutine.NetReply{EOF: true}
		}
		end := min(m.pos+m.chunk, len(m.pending))
		data := m.pending[m.pos:end]
		m.pos = end
		return coroutine.NetReply{Data: data}
	}
	return coroutine.NetReply{}
}

// memSession opens a session of ours on a memConn (greeting,
// AUTHENTICATE PLAIN).
func memSession(rp *replay, chunk int) (*imap.Session, *memConn) {
	m := &memConn{rp: rp, chunk: chunk, pending: []byte(greeting)}
	s := imap.NewSession(false, imap.Limits{})
	opts := imap.OpenOptions{Auth: sasl.NewPlainClient("", *user, *pass), AllowInsecureAuth: true}
	if _, err := coroutine.Run(imap.Open(s, opts), m.do); err != nil {
		log.Fatal(err)
	}
	return s, m
}

// listMemory runs the list_envelopes machine on s, fed from memory.
func listMemory(s *imap.Session, m *memConn) int {
	envs, err := coroutine.Run(imap.ListEnvelopes(s, "INBOX", email.ListOptions{}), m.do)
	if err != nil {
		log.Fatal(err)
	}
	sink = envs
	return len(envs)
}
