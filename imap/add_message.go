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
// spellings. The message goes as a literal: non-synchronising under
// LITERAL+ (or LITERAL- up to 4 KiB), otherwise after the server's
// go-ahead. The message bytes are sent unchanged. [email.WithReceived]
// sets the APPEND date-time, which the server keeps as the message's
// INTERNALDATE (whole seconds, with the time's UTC offset).
//
// The result is the new id from APPENDUID (RFC 4315). A server without
// UIDPLUS is asked for UIDNEXT before the APPEND, and the new id is then
// the one message from that UID on (with the message's Message-ID, when
// it has one) that UID SEARCH finds; when there is not exactly one, the
// id is "" rather than a guess.
func AddMessage(s *Session, mailbox string, raw []byte, flags email.Flags, opts ...email.AddOption) coroutine.NetMachine[string] {
	if err := checkName(mailbox); err != nil {
		return failed[string]("add_message", err)
	}
	if len(raw) == 0 {
		return failed[string]("add_message", fmt.Errorf("%w: empty message", email.ErrInvalidArgument))
	}
	return newMachine[string](s, "add_message", &addMessage{s: s, mailbox: mailbox, raw: raw, flags: flags, opts: email.NewAddOptions(opts...)}, mailbox)
}

type addMessage struct {
	s       *Session
	mailbox string
	raw     []byte
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
			e.SP().Literal(a.raw)
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
			if mid := header.Scan(a.raw).MessageID; mid != "" {
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
