package smtp

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// MaxStreamHeader bounds the header block SendStream reads before it sends
// anything (it needs the whole header for the envelope and Bcc).
const MaxStreamHeader = 1 << 20

// streamChunk is the most SendStream asks its source for at once, and
// bdatChunk the size of the BDAT chunks it sends.
const (
	streamChunk = 256 << 10
	bdatChunk   = 1 << 20
)

// SendStream returns a machine that submits the raw RFC 5322 message read
// from the operation's source (coroutine.NetSource, see "Streaming bodies"
// in package coroutine), as Send does, without holding it: it reads the
// header block (at most MaxStreamHeader bytes, else email.ErrTooLarge
// before any command), takes the envelope from it (EnvelopeFromHeaders)
// and removes Bcc and Resent-Bcc unless opts.KeepBcc, then streams the
// message in chunks of at most 256 KiB: after DATA with line endings
// normalised and dot-stuffing on the fly, or as BDAT chunks of 1 MiB, the
// last one with LAST (RFC 3030), their replies read at the end.
//
// size is the message's size when the caller knows it (else -1): it goes
// in MAIL FROM's SIZE and is checked against the server's limit before
// anything is sent. Since the body is not seen before MAIL FROM,
// BODY=8BITMIME is declared whenever the server offers 8BITMIME (RFC 6152
// allows it on 7-bit data); without 8BITMIME an 8-bit byte of the header
// fails before any command, one of the body (like a body over the server's
// SIZE, or an error of the source) fails mid-data and breaks the session,
// since DATA cannot be abandoned.
func (s *Session) SendStream(opts email.SendOptions, size int64) coroutine.NetMachine[email.SendResult] {
	o := &sendOp{s: s, stream: true, opts: opts, hint: size, state: sendHead}
	return newMachine(s, o, func() email.SendResult { return o.res })
}

// streamer is the part of an exchange that moves the operation's source:
// given the reply to its last request, it returns the next one with more
// true, or more false once it has finished.
type streamer interface {
	next(s *Session, x *exchange, in coroutine.NetReply) (req coroutine.NetRequest, more bool, err error)
}

// headReader reads the source up to the end of the header block.
type headReader struct {
	buf   []byte
	end   int
	asked bool
}

func (h *headReader) next(_ *Session, _ *exchange, in coroutine.NetReply) (coroutine.NetRequest, bool, error) {
	if h.asked {
		h.asked = false
		if in.EOF {
			h.end = len(h.buf)
			return coroutine.NetRequest{}, false, nil
		}
		h.buf = append(h.buf, in.Data...)
		if e := headerEnd(h.buf); e >= 0 {
			h.end = e
			return coroutine.NetRequest{}, false, nil
		}
		if len(h.buf) > MaxStreamHeader {
			return coroutine.NetRequest{}, false, fmt.Errorf("smtp: message header longer than %d bytes: %w", MaxStreamHeader, email.ErrTooLarge)
		}
	}
	h.asked = true
	return coroutine.Source(streamChunk), true, nil
}

// headerEnd returns the offset just past the empty line ending the header
// in b, or -1 when b holds no complete empty line.
func headerEnd(b []byte) int {
	pos := 0
	for {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			return -1
		}
		if line := b[pos : pos+i+1]; len(line) == 1 || len(line) == 2 && line[0] == '\r' {
			return pos + i + 1
		}
		pos += i + 1
	}
}

// dataStream sends the message: what the header read left (pending), then
// the rest of the source, encoded, as DATA content or BDAT chunks.
type dataStream struct {
	enc     encoder
	bdat    bool
	limit   int64 // the server's SIZE, 0 for none
	pending []byte
	out     []byte   // encoded, not yet written
	queue   [][]byte // writes of the current flush
	sent    int64
	asked   bool
	flushed bool // out was written: it is ours again on the next resume
	eof     bool
	ended   bool // the final chunk is queued
}

func (d *dataStream) next(s *Session, x *exchange, in coroutine.NetReply) (coroutine.NetRequest, bool, error) {
	if d.asked {
		d.asked = false
		if in.EOF {
			d.eof = true
		} else {
			d.pending = in.Data
		}
	}
	if len(d.queue) > 0 {
		w := d.queue[0]
		d.queue = d.queue[1:]
		d.flushed = len(d.queue) == 0
		return coroutine.Write(w), true, nil
	}
	if d.flushed {
		d.out, d.flushed = d.out[:0], false
	}
	if d.ended {
		return coroutine.NetRequest{}, false, nil
	}
	if len(d.pending) > 0 {
		var err error
		d.out, err = d.enc.encode(d.out, d.pending)
		d.pending = nil
		if err != nil {
			return coroutine.NetRequest{}, false, s.broken(err)
		}
	}
	if d.eof {
		d.out, d.ended = d.enc.end(d.out), true
	}
	if !d.ended && (len(d.out) == 0 || d.bdat && len(d.out) < bdatChunk) {
		d.asked = true
		return coroutine.Source(streamChunk), true, nil
	}
	d.sent += int64(len(d.out))
	if over := d.sent; d.limit > 0 && (d.ended && d.enc.stuff && over-3 > d.limit || !(d.ended && d.enc.stuff) && over > d.limit) {
		return coroutine.NetRequest{}, false, s.broken(fmt.Errorf("smtp: the message is over the server's limit of %d bytes: %w", d.limit, email.ErrTooLarge))
	}
	// out is the driver's until the next resume (NetWrite), then reused.
	if d.bdat {
		line := "BDAT " + strconv.Itoa(len(d.out))
		if d.ended {
			line += " LAST"
		}
		x.cmds = append(x.cmds, "BDAT")
		d.queue = append(d.queue, d.out)
		return coroutine.Write([]byte(line + "\r\n")), true, nil
	}
	d.flushed = true
	return coroutine.Write(d.out), true, nil
}

// fromHead takes the envelope from the header read and removes Bcc, for
// SendStream; the raw header is then what the SMTPUTF8 check looks at.
func (o *sendOp) fromHead() error {
	h := o.head
	head := h.buf[:h.end]
	env, err := EnvelopeFromHeaders(head, o.opts)
	if err != nil {
		return err
	}
	o.env = env
	rest := h.buf[h.end:]
	if !o.opts.KeepBcc {
		head = StripBcc(head)
	}
	o.raw = head // for the 8-bit and SMTPUTF8 checks of prepare
	h.buf = append(append([]byte(nil), head...), rest...)
	return nil
}

// dataStream returns the streamer of the message data.
func (o *sendOp) dataStream() *dataStream {
	d := &dataStream{enc: encoder{stuff: !o.bdat, allow8: o.s.ext.EightBitMIME}, bdat: o.bdat, limit: o.s.ext.Size, pending: o.head.buf}
	// Room for a chunk (or a BDAT chunk) and one source read encoded
	// (at most twice its size), so that it never grows.
	size := 2 * streamChunk
	if o.bdat {
		size += bdatChunk
	}
	d.out = make([]byte, 0, max(size, 2*len(d.pending)+5))
	o.head = nil
	return d
}

// dataExchange sends the message after DATA's 354.
func (o *sendOp) dataExchange() *exchange {
	if o.stream {
		return &exchange{stream: o.dataStream(), cmds: []string{"DATA"}}
	}
	return &exchange{writes: [][]byte{o.data}, cmds: []string{"DATA"}}
}

// lastReply returns the reply that decides a run of replies to chunks of
// data: the first that is not a success, else the last.
func lastReply(rs []Reply) Reply {
	for _, r := range rs {
		if r.Class() != 2 {
			return r
		}
	}
	return rs[len(rs)-1]
}
