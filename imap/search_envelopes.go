package imap

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
	"github.com/ioemail/ioemail/search"
)

// SearchEnvelopes returns the machine that lists a page of the envelopes
// of mailbox that match q, in q's order (newest Date first without sort
// keys).
//
// It examines the mailbox (EXAMINE, unless it is already selected), then,
// when the server offers SORT (RFC 5256), sends one
//
//	UID SORT (criteria) UTF-8 keys
//
// and otherwise
//
//	UID SEARCH [CHARSET UTF-8] keys
//
// followed by a UID FETCH of every match's sort keys (its Date header for
// the default order, its envelope otherwise) and a local sort with
// search.Sort (ties by UID). The page (opts) is cut from the ordered
// UIDs, and its envelopes are fetched with UID FETCH (UID FLAGS ENVELOPE
// RFC822.SIZE), plus BODYSTRUCTURE when opts.WithAttachment is set, and
// returned in the sorted order.
//
// The filter becomes SEARCH keys (RFC 3501 section 6.4.4, RFC 9051 section
// 6.4.4):
//
//	a and b      a b at the top level, (a b) inside OR and NOT
//	a or b or c  OR a OR b c
//	not a        NOT a
//	date D       SENTON D
//	before D     SENTBEFORE D
//	after D      SENTSINCE D+1 (SENTSINCE is "on or after"; after is strict)
//	from v       FROM v, and likewise TO, SUBJECT and BODY
//	flag f       SEEN, ANSWERED, FLAGGED, DRAFT or DELETED for the system
//	             flags; KEYWORD and the canonical spelling otherwise
//	             ($Forwarded, $Junk, ..., or the keyword as written)
//	(no filter)  ALL
//
// Text values are never spliced into the command: a value goes as a quoted
// string when it is printable ASCII (or UTF-8 once UTF8=ACCEPT is
// enabled), and as a literal otherwise (non-ASCII text, CR or LF, more
// than 1024 bytes), non-synchronising under LITERAL+ (RFC 7888). A query
// with non-ASCII text names the charset (SEARCH CHARSET UTF-8; SORT always
// names UTF-8).
//
// Sort keys: date becomes DATE, subject SUBJECT, from and to DISPLAYFROM and
// DISPLAYTO when the server offers SORT=DISPLAY (RFC 5957: the display
// name, or the address when there is none, as search.Sort does) and FROM
// and TO otherwise (RFC 5256: the local part of the first address); desc
// adds REVERSE. Without sort keys the criteria are REVERSE DATE; when the
// keys do not include the date, REVERSE DATE is appended as the tie-break
// search.Sort uses.
//
// The server's semantics apply to the filter, and to the order when it
// sorts:
//   - text matching is the server's (RFC 3501: case-insensitive
//     substring). Dovecot matches FROM and TO against the address as
//     written, display name quotes included, so a value spanning a quote
//     or an apostrophe may not match where search.Match does; Cyrus folds
//     diacritics in BODY ("café" finds "cafe");
//   - DATE sorts by the Date header instant, but a message without a
//     usable Date sorts by its INTERNALDATE, its arrival (RFC 5256 section
//     3), where search.Sort puts it last;
//   - SENTON, SENTBEFORE and SENTSINCE compare the Date header's day in
//     its own offset, like package search; a message without a usable
//     Date never matches in package search, but Dovecot 2.3 dates it
//     1970-01-01 (so "before D" finds it and "after D" does not) and
//     Cyrus 3.6 by its INTERNALDATE;
//   - strings sort by the i;unicode-casemap collation (RFC 5051: title
//     case, then decomposed), SUBJECT by the RFC 5256 base subject, which
//     can order non-ASCII text differently from search.Sort.
//
// A server that answers an ASCII-only SORT with NO [BADCHARSET] gets it
// again with US-ASCII, the one charset RFC 5256 requires. UID sets longer
// than about 8 KB are split over pipelined UID FETCH commands (servers
// bound the command line). More than 2^20 matches is an error matching
// email.ErrTooLarge.
//
// A query that cannot be sent (a NUL byte in a value, a flag that is not
// an IMAP keyword, a tree deeper than 1000) fails at once, before any I/O,
// with an error matching email.ErrInvalidArgument.
func SearchEnvelopes(s *Session, mailbox string, q search.Query, opts email.ListOptions) coroutine.NetMachine[[]email.Envelope] {
	const op = "search_envelopes"
	if err := checkName(mailbox); err != nil {
		return failed[[]email.Envelope](op, err)
	}
	c, err := compileQuery(q)
	if err != nil {
		return failed[[]email.Envelope](op, err)
	}
	st := &searchEnvelopes{s: s, q: q, c: c, opts: opts, sel: selector{mailbox: mailbox, readOnly: true}}
	return newMachine[[]email.Envelope](s, op, st, mailbox)
}

// The states of searchEnvelopes.
const (
	searchSelect = iota // send EXAMINE when needed
	searchQuery         // check it; send UID SORT or UID SEARCH
	searchKeys          // check it; fetch the sort keys (no SORT)
	searchSort          // check it; sort locally
	searchPage          // cut the page; fetch its envelopes
	searchOut           // check it; order the result
)

