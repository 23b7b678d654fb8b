package imap

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// DiffMailboxes returns the machine that reports which mailboxes appeared,
// disappeared or changed since state (nil for a first baseline).
//
// It lists the mailboxes with their STATUS (LIST-STATUS, RFC 5819, or
// STATUS pipelined in one round trip): UIDVALIDITY, UIDNEXT, MESSAGES,
// UNSEEN and, with CONDSTORE, HIGHESTMODSEQ. A mailbox is Updated when any
// of these moved; without CONDSTORE a flag change that leaves UNSEEN alone
// goes unseen. The opaque state holds those values per mailbox. A nil or
// unreadable state gives FullListRequired with a fresh state.
func DiffMailboxes(s *Session, state email.State) coroutine.NetMachine[email.MailboxDiff] {
	return newMachine[email.MailboxDiff](s, "diff_mailboxes", &diffMailboxes{s: s, old: state})
}

const mailboxStateMagic = "imap-mailboxes-1\n"

type diffMailboxes struct {
	s    *Session
	old  email.State
	list listMailboxes
	out  email.MailboxDiff
}

func (d *diffMailboxes) result() email.MailboxDiff { return d.out }

func (d *diffMailboxes) advance(r *runner) ([]*wire.Command, bool, error) {
	s := d.s
	if d.list.s == nil {
		items := "MESSAGES UNSEEN UIDNEXT UIDVALIDITY"
		if s.has(imap.CapCondStore) {
			items += " HIGHESTMODSEQ"
		}
		d.list = listMailboxes{s: s, opts: email.ListMailboxesOptions{WithCounts: true}, items: items}
	}
	cmds, done, err := d.list.advance(r)
	if err != nil || !done {
		return cmds, done, err
	}
	now := map[string]string{}
	for i, m := range d.list.out {
		sig := "-"
		if st := d.list.stats[d.list.wire[i]]; st != nil {
			sig = fmt.Sprintf("%d/%d/%d/%d/%d", st.UIDValidity, st.UIDNext, deref(st.NumMessages), deref(st.NumUnseen), st.HighestModSeq)
		}
		now[m.ID] = sig
	}
	d.out.State = encodeMailboxState(now)
	old, ok := decodeMailboxState(d.old)
	if !ok {
		d.out.FullListRequired = true
		return nil, true, nil
	}
	for id, sig := range now {
		switch o, had := old[id]; {
		case !had:
			d.out.Created = append(d.out.Created, id)
		case o != sig || sig == "-":
			d.out.Updated = append(d.out.Updated, id)
		}
	}
	for id := range old {
		if _, ok := now[id]; !ok {
			d.out.Deleted = append(d.out.Deleted, id)
		}
	}
	slices.Sort(d.out.Created)
	slices.Sort(d.out.Updated)
	slices.Sort(d.out.Deleted)
	return nil, true, nil
}

func deref(p *uint32) uint32 {
	if p == nil {
		return 0
	}
	return *p
}

func encodeMailboxState(m map[string]string) email.State {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var b bytes.Buffer
	b.WriteString(mailboxStateMagic)
	for _, id := range ids {
		b.WriteString(m[id])
		b.WriteByte('\t')
		b.WriteString(id)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func decodeMailboxState(st email.State) (map[string]string, bool) {
	text, ok := strings.CutPrefix(string(st), mailboxStateMagic)
	if !ok {
		return nil, false
	}
	m := map[string]string{}
	for line := range strings.Lines(text) {
		sig, id, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		if !ok {
			return nil, false
		}
		m[id] = sig
	}
	return m, true
}
