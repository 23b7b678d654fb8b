package imap

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// unit is one write of a command batch; needCont says it may only go out
// after a continuation request (it follows a synchronising literal).
type unit struct {
	data     []byte
	needCont bool
	cmd      int
	// source > 0: that many bytes of the operation's source go out
	// before data (a streamed literal, wire.Command.Source).
	source int64
}

// sourceChunk is the most a NetSource request asks for.
const sourceChunk = 256 << 10

// runner is the command-runner machine: it writes a batch of commands
// (pipelined when they hold no synchronising literal; split at each
// synchronising literal otherwise), reads responses, hands untagged data to
// onData, and finishes when every command of the batch has its tagged
// status, or on BYE, EOF, an I/O error or a protocol violation.
//
// It is embedded in the operation machines; its state is the pair
// (state, next unit).
type runner struct {
	s      *Session
	tags   []string
	names  []string // the command names sent ("UID FETCH"), for errors
	status []*wire.Status
	units  []unit
	next   int
	left   int
	state  runState
	// onData receives every untagged response. Its error ends the run.
	onData func(*wire.Response) error
	// onCont answers continuation requests that are not literal
	// go-aheads (AUTHENTICATE, IDLE): the bytes returned are written.
	onCont func(text []byte) ([]byte, error)
	// byeOK accepts an untagged BYE (LOGOUT).
	byeOK bool
	// greet makes the run read the server greeting instead of running
	// commands; greeting then holds it.
	greet    bool
	greeting *wire.Status
	// startTLS makes a successful single command (STARTTLS) end with a
	// NetStartTLS request, after checking that the server sent nothing
	// more in plain text.
	startTLS bool
	// wait bounds each read (coroutine.NetRequest.Wait); onTimeout is
	// called when a read saw nothing in that time, and returns bytes to
	// write (for IDLE: "DONE"), or an error to end the run.
	wait      time.Duration
	onTimeout func() ([]byte, error)
	err       error
	pend      []byte // bytes to write next (see queue)
	// needs lists the keywords of the untagged responses that answer the
	// batch (besides those stateName knows): one that does not parse
	// fails the run.
	needs []string
	// scrub, when set, rewrites the run's error before it is kept (the
	// authentication removes echoed credentials with it).
	scrub func(error) error
	// late is an error found while the batch was still running (a broken
	// untagged response, an onData error): the run goes on to the tagged
	// statuses, so the stream stays in step, and then fails with it.
	late error
	// onBody, when set, streams the BODY[] literals of FETCH responses
	// instead of buffering them: it is called at the start of each with
	// the items the server sent before it (the UID, usually) and the
	// literal's size, and says whether its bytes go to the operation's
	// sink (NetSink requests, one per chunk as it arrives) or are
	// dropped. Its error drops them and fails the run at its end.
	onBody func(head *wire.Fetch, size int64) (bool, error)
	// markBodies starts every streamed body with an empty NetSink
	// request, so a driver can tell the messages of a batch apart.
	markBodies bool
	// bodySize is the announced size of the body being streamed.
	bodySize int64
	// srcLeft counts the bytes of the streamed literal still to send;
	// onSource sees each chunk as it goes (AddMessage keeps the header).
	srcLeft  int64
	onSource func([]byte)
	// sinkq holds bodies that came in a response rather than as a literal
	// (a quoted BODY[]): they go to the sink next, each after its mark
	// under markBodies (see sinkData).
	sinkq [][]byte
}

// ErrSkipBody is the error a driver answers a NetSink request with to drop
// the rest of that message's body (its reader was abandoned): the machine
// discards those bytes as they arrive and goes on, without failing. Any
// other error of a NetSink reply drops the rest too and fails the
// operation with it once the server has answered, the session usable.
var ErrSkipBody = errors.New("imap: skip the rest of this message")

// sinkData queues the body b (copied) to be handed to the sink after the
// response being handled.
func (r *runner) sinkData(b []byte) {
	if r.markBodies {
		r.sinkq = append(r.sinkq, nil)
	}
	if len(b) > 0 {
		r.sinkq = append(r.sinkq, append([]byte(nil), b...))
	}
}

