package imap

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
	"github.com/ioemail/ioemail/internal/searchexact"
	"github.com/ioemail/ioemail/search"
)

// SearchEnvelopes returns the machine that lists a page of the envelopes
// of mailbox that match q, in q's order (newest Date first without sort
// keys): the messages, order and pages package search gives over the same
// messages (search.Query.Match on their header fields, decoded as the local
// stores decode them, then search.Sort), whatever the server's own text,
// date and collation rules.
//
// It examines the mailbox (EXAMINE, unless it is already selected), then
// asks the server only what it answers exactly or provably over-answers
// (the bound is described below):
//
//   - a filter of flag and body conditions only is the server's
//     UID SEARCH [CHARSET UTF-8] keys, taken as the answer;
//   - any other filter is bounded from above: flag and body conditions
//     stay, text and date conditions become ALL (under NOT: NOT ALL), and
//     the server's answer to that superset (the whole mailbox when it is
//     ALL: no SEARCH at all) is checked here, message by message. A body
//     condition the check needs is one more UID SEARCH BODY v, run alone
//     (untagged SEARCH answers cannot be told apart when pipelined).
//
// The candidates' header fields are fetched in pipelined batches of
// searchBatch messages, as many commands at a time as fit in
// searchInFlight bytes,
//
//	UID FETCH set (UID [FLAGS] BODY.PEEK[HEADER.FIELDS (DATE MESSAGE-ID ...)])
//
// (FETCH lo:hi by sequence number for the whole mailbox): Date and
// Message-ID always (the tie-breaks of search.Sort), and only the fields
// the filter and sort read besides (FROM, TO, SUBJECT; FLAGS for a flag
// condition), at most maxHeaderFields bytes of them a message, parsed by
// search.EnvelopeFromHeader and checked by search.Query.MatchWith. Only
// matches are kept, as small envelopes; they are sorted with search.Sort
// (ties by Date, then Message-ID, then the id, as search.Compare), the page (opts) is cut, and
// its envelopes are fetched as ListEnvelopes fetches them (UID FLAGS
// ENVELOPE RFC822.SIZE and the raw header fields), plus BODYSTRUCTURE when
// opts.WithAttachment is set, and returned in the sorted order. The server's SORT is never
// used: its collation and undated rule differ, and Dovecot's sort cache
// can answer a stale order.
//
// The keys sent (RFC 3501 section 6.4.4, RFC 9051 section 6.4.4):
//
//	a and b      a b at the top level, (a b) inside OR and NOT
//	a or b or c  OR a OR b c
//	not a        NOT a
//	flag f       SEEN, ANSWERED, FLAGGED, DRAFT or DELETED for the system
//	             flags; KEYWORD and the canonical spelling otherwise
//	body v       BODY v (the server's rule: RFC 3501 case-insensitive
//	             substring; Cyrus folds diacritics)
//	(no filter)  nothing is searched
//
// Text values are never spliced into the command: a value goes as a quoted
// string when it is printable ASCII (or UTF-8 once UTF8=ACCEPT is
// enabled), and as a literal otherwise, non-synchronising under LITERAL+
// (RFC 7888). UID sets longer than about 8 KB are split. More than 2^20
// matches is an error matching email.ErrTooLarge.
//
// A query that cannot be sent (a NUL byte in a value, a flag that is not
// an IMAP keyword, an invalid day, a tree deeper than 1000) fails at once,
// before any I/O, with an error matching email.ErrInvalidArgument.
func SearchEnvelopes(s *Session, mailbox string, q search.Query, opts email.ListOptions) coroutine.NetMachine[[]email.Envelope] {
	const op = "search_envelopes"
	if err := checkName(mailbox); err != nil {
		return failed[[]email.Envelope](op, err)
	}
	if _, err := compileQuery(q); err != nil {
		return failed[[]email.Envelope](op, err)
	}
	st := &searchEnvelopes{s: s, q: q, opts: opts, sel: selector{mailbox: mailbox, readOnly: true}}
	st.plan()
	return newMachine[[]email.Envelope](s, op, st, mailbox)
}

// The batches of the header fetch: searchBatch messages a command, and
// commands pipelined until they hold searchInFlight bytes (at least one).
// The bytes in flight stay far below what the socket buffers of both
// sides hold, so the server never blocks on its answers while the client
// is still writing; 10,000 messages by sequence number go in one round.
const (
	searchBatch    = 500
	searchInFlight = 32 << 10
	// maxHeaderFields bounds the header fields kept of one message, as
	// the local stores bound the head they scan.
	maxHeaderFields = 256 << 10
)

// The states of searchEnvelopes.
const (
	searchSelect  = iota // send EXAMINE when needed
	searchQuery          // check it; send the next UID SEARCH, or fetch
	searchResult         // check it; record its answer
	searchHeaders        // check it; send the next header batch, or sort
	searchPage           // cut the page; fetch its envelopes
	searchOut            // check it; order the result
)

