package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/jmap"
)

// The JMAP client streams message bodies: a download (GetMessage,
// GetMessages) copies the response body to the caller's writer as it
// arrives, an upload (AddMessage, SendMessageReader) gives net/http a
// reader that pulls the caller's reader through the request's transform
// (the canonicalisation of package jmap) as the request is written,
// chunked. Either way the client holds one copy buffer, never the
// message.

// uploadReader is the request body of an exchange with SourceBody: src
// read through the request's transform, refused past its SourceLimit. err
// keeps why it stopped, when the source failed or passed the limit, so do
// reports that and not the transport's wrapping of it.
type uploadReader struct {
	src   io.Reader
	tr    jmap.Transform
	limit int64
	sent  int64
	buf   []byte // the bytes read from src
	store []byte // the transform's output for one read of src
	out   []byte // what of store is not handed out yet
	eof   bool
	err   error
}

func newUploadReader(src io.Reader, req jmap.Request) *uploadReader {
	u := &uploadReader{src: src, limit: req.SourceLimit}
	if req.SourceTransform != nil {
		u.tr = req.SourceTransform()
	}
	return u
}

func (u *uploadReader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		if u.eof {
			return 0, io.EOF
		}
		if u.buf == nil {
			u.buf = make([]byte, copyChunk)
		}
		n, err := u.src.Read(u.buf)
		out := u.store[:0]
		if u.tr != nil {
			out = u.tr.Append(out, u.buf[:n])
		} else {
			out = append(out, u.buf[:n]...)
		}
		switch {
		case err == io.EOF:
			u.eof = true
			if u.tr != nil {
				out = u.tr.Flush(out)
			}
		case err != nil:
			u.err = fmt.Errorf("client: reading the message: %w", err)
		}
		u.sent += int64(len(out))
		if u.limit > 0 && u.sent > u.limit {
			u.err = fmt.Errorf("jmap: message over %d bytes: %w", u.limit, email.ErrTooLarge)
			return 0, u.err
		}
		u.store, u.out = out, out
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// streamResponse copies the body of resp, at most limit bytes, to
// body.Sink and answers with the status, the header and the count.
func (j *JMAPClient) streamResponse(ctx context.Context, resp *http.Response, limit int64, body *Body) jmap.Response {
	if body == nil || body.Sink == nil {
		return jmap.Response{Err: errNoBody}
	}
	j.traceResponse(resp, nil)
	n, err := io.CopyBuffer(sinkWriter{body.Sink}, io.LimitReader(resp.Body, limit), make([]byte, copyChunk))
	if err == nil && n == limit {
		// One byte more tells a body over the limit; it is not written.
		var one [1]byte
		switch _, rerr := io.ReadFull(resp.Body, one[:]); {
		case rerr == nil:
			n++
		case rerr != io.EOF:
			err = rerr
		}
	}
	var se sinkError
	switch {
	case errors.As(err, &se):
		return jmap.Response{Err: se.err}
	case err != nil:
		if cerr := ctx.Err(); cerr != nil {
			return jmap.Response{Err: cerr}
		}
		return jmap.Response{Err: fmt.Errorf("jmap: reading response: %w", jmap.TransportError(scrubURLError(err), true))}
	case n > limit:
		return jmap.Response{Err: fmt.Errorf("jmap: response over the limit of %d bytes: %w", limit, email.ErrTooLarge)}
	}
	return jmap.Response{Status: resp.StatusCode, Header: jmap.Header(resp.Header), Streamed: n}
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// GetMessage downloads the raw message into w as it arrives; see
// jmap.GetMessageStream. A message over Options.MaxMessageSize fails with
// email.ErrTooLarge before any byte is written (the size is known from
// Email/get), and the client stays usable. It returns the bytes written to
// w, which are not the whole message when the download failed midway.
func (j *JMAPClient) GetMessage(ctx context.Context, mailbox, id string, w io.Writer) (int64, error) {
	s := j.sess(ctx)
	cw := &countWriter{w: w}
	var last error
	err := j.withMailbox(ctx, s, mailbox, func(mid string) error {
		if cw.n > 0 {
			return last // bytes went out: not repeatable
		}
		_, last = runJMAPBody(ctx, j, jmap.GetMessageStream(s, mid, id, j.maxMessage), &Body{Sink: cw})
		return last
	})
	return cw.n, jmapErr("get_message", err)
}

// AddMessage uploads the raw message read from r, canonicalised on the
// stream (see jmap.Canonicalizer), and imports it into the mailbox with
// flags; see jmap.AddMessage. r is read once, as the upload is sent
// (chunked: its length is not known). A message over the server's
// maxSizeUpload or Options.MaxMessageSize fails with email.ErrTooLarge as
// the bytes pass, and the client stays usable.
func (j *JMAPClient) AddMessage(ctx context.Context, mailbox string, r io.Reader, flags email.Flags, opts ...email.AddOption) (string, error) {
	s := j.sess(ctx)
	var id, blobID string
	var upErr error
	uploaded := false
	err := j.withMailbox(ctx, s, mailbox, func(mid string) (err error) {
		if !uploaded {
			// Once only: r is read by the first try. A try again with a
			// fresh mailbox id imports the same blob.
			uploaded = true
			blobID, upErr = runJMAPBody(ctx, j, jmap.UploadStream(s, "message/rfc822", j.maxMessage, canonical), &Body{Source: r})
		}
		if upErr != nil {
			return upErr
		}
		id, err = runJMAP(ctx, j, jmap.ImportMessage(s, mid, blobID, flags, opts...))
		return err
	})
	return id, jmapErr("add_message", err)
}

func canonical() jmap.Transform { return new(jmap.Canonicalizer) }

// maxSendHead bounds the header block SendMessageReader reads before the
// upload starts.
const maxSendHead = 1 << 20

// SendMessageReader submits the raw message read from r as SendMessage
// does, without holding it whole: the header block is read first (at most
// 1 MiB, else email.ErrTooLarge) for the envelope and to drop the Bcc
// fields, then the rest of r is streamed into the upload, canonicalised on
// the way; see jmap.SendMessageStream. size is not needed (the upload is
// chunked) and may be -1. The message obeys Options.MaxMessageSize.
func (j *JMAPClient) SendMessageReader(ctx context.Context, r io.Reader, size int64, opts email.SendOptions) (email.SendResult, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := readHead(br, maxSendHead)
	if err != nil {
		return email.SendResult{}, jmapErr("send_message", err)
	}
	out, err := runJMAPBody(ctx, j, jmap.SendMessageStream(j.sess(ctx), head, j.maxMessage, opts), &Body{Source: br})
	return out, jmapErr("send_message", err)
}

// readHead reads the header block of a message from br: the lines through
// the first empty one, or everything when there is none. More than max
// bytes fail with email.ErrTooLarge.
func readHead(br *bufio.Reader, max int) ([]byte, error) {
	var head []byte
	lineStart := 0
	for {
		frag, err := br.ReadSlice('\n')
		head = append(head, frag...)
		if len(head) > max {
			return nil, fmt.Errorf("jmap: header block over %d bytes: %w", max, email.ErrTooLarge)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF:
			return head, nil
		case err != nil:
			return nil, fmt.Errorf("client: reading the message: %w", err)
		}
		if line := head[lineStart:]; len(line) == 1 || (len(line) == 2 && line[0] == '\r') {
			return head, nil
		}
		lineStart = len(head)
	}
}