type searchEnvelopes struct {
	s     *Session
	q     search.Query
	c     compiled
	opts  email.ListOptions
	sel   selector
	state int
	local bool // no SORT: SEARCH, then sort here
	// tooMany records a result of more than maxIDs UIDs.
	tooMany bool
	// ascii: the server refused UTF-8 (BADCHARSET), SORT names US-ASCII.
	ascii bool
	cmd   string     // the command of the last batch, for errors
	order []imap.UID // matching UIDs, in the query's order once sorted
	keys  []email.Envelope
	page  []imap.UID
	got   map[imap.UID]*email.Envelope
	out   []email.Envelope
}

func (m *searchEnvelopes) result() []email.Envelope { return m.out }

func (m *searchEnvelopes) advance(r *runner) ([]*wire.Command, bool, error) {
	s := m.s
	for {
		switch m.state {
		case searchSelect:
			m.state = searchQuery
			cmds, err := m.sel.command(s, r)
			if err != nil || cmds != nil {
				return cmds, false, err
			}
		case searchQuery:
			if err := m.sel.done(s, r); err != nil {
				return nil, false, err
			}
			if s.exists == 0 {
				return m.empty()
			}
			m.state = searchKeys
			return m.queryCommand(r)
		case searchKeys:
			if err := runErr(r, 0, m.cmd); err != nil {
				var ce *CommandError
				if errors.As(err, &ce) && ce.Code == "BADCHARSET" && !m.local && !m.c.utf8 && !m.ascii {
					// RFC 5256 section 3: only US-ASCII is required; an
					// ASCII query can say so.
					m.ascii, m.order, m.tooMany = true, nil, false
					return m.queryCommand(r)
				}
				return nil, false, err
			}
			if m.tooMany {
				return nil, false, fmt.Errorf("%w: more than %d messages match", email.ErrTooLarge, maxIDs)
			}
			m.order = dedupUIDs(m.order)
			if !m.local {
				m.state = searchPage
				continue
			}
			if len(m.order) == 0 {
				return m.empty()
			}
			m.state = searchSort
			return m.keysCommand(r)
		case searchSort:
			if err := batchErr(r, m.cmd); err != nil {
				return nil, false, err
			}
			m.sortLocally()
			m.state = searchPage
		case searchPage:
			start, end := m.opts.Window(len(m.order))
			m.page = m.order[start:end]
			if len(m.page) == 0 {
				return m.empty()
			}
			m.state = searchOut
			return m.pageCommand(r)
		case searchOut:
			if err := batchErr(r, m.cmd); err != nil {
				return nil, false, err
			}
			m.out = make([]email.Envelope, 0, len(m.page))
			for _, u := range m.page {
				if e := m.got[u]; e != nil {
					m.out = append(m.out, *e)
				}
			}
			return nil, true, nil
		default:
			return nil, false, fmt.Errorf("imap: search_envelopes resumed in state %d", m.state)
		}
	}
}

func (m *searchEnvelopes) empty() ([]*wire.Command, bool, error) {
	m.out = []email.Envelope{}
	return nil, true, nil
}

// queryCommand returns the UID SORT, or the UID SEARCH when the server has
// no SORT.
func (m *searchEnvelopes) queryCommand(r *runner) ([]*wire.Command, bool, error) {
	s := m.s
	r.onData = func(resp *wire.Response) error {
		switch resp.Kind {
		case wire.KindSort, wire.KindSearch:
			m.tooMany = m.tooMany || len(m.order)+len(resp.Nums) > maxIDs
			m.order = appendUIDs(m.order, resp.Nums)
		case wire.KindESearch:
			// RFC 4731 / RFC 9051: only the answer to our own tag, and only
			// a UID answer (UID SEARCH asks for UIDs).
			if es := resp.ESearch; es != nil && es.UID && (es.Tag == "" || es.Tag == r.tags[0]) {
				uids, ok := expandSet(es.All, maxIDs-len(m.order))
				m.tooMany = m.tooMany || !ok
				m.order = append(m.order, uids...)
			}
		}
		// An error here would end the run before the tagged status and
		// leave the stream out of step: tooMany is reported after it.
		return nil
	}
	var e *wire.Encoder
	if s.has(imap.CapSort) {
		m.cmd = "UID SORT"
		charset := ") UTF-8 "
		if m.ascii {
			charset = ") US-ASCII "
		}
		e = s.command(m.cmd).Raw(" (").Raw(sortCriteria(m.q.Sort, s.hasRaw(imap.CapSortDisplay))).Raw(charset)
	} else {
		m.local = true
		m.cmd = "UID SEARCH"
		e = s.command(m.cmd).SP()
		if m.c.utf8 {
			e.Raw("CHARSET UTF-8 ")
		}
	}
	if err := m.c.writeKeys(e); err != nil {
		return nil, false, err
	}
	return one(e)
}