// A search step is one UID SEARCH: the candidates (the first step, unless
// the whole mailbox is checked), and (body) the messages whose body holds
// value; a superset that is one body condition is both.
type searchStep struct {
	key   search.Node
	body  bool
	value string
}

// candidateStep reports whether step i yields the candidates.
func (m *searchEnvelopes) candidateStep(i int) bool { return i == 0 && !m.whole }

type searchEnvelopes struct {
	s     *Session
	q     search.Query
	opts  email.ListOptions
	sel   selector
	state int
	// local: the filter is checked here on header fields.
	local bool
	// steps are the searches to run, one at a time; step is the next.
	steps []searchStep
	step  int
	// candidates is the superset to check; whole means every message
	// (no SEARCH narrowed it).
	candidates []imap.UID
	whole      bool
	bodies     map[string]map[imap.UID]bool
	fields     string
	flags      bool
	// next is the next batch to fetch: an index into candidates, or a
	// sequence number (from 1) when whole; end is where to stop.
	next, end int
	seen      map[imap.UID]bool
	// tooMany records a result of more than maxIDs UIDs.
	tooMany bool
	cmd     string // the command of the last batch, for errors
	hits    []email.Envelope
	order   []imap.UID
	page    []imap.UID
	got     map[imap.UID]*email.Envelope
	out     []email.Envelope
}

