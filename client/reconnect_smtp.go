package client

import (
	"bytes"
	"context"

	"github.com/ioemail/ioemail/coroutine"
)

// committing wraps an SMTP send and records whether it asked to write
// what lets the server take the message: the end of DATA ("CRLF.CRLF"),
// or whatever follows a write holding a BDAT command (its chunk), or
// any chunk of a streamed body. Before that, a broken connection leaves nothing behind
// (RFC 5321 section 4.1.1.4: the transaction is committed by the reply
// to the end of the data), so the send may be repeated; after it, the
// message may have gone through.
type committing[R any] struct {
	m         coroutine.NetMachine[R]
	bdat      bool
	committed bool
}

func (c *committing[R]) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	req, done := c.m.Resume(in)
	if !done && req.Op == coroutine.NetSource {
		c.committed = true // a streamed body: the data has started
	}
	if !done && req.Op == coroutine.NetWrite {
		c.committed = c.committed || c.bdat || bytes.HasSuffix(req.Data, []byte("\r\n.\r\n"))
		c.bdat = c.bdat || bytes.HasPrefix(req.Data, []byte("BDAT ")) || bytes.Contains(req.Data, []byte("\r\nBDAT "))
	}
	return req, done
}

func (c *committing[R]) Result() (R, error) { return c.m.Result() }

// redial dials again as the reconnect policy says; sc.mu is held.
func (sc *SMTPClient) redial(ctx context.Context) error {
	err := redial(ctx, sc.opts.reconnectPolicy(), nil, func(ctx context.Context) error {
		err := sc.connect(ctx)
		if err == nil {
			sc.broken = nil
		}
		return err
	})
	if err != nil {
		sc.log.Warn("smtp: reconnecting failed", "addr", sc.addr, "err", err)
		return err
	}
	sc.log.Info("smtp: reconnected", "addr", sc.addr)
	return nil
}
