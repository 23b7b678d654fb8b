package imap

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
)

// collected runs a streaming GetMessage and gathers what it sinks, for
// tests written against whole messages.
type collected struct {
	m   coroutine.NetMachine[int64]
	buf []byte
}

// getBytes is GetMessage without a size limit, its body gathered.
func getBytes(s *Session, mailbox, id string) coroutine.NetMachine[[]byte] {
	return &collected{m: GetMessage(s, mailbox, id, 0)}
}

func (c *collected) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	for {
		req, done := c.m.Resume(in)
		if done || req.Op != coroutine.NetSink {
			return req, done
		}
		c.buf = append(c.buf, req.Data...)
		in = coroutine.NetReply{}
	}
}

func (c *collected) Result() ([]byte, error) {
	n, err := c.m.Result()
	if err != nil {
		return nil, err
	}
	if n != int64(len(c.buf)) {
		return nil, fmt.Errorf("GetMessage counted %d bytes and sank %d", n, len(c.buf))
	}
	return c.buf, nil
}