// queue asks the runner to write b as soon as the response being handled
// is processed. Callbacks use it to end IDLE with DONE (RFC 2177) when
// data arrives.
func (r *runner) queue(b []byte) { r.pend = append(r.pend, b...) }

type runState uint8

const (
	runStart runState = iota
	runWrite
	runRead
	runTLS
	runSink
	runSource
	runSourceWrite
	runDone
)

// start prepares the runner for cmds, keeping its callbacks. The tags
// come from the session.
func (r *runner) start(s *Session, cmds []*wire.Command) {
	r.s, r.err, r.pend, r.next, r.late = s, nil, nil, 0, nil
	r.sinkq, r.bodySize, r.srcLeft = nil, 0, 0
	s.r.StreamBodies = r.onBody != nil
	r.left = len(cmds)
	r.status = make([]*wire.Status, len(cmds))
	r.tags, r.units, r.names = r.tags[:0], r.units[:0], r.names[:0]
	for i, c := range cmds {
		r.tags = append(r.tags, c.Tag)
		r.names = append(r.names, commandName(c))
		for j, seg := range c.Segments {
			u := unit{data: seg, needCont: j > 0, cmd: i}
			if src := c.Source; src != nil && src.Seg == j {
				u.source, u.needCont = src.Size, src.Sync
			}
			r.units = append(r.units, u)
		}
	}
	r.state = runStart
}

// fail ends the run with err; errors that leave the stream out of step
// break the session.
func (r *runner) fail(err error, breaks bool) (coroutine.NetRequest, bool) {
	if r.scrub != nil {
		err = r.scrub(err)
	}
	r.err = err
	r.state = runDone
	if breaks && r.s.err == nil {
		r.s.err = err
	}
	return coroutine.NetRequest{}, true
}

// writeNext returns the write of every unit that may go out now, or a
// read.
func (r *runner) writeNext() (coroutine.NetRequest, bool) {
	if len(r.pend) > 0 {
		b := r.pend
		r.pend = nil
		r.state = runWrite
		return coroutine.Write(b), false
	}
	var b []byte
	for r.next < len(r.units) {
		u := &r.units[r.next]
		if r.status[u.cmd] != nil {
			r.next++ // the command already ended (literal refused)
			continue
		}
		if u.needCont {
			break
		}
		if u.source > 0 {
			if len(b) > 0 {
				break // what comes before the literal goes out first
			}
			r.srcLeft, u.source = u.source, 0
			r.state = runSource
			return coroutine.Source(int(min(r.srcLeft, sourceChunk))), false
		}
		b = append(b, u.data...)
		r.next++
	}
	if len(b) > 0 {
		r.state = runWrite
		return coroutine.Write(b), false
	}
	r.state = runRead
	return coroutine.NetRequest{Op: coroutine.NetRead, Wait: r.wait}, false
}

