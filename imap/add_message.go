package imap

import (
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
	"github.com/ioemail/ioemail/internal/header"
)

// AddMessage returns the machine that stores a raw message in a mailbox
// with APPEND (RFC 3501 section 6.3.11), with flags in canonical
// spellings: AddMessageStream with raw as its source, answered by the
// machine itself (for messages already in memory; a large one is better
// streamed).
func AddMessage(s *Session, mailbox string, raw []byte, flags email.Flags, opts ...email.AddOption) coroutine.NetMachine[string] {
	return &fromBytes[string]{m: AddMessageStream(s, mailbox, int64(len(raw)), flags, opts...), raw: raw}
}

// AddMessageStream returns the machine that stores a raw message of size
// bytes in a mailbox with APPEND (RFC 3501 section 6.3.11), with flags in
// canonical spellings, streaming it: the machine asks for the message
// with coroutine.NetSource requests (at most 256 KiB each) and writes each
// chunk as it comes, holding none. The message goes as a literal:
// non-synchronising under LITERAL+ (or LITERAL- up to 4 KiB), otherwise
// after the server's go-ahead. The message bytes are sent unchanged; a
// source that ends before size bytes breaks the session (the server
// waits for the rest), and only size bytes are read. [email.WithReceived]
// sets the APPEND date-time, which the server keeps as the message's
// INTERNALDATE (whole seconds, with the time's UTC offset).
//
// The result is the new id from APPENDUID (RFC 4315). A server without
// UIDPLUS is asked for UIDNEXT before the APPEND, and the new id is then
// the one message from that UID on (with the message's Message-ID, when
// its first 64 KiB hold one) that UID SEARCH finds; when there is not
// exactly one, the id is "" rather than a guess.
func AddMessageStream(s *Session, mailbox string, size int64, flags email.Flags, opts ...email.AddOption) coroutine.NetMachine[string] {
	if err := checkName(mailbox); err != nil {
		return failed[string]("add_message", err)
	}
	if size <= 0 {
		return failed[string]("add_message", fmt.Errorf("%w: empty message", email.ErrInvalidArgument))
	}
	return newMachine[string](s, "add_message", &addMessage{s: s, mailbox: mailbox, size: size, flags: flags, opts: email.NewAddOptions(opts...)}, mailbox)
}

// headKeep is how much of a streamed message AddMessageStream keeps to
// find its Message-ID.
const headKeep = 64 << 10

// fromBytes answers the NetSource requests of m from raw.
type fromBytes[R any] struct {
	m   coroutine.NetMachine[R]
	raw []byte
}

// Resume implements coroutine.Machine.
func (f *fromBytes[R]) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	for {
		req, done := f.m.Resume(in)
		if done || req.Op != coroutine.NetSource {
			return req, done
		}
		n := len(f.raw)
		if req.Max > 0 {
			n = min(n, req.Max)
		}
		in = coroutine.NetReply{Data: f.raw[:n], EOF: n == 0}
		f.raw = f.raw[n:]
	}
}

// Result implements coroutine.Machine.
func (f *fromBytes[R]) Result() (R, error) { return f.m.Result() }

type addMessage struct {
	s       *Session
	mailbox string
	size    int64
	head    []byte // the first headKeep bytes, for the Message-ID
	flags   email.Flags
	opts    email.AddOptions
	state   int
	uidNext imap.UID
	sel     selector
	found   []imap.UID
	out     string
}

func (a *addMessage) result() string { return a.out }

// advance appends; without UIDPLUS it learns UIDNEXT first (STATUS), and
// after the APPEND searches the new UIDs for the message (by its
// Message-ID when it has one): exactly one match is the new id.
func (a *addMessage) advance(r *runner) ([]*wire.Command, bool, error) {
	s := a.s
	for {
		switch a.state {
		case 0:
			a.state = 2
			if !s.has(imap.CapUIDPlus) {
				a.state = 1
				r.onData = func(resp *wire.Response) error {
					if resp.Kind == wire.KindStatusData && resp.StatusData.UIDNext != 0 {
						a.uidNext = resp.StatusData.UIDNext
					}
					return nil
				}
				e := s.command("STATUS").SP()
				if err := s.mailbox(e, a.mailbox); err != nil {
					return nil, false, err
				}
				return one(e.Raw(" (UIDNEXT)"))
			}
		case 1:
			if err := runErr(r, 0, "STATUS"); err != nil {
				return nil, false, err
			}
			a.state = 2
		case 2:
			a.state = 3
			e := s.command("APPEND").SP()
			if err := s.mailbox(e, a.mailbox); err != nil {
				return nil, false, err
			}
			e.SP()
			if err := writeFlags(e, a.flags); err != nil {
				return nil, false, err
			}
			if t := a.opts.Received; !t.IsZero() {
				// date-time (RFC 3501 section 9): day padded with a space.
				e.SP().Quoted(t.Format("_2-Jan-2006 15:04:05 -0700"))
			}
			e.SP().LiteralSource(a.size)
			r.onSource = func(b []byte) {
				if room := headKeep - len(a.head); room > 0 {
					a.head = append(a.head, b[:min(len(b), room)]...)
				}
			}
			return one(e)
		case 3:
			if err := runErr(r, 0, "APPEND"); err != nil {
				return nil, false, err
			}
			if st := r.status[0]; st.Code == "APPENDUID" && st.AppendUID != 0 {
				a.out = formatUID(st.AppendUID)
				return nil, true, nil
			}
			if a.uidNext == 0 {
				return nil, true, nil
			}
			a.state = 4
			a.sel = selector{mailbox: a.mailbox}
			cmds, err := a.sel.command(s, r)
			if err != nil || cmds != nil {
				return cmds, false, err
			}
		case 4:
			if err := a.sel.done(s, r); err != nil {
				return nil, false, err
			}
			a.state = 5
			r.onData = func(resp *wire.Response) error {
				if resp.Kind == wire.KindSearch {
					for _, n := range resp.Nums {
						// "n:*" also matches the last message when n is
						// past it: keep only UIDs from UIDNEXT on.
						if imap.UID(n) >= a.uidNext && len(a.found) < 2 {
							a.found = append(a.found, imap.UID(n))
						}
					}
				}
				return nil
			}
			e := s.command("UID SEARCH").Raw(" UID ").Number(uint64(a.uidNext)).Raw(":*")
			if mid := header.Scan(a.head).MessageID; mid != "" {
				e.Raw(" HEADER Message-ID ").String("<" + mid + ">")
			}
			return one(e)
		case 5:
			if err := runErr(r, 0, "UID SEARCH"); err != nil {
				return nil, false, err
			}
			if len(a.found) == 1 {
				a.out = formatUID(a.found[0])
			}
			return nil, true, nil
		}
	}
}
