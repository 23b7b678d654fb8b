package imap

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// ListEnvelopes returns the machine that lists a page of a mailbox's
// envelopes, newest Date first.
//
// It selects the mailbox, then orders the messages with UID SORT (REVERSE
// DATE) (RFC 5256) when the server offers SORT; otherwise it fetches every
// message's Date header, sorts locally (newest first, undated last, ties
// by UID, newest first) and keeps the page. The page is then fetched with
// UID FETCH of envelopeItems (UID, FLAGS, ENVELOPE, RFC822.SIZE and the
// raw header fields the envelope is built from), plus BODYSTRUCTURE when
// opts.WithAttachment is set (HasAttachment is true when a part has
// Content-Disposition attachment; it stays nil when the BODYSTRUCTURE
// does not parse). A message whose FLAGS or size does not parse, or whose
// ENVELOPE does not parse and whose header fields are missing too, or a
// FETCH answer without its UID, fails the listing with a *FetchError: no
// envelope is returned with made-up empty fields.
func ListEnvelopes(s *Session, mailbox string, opts email.ListOptions) coroutine.NetMachine[[]email.Envelope] {
	if err := checkName(mailbox); err != nil {
		return failed[[]email.Envelope]("list_envelopes", err)
	}
	return newMachine[[]email.Envelope](s, "list_envelopes", &listEnvelopes{s: s, opts: opts, sel: selector{mailbox: mailbox}}, mailbox)
}

type listEnvelopes struct {
	s     *Session
	opts  email.ListOptions
	sel   selector
	state int
	order []imap.UID // message UIDs in listing order
	dates map[imap.UID]dated
	page  []imap.UID
	slots []email.Envelope // the page's envelopes, in page order
	have  []bool           // which slots the server filled
	out   []email.Envelope
	cmd   string // the ordering command sent, for its error
}

type dated struct {
	uid  imap.UID
	date int64 // Unix seconds; 0 when undated
	ok   bool
}

func (l *listEnvelopes) result() []email.Envelope { return l.out }

func (l *listEnvelopes) advance(r *runner) ([]*wire.Command, bool, error) {
	s := l.s
	for {
		switch l.state {
		case 0:
			l.state = 1
			cmds, err := l.sel.command(s, r)
			if err != nil || cmds != nil {
				return cmds, false, err
			}
		case 1:
			if err := l.sel.done(s, r); err != nil {
				return nil, false, err
			}
			if s.exists == 0 {
				l.out = []email.Envelope{}
				return nil, true, nil
			}
			l.state = 2
			l.cmd = "UID SORT"
			if s.has(imap.CapSort) {
				r.onData = func(resp *wire.Response) error {
					if resp.Kind == wire.KindSort || resp.Kind == wire.KindSearch {
						l.order = appendUIDs(l.order, resp.Nums)
					}
					return nil
				}
				return one(s.command("UID SORT").Raw(" (REVERSE DATE) UTF-8 ALL"))
			}
			l.dates = map[imap.UID]dated{}
			l.cmd = "UID FETCH"
			r.onData = func(resp *wire.Response) error {
				if resp.Kind == wire.KindFetch && resp.Fetch != nil {
					if err := checkFetch(resp.Fetch, "BODY[]"); err != nil {
						return err
					}
				}
				if resp.Kind == wire.KindFetch && resp.Fetch != nil && resp.Fetch.UID != 0 && len(l.dates) < maxIDs {
					d := dated{uid: resp.Fetch.UID}
					for _, sec := range resp.Fetch.Sections {
						if t := headerDate(sec.Data); !t.IsZero() {
							d.date, d.ok = t.Unix(), true
						}
					}
					l.dates[d.uid] = d
				}
				return nil
			}
			return one(s.command("UID FETCH").Raw(" 1:* (UID BODY.PEEK[HEADER.FIELDS (DATE)])"))
		case 2:
			if err := runErr(r, 0, l.cmd); err != nil {
				return nil, false, err
			}
			if l.dates != nil {
				ds := make([]dated, 0, len(l.dates))
				for _, d := range l.dates {
					ds = append(ds, d)
				}
				slices.SortFunc(ds, func(a, b dated) int {
					if a.ok != b.ok {
						if a.ok {
							return -1
						}
						return 1
					}
					if c := cmp.Compare(b.date, a.date); c != 0 {
						return c
					}
					return cmp.Compare(b.uid, a.uid)
				})
				for _, d := range ds {
					l.order = append(l.order, d.uid)
				}
				l.dates = nil
			}
			start, end := l.opts.Window(len(l.order))
			l.page = l.order[start:end]
			if len(l.page) == 0 {
				l.out = []email.Envelope{}
				return nil, true, nil
			}
			var set imap.UIDSet
			set.AddNum(l.page...)
			// The envelopes land in page order, in place: no per-message
			// allocation beyond the envelope's own fields.
			pos := make(map[imap.UID]int, len(l.page))
			for i, u := range l.page {
				pos[u] = i
			}
			l.slots = make([]email.Envelope, len(l.page))
			l.have = make([]bool, len(l.page))
			r.onData = func(resp *wire.Response) error {
				if resp.Kind == wire.KindFetch && resp.Fetch != nil {
					if err := checkFetch(resp.Fetch, "ENVELOPE", "FLAGS", "RFC822.SIZE"); err != nil {
						return err
					}
					if i, ok := pos[resp.Fetch.UID]; ok {
						l.slots[i] = toEnvelope(resp.Fetch, l.opts.WithAttachment)
						l.have[i] = true
					}
				}
				return nil
			}
			items := " (" + envelopeItems + ")"
			if l.opts.WithAttachment {
				items = " (" + envelopeItems + " BODYSTRUCTURE)"
			}
			l.state = 3
			return one(s.command("UID FETCH").SP().Raw(set.String()).Raw(items))
		case 3:
			if err := runErr(r, 0, "UID FETCH"); err != nil {
				return nil, false, err
			}
			l.out = l.slots[:0]
			for i := range l.slots {
				if l.have[i] {
					l.out = append(l.out, l.slots[i])
				}
			}
			l.slots, l.have = nil, nil
			return nil, true, nil
		}
	}
}

func appendUIDs(dst []imap.UID, nums []uint32) []imap.UID {
	for _, n := range nums {
		if n != 0 && len(dst) < maxIDs {
			dst = append(dst, imap.UID(n))
		}
	}
	return dst
}

// headerDate extracts the Date field from a header block.
func headerDate(h []byte) time.Time {
	for _, line := range strings.Split(unfold(string(h)), "\n") {
		name, val, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(name), "Date") {
			return wire.ParseDate(strings.TrimSpace(val))
		}
	}
	return time.Time{}
}

// unfold joins folded header lines and drops CRs.
func unfold(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n ", " ")
	return strings.ReplaceAll(s, "\n\t", " ")
}