// resume advances the run. done reports the end; r.err is then set on
// failure.
func (r *runner) resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	if r.s.err != nil {
		return r.fail(r.s.err, false)
	}
	switch r.state {
	case runStart:
		if r.greet {
			r.left = 1
		}
		if r.left == 0 {
			r.state = runDone
			return coroutine.NetRequest{}, true
		}
		// Bytes already buffered may hold responses (pipelining, or a
		// server that answered early): they are read after writing.
		return r.writeNext()
	case runWrite:
		if in.Err != nil {
			return r.fail(in.Err, true)
		}
		// Process anything already buffered before reading more.
		if req, done, ok := r.drain(); ok {
			return req, done
		}
		return r.writeNext()
	case runRead:
		if in.Err != nil {
			return r.fail(in.Err, true)
		}
		if in.TimedOut {
			if r.onTimeout == nil {
				return r.writeNext()
			}
			b, err := r.onTimeout()
			if err != nil {
				return r.fail(err, false)
			}
			r.pend = append(r.pend, b...)
			return r.writeNext()
		}
		if in.EOF {
			if left := r.s.r.BodyLeft(); left > 0 {
				return r.fail(&TruncatedError{Size: r.bodySize, Got: r.bodySize - left}, true)
			}
			if r.s.r.Incomplete() {
				return r.fail(wire.ErrTruncated, true)
			}
			return r.fail(ErrClosed, true)
		}
		r.s.r.Feed(in.Data)
		if req, done, ok := r.drain(); ok {
			return req, done
		}
		return r.writeNext()
	case runSource:
		switch {
		case in.Err != nil:
			return r.fail(in.Err, true)
		case in.EOF || len(in.Data) == 0:
			return r.fail(fmt.Errorf("%w: the message ended %d bytes short of its announced size", email.ErrInvalidArgument, r.srcLeft), true)
		}
		data := in.Data[:min(int64(len(in.Data)), r.srcLeft)]
		r.srcLeft -= int64(len(data))
		if r.onSource != nil {
			r.onSource(data)
		}
		r.state = runSourceWrite
		return coroutine.Write(data), false
	case runSourceWrite:
		if in.Err != nil {
			return r.fail(in.Err, true)
		}
		if r.srcLeft > 0 {
			r.state = runSource
			return coroutine.Source(int(min(r.srcLeft, sourceChunk))), false
		}
		return r.writeNext()
	case runSink:
		if in.Err != nil {
			r.s.r.SkipBody()
			for len(r.sinkq) > 0 && r.sinkq[0] != nil {
				r.sinkq = r.sinkq[1:] // the rest of a quoted body
			}
			if !errors.Is(in.Err, ErrSkipBody) {
				r.later(in.Err)
			}
		}
		if req, done, ok := r.drain(); ok {
			return req, done
		}
		return r.writeNext()
	case runTLS:
		if in.Err != nil {
			return r.fail(in.Err, true)
		}
		r.s.Secure = true
		r.s.caps = imap.CapSet{} // RFC 3501 section 6.2.1: discard them
		r.state = runDone
		return coroutine.NetRequest{}, true
	}
	return coroutine.NetRequest{}, true
}

// drain handles every complete buffered response. ok is true when the run
// ended or must write something now.
func (r *runner) drain() (coroutine.NetRequest, bool, bool) {
	for {
		if len(r.sinkq) > 0 {
			b := r.sinkq[0]
			r.sinkq = r.sinkq[1:]
			r.state = runSink
			return coroutine.Sink(b), false, true
		}
		part, err := r.s.r.NextPart()
		raw := part.Data
		switch part.Kind {
		case wire.PartBody:
			if r.startBody(part) {
				r.state = runSink
				return coroutine.Sink(nil), false, true
			}
			continue
		case wire.PartChunk:
			r.state = runSink
			return coroutine.Sink(part.Data), false, true
		}
		var le *wire.LimitError
		if errors.As(err, &le) && le.Skipped {
			// An untagged response over the literal limit was dropped
			// whole: the stream is in step, the command fails at its end.
			r.later(err)
			continue
		}
		if err != nil {
			req, done := r.fail(err, true)
			return req, done, true
		}
		if raw == nil {
			return coroutine.NetRequest{}, false, false
		}
		resp, err := wire.Parse(raw)
		if err != nil {
			if bytes.HasPrefix(raw, []byte("* ")) {
				// The framing is intact: the command goes on, and fails at
				// its end when the response carried state it needs.
				r.brokenUntagged(raw, err)
				continue
			}
			req, done := r.fail(err, true)
			return req, done, true
		}
		if req, done, ok := r.handle(resp); ok {
			return req, done, true
		}
		if len(r.pend) > 0 {
			req, done := r.writeNext()
			return req, done, true
		}
	}
}

// startBody handles the start of a streamed body: it asks onBody whether
// to stream it, and drops it otherwise. It reports whether to mark the
// start with an empty NetSink (markBodies).
func (r *runner) startBody(part wire.Part) bool {
	stream := false
	head, err := wire.ParseBodyHead(part.Data)
	if err == nil && r.onBody != nil {
		stream, err = r.onBody(head, part.Size)
	}
	if err != nil {
		r.later(err)
	}
	if !stream {
		r.s.r.SkipBody()
		return false
	}
	r.bodySize = part.Size
	return r.markBodies
}

