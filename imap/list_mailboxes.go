package imap

import (
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// ListMailboxes returns the machine that lists every mailbox (LIST "" "*",
// RFC 3501 section 6.3.8).
//
// Mailboxes marked \Noselect or \NonExistent are left out. Names are
// decoded from modified UTF-7 (or taken as UTF-8 under UTF8=ACCEPT) and
// use "/" between levels; a name that does not decode is kept with
// invalid bytes replaced, and its ID is then the raw wire name, which the
// other operations of this session send back verbatim. Roles come
// from the special-use attributes (RFC 6154) and INBOX. With counts, the
// server's LIST-STATUS (RFC 5819) is used when offered; otherwise one
// STATUS per mailbox is sent, all pipelined in one round trip.
// Server order is kept. A LIST or STATUS response that does not parse
// fails the listing with an *UntaggedError.
func ListMailboxes(s *Session, opts email.ListMailboxesOptions) coroutine.NetMachine[[]email.Mailbox] {
	return newMachine[[]email.Mailbox](s, "list_mailboxes", &listMailboxes{s: s, opts: opts})
}

type listMailboxes struct {
	s     *Session
	opts  email.ListMailboxesOptions
	state int
	out   []email.Mailbox
	wire  []string // wire names, index by index with out
	stats map[string]*imap.StatusData
	// items are the STATUS items asked for counts.
	items string
}

func (l *listMailboxes) result() []email.Mailbox { return l.out }

// listNeeds are the responses a listing of mailboxes is made of: one that
// does not parse fails it (an *UntaggedError) rather than leave a mailbox
// out unseen.
var listNeeds = []string{"LIST", "STATUS"}

func (l *listMailboxes) advance(r *runner) ([]*wire.Command, bool, error) {
	s := l.s
	switch l.state {
	case 0:
		l.state = 1
		l.stats = map[string]*imap.StatusData{}
		if l.items == "" {
			l.items = "MESSAGES UNSEEN"
		}
		r.onData = l.onData
		r.needs = listNeeds
		e := s.command("LIST").Raw(` "" "*"`)
		var ret []string
		if s.hasRaw(imap.CapSpecialUse) && s.has(imap.CapListExtended) {
			ret = append(ret, "SPECIAL-USE")
		}
		if l.opts.WithCounts && s.has(imap.CapListStatus) {
			ret = append(ret, "STATUS ("+l.items+")")
		}
		if len(ret) > 0 {
			e.Raw(" RETURN (" + strings.Join(ret, " ") + ")")
		}
		return one(e)
	case 1:
		if err := runErr(r, 0, "LIST"); err != nil {
			return nil, false, err
		}
		l.state = 2
		if l.opts.WithCounts && !s.has(imap.CapListStatus) && len(l.out) > 0 {
			r.onData = l.onData
			r.needs = listNeeds
			var cmds []*wire.Command
			for _, w := range l.wire {
				e := s.command("STATUS").SP()
				e.String(w) // already in wire form
				e.Raw(" (" + l.items + ")")
				c, err := e.Finish()
				if err != nil {
					return nil, false, err
				}
				cmds = append(cmds, c)
			}
			return cmds, false, nil
		}
		fallthrough
	case 2:
		if r.err != nil {
			return nil, false, r.err
		}
		// A STATUS refused for one mailbox leaves its counts unset.
		if l.opts.WithCounts {
			for i, w := range l.wire {
				if st := l.stats[w]; st != nil {
					if st.NumMessages != nil {
						l.out[i].Total = email.IntPtr(int(*st.NumMessages))
					}
					if st.NumUnseen != nil {
						l.out[i].Unread = email.IntPtr(int(*st.NumUnseen))
					}
				}
			}
		}
		return nil, true, nil
	}
	return nil, true, nil
}

func (l *listMailboxes) onData(resp *wire.Response) error {
	switch resp.Kind {
	case wire.KindList:
		l.addList(resp.List)
	case wire.KindStatusData:
		if len(l.stats) < 1<<16 {
			l.stats[resp.StatusData.Mailbox] = resp.StatusData
		}
	}
	return nil
}

func (l *listMailboxes) addList(d *imap.ListData) {
	s := l.s
	if d.Delim != 0 && s.delim == 0 {
		s.delim = d.Delim
	}
	role := email.RoleNone
	for _, a := range d.Attrs {
		switch strings.ToLower(string(a)) {
		case `\noselect`, `\nonexistent`:
			return
		case `\all`, `\archive`, `\drafts`, `\flagged`, `\junk`, `\sent`, `\trash`, `\important`:
			role = email.ParseRole(string(a))
		}
	}
	if len(l.out) >= 1<<20 {
		return
	}
	dec, err := s.decodeName(d.Mailbox)
	id := ""
	if err != nil {
		dec = strings.ToValidUTF8(d.Mailbox, "\uFFFD")
		id = d.Mailbox
		if s.rawNames == nil {
			s.rawNames = map[string]bool{}
		}
		if len(s.rawNames) < 1<<12 {
			s.rawNames[id] = true
		}
	}
	name := s.callerName(dec, d.Delim)
	if id == "" {
		id = name
	}
	if name == "INBOX" {
		role = email.RoleInbox
	}
	l.out = append(l.out, email.Mailbox{ID: id, Name: name, Role: role})
	l.wire = append(l.wire, d.Mailbox)
}