// keysCommand fetches what the local sort compares, keeping only that:
// the Date header when the order is by date alone (the default), the
// envelope (date, subject, addresses) otherwise.
func (m *searchEnvelopes) keysCommand(r *runner) ([]*wire.Command, bool, error) {
	want := make(map[imap.UID]bool, len(m.order))
	for _, u := range m.order {
		want[u] = true
	}
	dateOnly := true
	for _, s := range m.q.Sort {
		dateOnly = dateOnly && s.Key == search.ByDate
	}
	m.keys = make([]email.Envelope, 0, len(m.order))
	r.onData = func(resp *wire.Response) error {
		f := resp.Fetch
		if resp.Kind != wire.KindFetch || f == nil || !want[f.UID] {
			return nil
		}
		want[f.UID] = false // once per UID, whatever the server repeats
		e := email.Envelope{ID: fmt.Sprintf("%010d", uint32(f.UID))}
		if env := f.Envelope; env != nil {
			e.Date, e.Subject = env.Date, env.Subject
			e.From, e.To = firstAddress(env.From), firstAddress(env.To)
		}
		for _, sec := range f.Sections {
			if t := headerDate(sec.Data); !t.IsZero() {
				e.Date = t
			}
		}
		m.keys = append(m.keys, e)
		return nil
	}
	m.cmd = "UID FETCH"
	if dateOnly {
		return m.fetchBatch(m.order, " (UID BODY.PEEK[HEADER.FIELDS (DATE)])")
	}
	return m.fetchBatch(m.order, " (UID ENVELOPE)")
}

// firstAddress keeps the first address only: the sort compares nothing
// else.
func firstAddress(as []imap.Address) []email.Address {
	l := appendAddresses(nil, as)
	if len(l) > 1 {
		l = l[:1]
	}
	return l
}

// sortLocally orders the matches by the query's keys. A UID the server
// matched but then did not FETCH (expunged meanwhile) is dropped. The
// zero-padded ids make the final tie-break the UID, as SORT's is the
// sequence number.
func (m *searchEnvelopes) sortLocally() {
	search.Sort(m.keys, m.q.Sort)
	m.order = m.order[:0]
	for _, e := range m.keys {
		n, _ := strconv.ParseUint(e.ID, 10, 32)
		m.order = append(m.order, imap.UID(n))
	}
	m.keys = nil
}

// pageCommand fetches the envelopes of the page.
func (m *searchEnvelopes) pageCommand(r *runner) ([]*wire.Command, bool, error) {
	m.got = make(map[imap.UID]*email.Envelope, len(m.page))
	inPage := make(map[imap.UID]bool, len(m.page))
	for _, u := range m.page {
		inPage[u] = true
	}
	r.onData = func(resp *wire.Response) error {
		if resp.Kind == wire.KindFetch && resp.Fetch != nil && inPage[resp.Fetch.UID] {
			e := toEnvelope(resp.Fetch, m.opts.WithAttachment)
			m.got[resp.Fetch.UID] = &e
		}
		return nil
	}
	items := " (UID FLAGS ENVELOPE RFC822.SIZE)"
	if m.opts.WithAttachment {
		items = " (UID FLAGS ENVELOPE RFC822.SIZE BODYSTRUCTURE)"
	}
	m.cmd = "UID FETCH"
	return m.fetchBatch(m.page, items)
}

// maxSetLen bounds the UID set of one command: servers limit the length
// of a command line (Dovecot to 64 KiB by default).
const maxSetLen = 8000

// fetchBatch returns UID FETCH commands for uids with items, one per run
// of at most about maxSetLen bytes of UID set, to be pipelined.
func (m *searchEnvelopes) fetchBatch(uids []imap.UID, items string) ([]*wire.Command, bool, error) {
	var cmds []*wire.Command
	for _, set := range uidSetStrings(uids, maxSetLen) {
		c, err := m.s.command("UID FETCH").SP().Raw(set).Raw(items).Finish()
		if err != nil {
			return nil, false, err
		}
		cmds = append(cmds, c)
	}
	return cmds, false, nil
}

// uidSetStrings writes the UIDs, sorted, as sequence sets ("1:4,7")
// of about limit bytes at most each.
func uidSetStrings(uids []imap.UID, limit int) []string {
	sorted := slices.Clone(uids)
	slices.Sort(sorted)
	var out []string
	var b strings.Builder
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j+1] <= sorted[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(sorted[i]), 10))
		if sorted[j] != sorted[i] {
			b.WriteByte(':')
			b.WriteString(strconv.FormatUint(uint64(sorted[j]), 10))
		}
		if b.Len() >= limit {
			out = append(out, b.String())
			b.Reset()
		}
		i = j + 1
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// batchErr returns the run's error, or the first error among the statuses
// of its commands.
func batchErr(r *runner, cmd string) error {
	if r.err != nil {
		return r.err
	}
	for _, st := range r.status {
		if err := statusErr(cmd, st); err != nil {
			return err
		}
	}
	return nil
}

// dedupUIDs drops repeated UIDs (a server may repeat one), keeping the
// first place of each.
func dedupUIDs(uids []imap.UID) []imap.UID {
	seen := make(map[imap.UID]bool, len(uids))
	out := uids[:0]
	for _, u := range uids {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}
