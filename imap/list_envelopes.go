package imap

import (
	"cmp"
	"fmt"
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
// It selects the mailbox. For a page (opts.PageSize > 0) it then orders
// the messages with UID SORT (REVERSE DATE) (RFC 5256) when the server
// offers SORT; otherwise it fetches every message's Date header, sorts
// locally (newest first, undated last, ties by UID, newest first) and
// keeps the page. The page is then fetched with UID FETCH of listItems
// (UID, FLAGS, RFC822.SIZE, INTERNALDATE and the raw header fields the
// envelope is built from; an ENVELOPE the server sends unasked is used
// when the fields are missing), plus BODYSTRUCTURE when
// opts.WithAttachment is set (HasAttachment is true when a part has
// Content-Disposition attachment; it stays nil when the BODYSTRUCTURE
// does not parse). A message whose FLAGS or size does not parse, or whose
// ENVELOPE does not parse and whose header fields are missing too, or a
// FETCH answer without its UID, fails the listing with a *FetchError: no
// envelope is returned with made-up empty fields.
//
// The whole mailbox (opts.PageSize <= 0) costs one round trip less: one
// UID FETCH 1:* of the same items, sorted here into the order the paged
// listing gives (see sortListed): a server's SORT is emulated, with the
// sent date of RFC 5256 and its tie-break, so pages and the whole listing
// agree.
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
	dates map[imap.UID]listKey
	page  []imap.UID
	slots []email.Envelope // the page's envelopes, in page order
	have  []bool           // which slots the server filled
	out   []email.Envelope
	cmd   string    // the ordering command sent, for its error
	all   fetchAll  // the unpaged listing's fetch
	keys  []listKey // its sort keys, one per envelope of out
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
			if l.opts.PageSize <= 0 {
				// The whole mailbox: one UID FETCH 1:*, ordered here.
				l.state = 4
				n := min(int(s.exists), 1<<14) // a hint: the server's count is not trusted further
				l.out, l.keys = make([]email.Envelope, 0, n), make([]listKey, 0, n)
				l.all.fn = l.collect
				extra := ""
				if l.opts.WithAttachment {
					extra = " BODYSTRUCTURE"
				}
				return l.all.command(s, r, extra)
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
			l.dates = map[imap.UID]listKey{}
			l.cmd = "UID FETCH"
			r.onData = func(resp *wire.Response) error {
				if resp.Kind == wire.KindFetch && resp.Fetch != nil {
					if err := checkFetch(resp.Fetch, "BODY[]"); err != nil {
						return err
					}
				}
				if resp.Kind == wire.KindFetch && resp.Fetch != nil && resp.Fetch.UID != 0 && len(l.dates) < maxIDs {
					d := listKey{uid: resp.Fetch.UID}
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
				ds := make([]listKey, 0, len(l.dates))
				for _, d := range l.dates {
					ds = append(ds, d)
				}
				slices.SortFunc(ds, compareKeys(false))
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
			items := " (" + listItems + ")"
			if l.opts.WithAttachment {
				items = " (" + listItems + " BODYSTRUCTURE)"
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
		case 4:
			if err := l.all.done(r); err != nil {
				return nil, false, err
			}
			l.out = sortListed(l.out, l.keys, s.has(imap.CapSort))
			l.keys = nil
			return nil, true, nil
		}
	}
}

// collect keeps one envelope of an unpaged listing and its sort key.
func (l *listEnvelopes) collect(uid imap.UID, e email.Envelope) error {
	if len(l.out) >= maxIDs {
		return errTooMany
	}
	k := listKey{uid: uid, i: int32(len(l.out))}
	switch {
	case !e.Date.IsZero():
		k.date, k.ok = e.Date.Unix(), true
	case !e.Received.IsZero():
		k.received = e.Received.Unix()
	}
	l.out = append(l.out, e)
	l.keys = append(l.keys, k)
	return nil
}

var errTooMany = fmt.Errorf("%w: more than %d messages in the mailbox", email.ErrTooLarge, maxIDs)

// listKey is what an unpaged listing sorts one envelope by.
type listKey struct {
	date     int64 // the Date header, Unix seconds, when ok
	received int64 // INTERNALDATE, Unix seconds; 0 when absent
	ok       bool
	uid      imap.UID
	i        int32 // the envelope's index in the fetched order
}

// compareKeys is the listing order: dated (ok) first, newest first; ties
// by UID, oldest first as a server's SORT breaks them (serverSort), newest
// first otherwise.
func compareKeys(serverSort bool) func(a, b listKey) int {
	return func(a, b listKey) int {
		if a.ok != b.ok {
			if a.ok {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.date, a.date); c != 0 {
			return c
		}
		if serverSort {
			return cmp.Compare(a.uid, b.uid)
		}
		return cmp.Compare(b.uid, a.uid)
	}
}

// sortListed orders the envelopes of an unpaged listing as the paged
// listing orders them, so that both agree. With SORT (serverSort) that is
// the server's UID SORT (REVERSE DATE) as RFC 5256 defines it and Dovecot
// answers it: by the sent date, which is the Date header or, when the
// message has none that parses, its INTERNALDATE (section 2.2), in whole
// seconds, newest first; ties in mailbox (UID) order, oldest first, since
// REVERSE reverses the date and not the tie-break. Without SORT it is the
// local order of the paged listing: dated messages newest first, undated
// last, ties by UID, newest first.
func sortListed(envs []email.Envelope, keys []listKey, serverSort bool) []email.Envelope {
	if serverSort {
		for i := range keys {
			if !keys[i].ok {
				keys[i].date, keys[i].ok = keys[i].received, true
			}
		}
	}
	slices.SortFunc(keys, compareKeys(serverSort))
	// Permute in place, cycle by cycle: position j takes the envelope at
	// keys[j].i; a placed position is marked -1.
	for start := range keys {
		if keys[start].i < 0 || int(keys[start].i) == start {
			continue
		}
		held := envs[start]
		j := start
		for {
			src := int(keys[j].i)
			keys[j].i = -1
			if src == start {
				envs[j] = held
				break
			}
			envs[j] = envs[src]
			j = src
		}
	}
	return envs
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