func (r *runner) handle(resp *wire.Response) (coroutine.NetRequest, bool, bool) {
	s := r.s
	switch resp.Kind {
	case wire.KindContinuation:
		if r.next < len(r.units) && r.units[r.next].needCont {
			// The go-ahead: the unit (a streamed literal first, when it
			// has one) may go out now.
			r.units[r.next].needCont = false
			req, done := r.writeNext()
			return req, done, true
		}
		if r.onCont != nil {
			b, err := r.onCont(resp.Text)
			if err != nil {
				req, done := r.fail(err, true)
				return req, done, true
			}
			if len(b) > 0 {
				r.pend = b
				req, done := r.writeNext()
				return req, done, true
			}
			return coroutine.NetRequest{}, false, false
		}
		req, done := r.fail(protoErr("unexpected continuation request"), true)
		return req, done, true
	case wire.KindStatus:
		if resp.Tag == "" {
			return r.untaggedStatus(resp)
		}
		i := -1
		for k, t := range r.tags {
			if t == resp.Tag && r.status[k] == nil {
				i = k
			}
		}
		if i < 0 {
			req, done := r.fail(protoErr("tagged response with an unknown tag"), true)
			return req, done, true
		}
		r.status[i] = resp.Status
		if resp.Status.Code == "CAPABILITY" {
			s.setCaps(resp.Status.Caps)
		}
		r.left--
		if r.left == 0 {
			if r.startTLS && resp.Status.Type == wire.OK {
				if r.s.r.Buffered() > 0 {
					// RFC 3501 section 6.2.1 / RFC 2595 section 3.1: plain
					// bytes after the OK would be injected into the secure
					// stream; they are never parsed.
					req, done := r.fail(protoErr("server sent data after the STARTTLS response"), true)
					return req, done, true
				}
				r.state = runTLS
				return coroutine.NetRequest{Op: coroutine.NetStartTLS}, false, true
			}
			r.state = runDone
			r.err = r.late
			return coroutine.NetRequest{}, true, true
		}
		return coroutine.NetRequest{}, false, false
	case wire.KindCapability:
		s.setCaps(resp.Caps)
	case wire.KindEnabled:
		for _, c := range resp.Caps {
			s.enabled[c] = struct{}{}
		}
	case wire.KindExists:
		s.exists = resp.Num
	case wire.KindExpunge:
		if s.exists > 0 && resp.Num > 0 {
			s.exists--
		}
	case wire.KindVanished:
		// RFC 7162 section 3.2.10: VANISHED without EARLIER replaces
		// EXPUNGE and lowers the count by as many messages.
		if v := resp.Vanished; v != nil && !v.Earlier {
			s.exists -= min(s.exists, uidCount(v.UIDs))
		}
	}
	if r.onData != nil {
		if err := r.onData(resp); err != nil {
			r.later(err)
		}
	}
	return coroutine.NetRequest{}, false, false
}

func (r *runner) untaggedStatus(resp *wire.Response) (coroutine.NetRequest, bool, bool) {
	s := r.s
	st := resp.Status
	if r.greet {
		r.greet, r.greeting = false, st
		if st.Code == "CAPABILITY" {
			s.setCaps(st.Caps)
		}
		if st.Type == wire.BYE {
			req, done := r.fail(&ByeError{Text: st.Text}, true)
			return req, done, true
		}
		if st.Type != wire.OK && st.Type != wire.PREAUTH {
			req, done := r.fail(protoErr("greeting is %s", st.Type), true)
			return req, done, true
		}
		r.left = 0
		r.state = runDone
		return coroutine.NetRequest{}, true, true
	}
	switch st.Type {
	case wire.BYE:
		s.State = StateLogout
		if r.byeOK {
			return coroutine.NetRequest{}, false, false
		}
		req, done := r.fail(&ByeError{Text: st.Text}, true)
		return req, done, true
	}
	switch st.BadCode {
	case "UIDVALIDITY", "UIDNEXT", "HIGHESTMODSEQ":
		// The mailbox's identity or position is unknown: fail the
		// command, and select again next time.
		s.unselect()
		r.later(&UntaggedError{Name: string(st.Type) + " [" + string(st.BadCode) + "]", Err: st.CodeErr})
	}
	switch st.Code {
	case "CAPABILITY":
		s.setCaps(st.Caps)
	case "CLOSED":
		// RFC 7162 section 3.2.11: the previous mailbox is closed.
	}
	if r.onData != nil {
		if err := r.onData(resp); err != nil {
			r.later(err)
		}
	}
	return coroutine.NetRequest{}, false, false
}