// plan decides what the server is asked (see bound).
func (m *searchEnvelopes) plan() {
	f := m.q.Filter
	switch {
	case f == nil:
		m.whole = true
	case searchexact.Exact(f):
		m.steps = []searchStep{{key: f}}
	default:
		m.local = true
		sup := bound(f, true)
		if isAll(sup) {
			m.whole = true
		} else {
			m.steps = append(m.steps, searchStep{key: sup})
		}
		// A superset that is one body condition is also that
		// condition's answer: no second search for it.
		if t, ok := sup.(*search.TextCond); ok {
			m.steps[0].body, m.steps[0].value = true, t.Value
		}
		for _, v := range searchexact.BodyValues(f) {
			if len(m.steps) == 0 || m.steps[0].key != sup || !m.steps[0].body || m.steps[0].value != v {
				m.steps = append(m.steps, searchStep{key: &search.TextCond{Field: search.Body, Value: v}, body: true, value: v})
			}
		}
	}
	m.fields, m.flags = searchFields(m.q, m.local)
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
			if m.step == 0 {
				if err := m.sel.done(s, r); err != nil {
					return nil, false, err
				}
				if s.exists == 0 {
					return m.empty()
				}
			}
			if m.step < len(m.steps) {
				m.state = searchResult
				return m.searchCommand(r, m.step)
			}
			m.seen = make(map[imap.UID]bool)
			if m.whole {
				m.next, m.end = 1, int(s.exists)
			} else {
				slices.Sort(m.candidates)
				m.candidates = slices.Compact(m.candidates)
				m.next, m.end = 0, len(m.candidates)
			}
			m.state = searchHeaders
			if cmds, err := m.headersCommand(r); cmds != nil || err != nil {
				return cmds, false, err
			}
		case searchResult:
			if err := runErr(r, 0, m.cmd); err != nil {
				return nil, false, err
			}
			if m.tooMany {
				return nil, false, fmt.Errorf("%w: more than %d messages match", email.ErrTooLarge, maxIDs)
			}
			if m.candidateStep(m.step) && len(m.candidates) == 0 {
				return m.empty()
			}
			m.step++
			m.state = searchQuery
		case searchHeaders:
			if err := batchErr(r, m.cmd); err != nil {
				return nil, false, err
			}
			if m.tooMany {
				return nil, false, fmt.Errorf("%w: more than %d messages match", email.ErrTooLarge, maxIDs)
			}
			if cmds, err := m.headersCommand(r); cmds != nil || err != nil {
				return cmds, false, err
			}
			search.Sort(m.hits, m.q.Sort)
			m.order = make([]imap.UID, len(m.hits))
			for i, e := range m.hits {
				n, _ := strconv.ParseUint(e.ID, 10, 32)
				m.order[i] = imap.UID(n)
			}
			m.hits, m.seen, m.bodies, m.candidates = nil, nil, nil, nil
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

// searchCommand returns the UID SEARCH of step i; its answer goes to the
// candidates, to the body set of the step's value, or both.
func (m *searchEnvelopes) searchCommand(r *runner, i int) ([]*wire.Command, bool, error) {
	st := m.steps[i]
	cand := m.candidateStep(i)
	var into map[imap.UID]bool
	if st.body {
		if m.bodies == nil {
			m.bodies = make(map[string]map[imap.UID]bool)
		}
		into = make(map[imap.UID]bool)
		m.bodies[st.value] = into
	}
	n := 0
	add := func(uids []imap.UID) {
		n += len(uids)
		if cand {
			m.candidates = append(m.candidates, uids...)
		}
		for _, u := range uids {
			if into != nil {
				into[u] = true
			}
		}
	}
	count := func() int { return n }
	r.onData = func(resp *wire.Response) error {
		switch resp.Kind {
		case wire.KindSearch:
			m.tooMany = m.tooMany || count()+len(resp.Nums) > maxIDs
			add(appendUIDs(nil, resp.Nums[:min(len(resp.Nums), maxIDs)]))
		case wire.KindESearch:
			// RFC 4731 / RFC 9051: only the answer to our own tag, and only
			// a UID answer (UID SEARCH asks for UIDs).
			if es := resp.ESearch; es != nil && es.UID && (es.Tag == "" || es.Tag == r.tags[0]) {
				uids, ok := expandSet(es.All, maxIDs-count())
				m.tooMany = m.tooMany || !ok
				add(uids)
			}
		}
		// An error here would end the run before the tagged status and
		// leave the stream out of step: tooMany is reported after it.
		return nil
	}
	var utf8 bool
	probe := wire.NewCommand("x", "x", wire.EncodeOptions{LiteralPlus: true})
	if err := writeKey(probe, st.key, 0, true, &utf8); err != nil {
		return nil, false, err
	}
	m.cmd = "UID SEARCH"
	e := m.s.command(m.cmd).SP()
	if utf8 {
		e.Raw("CHARSET UTF-8 ")
	}
	if err := writeKey(e, st.key, 0, true, &utf8); err != nil {
		return nil, false, err
	}
	return one(e)
}

// headersCommand returns the next header batches (see searchInFlight),
// or nil when
// every candidate is fetched. Each FETCH answer is checked against the
// filter and only a match is kept.
func (m *searchEnvelopes) headersCommand(r *runner) ([]*wire.Command, error) {
	if m.next > m.end || (!m.whole && m.next == m.end) {
		return nil, nil
	}
	r.onData = m.onHeaders
	items := " (UID BODY.PEEK[HEADER.FIELDS (" + m.fields + ")])"
	if m.flags {
		items = " (UID FLAGS BODY.PEEK[HEADER.FIELDS (" + m.fields + ")])"
	}
	m.cmd = "UID FETCH"
	var cmds []*wire.Command
	for size := 0; size < searchInFlight; {
		var e *wire.Encoder
		if m.whole {
			if m.next > m.end {
				break
			}
			hi := min(m.next+searchBatch-1, m.end)
			m.cmd = "FETCH"
			e = m.s.command("FETCH").SP().Raw(strconv.Itoa(m.next) + ":" + strconv.Itoa(hi)).Raw(items)
			m.next = hi + 1
		} else {
			if m.next == m.end {
				break
			}
			hi := min(m.next+searchBatch, m.end)
			e = m.s.command("UID FETCH").SP().Raw(strings.Join(uidSetStrings(m.candidates[m.next:hi], 1<<30), ",")).Raw(items)
			m.next = hi
		}
		c, err := e.Finish()
		if err != nil {
			return nil, err
		}
		for _, seg := range c.Segments {
			size += len(seg)
		}
		cmds = append(cmds, c)
	}
	return cmds, nil
}

// onHeaders checks one FETCH answer of the header batches. A UID the
// server repeats, or did not search for, is ignored.
func (m *searchEnvelopes) onHeaders(resp *wire.Response) error {
	f := resp.Fetch
	if resp.Kind != wire.KindFetch || f == nil || f.UID == 0 || m.seen[f.UID] {
		return nil
	}
	if !m.whole {
		if _, ok := slices.BinarySearch(m.candidates, f.UID); !ok {
			return nil
		}
	}
	m.seen[f.UID] = true
	var data []byte
	for _, sec := range f.Sections {
		data = sec.Data
	}
	if len(data) > maxHeaderFields {
		data = data[:maxHeaderFields]
	}
	env := search.EnvelopeFromHeader(data)
	env.ID, env.Flags = formatUID(f.UID), toFlags(f.Flags)
	if m.local {
		ok, _ := m.q.MatchWith(env, func(v string) (bool, error) { return m.bodies[v][f.UID], nil })
		if !ok {
			return nil
		}
	}
	if len(m.hits) >= maxIDs {
		m.tooMany = true
		return nil
	}
	env.Flags = nil // not needed any more
	m.hits = append(m.hits, env)
	return nil
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
	items := " (" + envelopeItems + ")"
	if m.opts.WithAttachment {
		items = " (" + envelopeItems + " BODYSTRUCTURE)"
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
