package mailsync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ioemail/ioemail/email"
)

// memStore is an in-memory client.Storage with DiffEnvelopes (its state is
// a snapshot of ids and flags, like the Maildir backend's) and a
// UIDVALIDITY that reset bumps.
type memStore struct {
	mu    sync.Mutex
	name  string
	boxes map[string]*memBox
	calls int
}

type memBox struct {
	validity int
	next     int
	msgs     map[string]*memMsg
}

type memMsg struct {
	raw      []byte
	flags    email.Flags
	received time.Time
}

func newMemStore(name string) *memStore {
	return &memStore{name: name, boxes: map[string]*memBox{"INBOX": newMemBox(1)}}
}

func newMemBox(v int) *memBox { return &memBox{validity: v, next: 1, msgs: map[string]*memMsg{}} }

func (m *memStore) Name() string { return m.name }

func (m *memStore) box(name string) (*memBox, error) {
	b := m.boxes[name]
	if b == nil {
		return nil, &email.NotFoundError{Mailbox: name}
	}
	return b, nil
}

func (m *memStore) ListMailboxes(ctx context.Context, _ email.ListMailboxesOptions) ([]email.Mailbox, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	var out []email.Mailbox
	for _, n := range slices.Sorted(maps.Keys(m.boxes)) {
		out = append(out, email.Mailbox{ID: n, Name: n})
	}
	return out, nil
}

func (m *memStore) CreateMailbox(ctx context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.boxes[name] != nil {
		return email.ErrExists
	}
	m.boxes[name] = newMemBox(1)
	return nil
}

func (m *memStore) DeleteMailbox(ctx context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if _, err := m.box(name); err != nil {
		return err
	}
	delete(m.boxes, name)
	return nil
}

func envOf(id string, mm *memMsg) email.Envelope {
	e := email.Envelope{ID: id, Flags: mm.flags, Size: int64(len(mm.raw)), Received: mm.received}
	for _, line := range strings.Split(string(mm.raw), "\r\n") {
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Message-ID") {
			e.MessageID = email.NormalizeMessageID(v)
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Subject") {
			e.Subject = strings.TrimSpace(v)
		}
	}
	return e
}

func (m *memStore) ListEnvelopes(ctx context.Context, mailbox string, _ email.ListOptions) ([]email.Envelope, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	b, err := m.box(mailbox)
	if err != nil {
		return nil, err
	}
	var out []email.Envelope
	for id, mm := range b.msgs {
		out = append(out, envOf(id, mm))
	}
	return out, nil
}

func (m *memStore) GetMessage(ctx context.Context, mailbox, id string, w io.Writer) (int64, error) {
	m.mu.Lock()
	m.calls++
	b, err := m.box(mailbox)
	var raw []byte
	if err == nil {
		mm := b.msgs[id]
		if mm == nil {
			err = &email.NotFoundError{ID: id}
		} else {
			raw = mm.raw
		}
	}
	m.mu.Unlock()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(raw)
	return int64(n), err
}

func (m *memStore) add(b *memBox, mm *memMsg) string {
	id := fmt.Sprintf("%d.%d", b.validity, b.next)
	b.next++
	b.msgs[id] = mm
	return id
}

func (m *memStore) AddMessage(ctx context.Context, mailbox string, r io.Reader, flags email.Flags, opts ...email.AddOption) (string, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	b, err := m.box(mailbox)
	if err != nil {
		return "", err
	}
	return m.add(b, &memMsg{raw: raw, flags: email.NewFlags(flags...), received: email.NewAddOptions(opts...).Received}), nil
}

func (m *memStore) copyMove(from, to string, ids []string, move bool) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	fb, err := m.box(from)
	if err != nil {
		return nil, err
	}
	tb, err := m.box(to)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		mm := fb.msgs[id]
		if mm == nil {
			return nil, &email.NotFoundError{ID: id}
		}
		c := *mm
		out[i] = m.add(tb, &c)
		if move {
			delete(fb.msgs, id)
		}
	}
	return out, nil
}

func (m *memStore) CopyMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	return m.copyMove(from, to, ids, false)
}

func (m *memStore) MoveMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	return m.copyMove(from, to, ids, true)
}

func (m *memStore) DeleteMessages(ctx context.Context, mailbox string, ids []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	b, err := m.box(mailbox)
	if err != nil {
		return err
	}
	for _, id := range ids {
		delete(b.msgs, id)
	}
	return nil
}

func (m *memStore) StoreFlags(ctx context.Context, mailbox string, ids []string, op email.FlagOp, flags email.Flags) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	b, err := m.box(mailbox)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if mm := b.msgs[id]; mm != nil {
			mm.flags = mm.flags.Apply(op, flags)
		}
	}
	return nil
}

// memState is the DiffEnvelopes state of a memStore: the validity and
// each id's flags.
type memState struct {
	V     int               `json:"v"`
	Flags map[string]string `json:"f"`
}

func flagKey(f email.Flags) string { return strings.Join(email.NewFlags(f...).Raw(), " ") }

func (m *memStore) DiffEnvelopes(ctx context.Context, mailbox string, state email.State) (email.EnvelopeDiff, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	b, err := m.box(mailbox)
	if err != nil {
		return email.EnvelopeDiff{}, err
	}
	now := memState{V: b.validity, Flags: map[string]string{}}
	for id, mm := range b.msgs {
		now.Flags[id] = flagKey(mm.flags)
	}
	enc, _ := json.Marshal(now)
	var old memState
	if state == nil || json.Unmarshal(state, &old) != nil || old.V != b.validity {
		return email.EnvelopeDiff{FullListRequired: true, State: enc}, nil
	}
	d := email.EnvelopeDiff{State: enc}
	for _, id := range slices.Sorted(maps.Keys(now.Flags)) {
		f, ok := old.Flags[id]
		switch {
		case !ok:
			d.New = append(d.New, envOf(id, b.msgs[id]))
		case f != now.Flags[id]:
			d.FlagUpdates = append(d.FlagUpdates, email.FlagUpdate{ID: id, Flags: b.msgs[id].flags})
		}
	}
	for id := range old.Flags {
		if _, ok := now.Flags[id]; !ok {
			d.Vanished = append(d.Vanished, id)
		}
	}
	return d, nil
}

// reset gives every message of the mailbox a new id, as an IMAP server does
// after a UIDVALIDITY change.
func (m *memStore) reset(mailbox string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.boxes[mailbox]
	nb := newMemBox(b.validity + 1)
	for _, id := range slices.Sorted(maps.Keys(b.msgs)) {
		m.add(nb, b.msgs[id])
	}
	m.boxes[mailbox] = nb
}

// put adds a message with the given Message-ID directly (an outside
// change) and returns its id.
func (m *memStore) put(mailbox, msgid string, flags ...email.Flag) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.boxes[mailbox]
	raw := fmt.Sprintf("Message-ID: <%s>\r\nSubject: %s\r\n\r\nbody of %s\r\n", msgid, msgid, msgid)
	return m.add(b, &memMsg{raw: []byte(raw), flags: email.NewFlags(flags...), received: time.Unix(1700000000, 0)})
}

// content returns mailbox -> sorted "msgid [flags]" lines, to compare two
// stores.
func (m *memStore) content() map[string][]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string][]string{}
	for n, b := range m.boxes {
		var lines []string
		for id, mm := range b.msgs {
			e := envOf(id, mm)
			lines = append(lines, e.MessageID+" ["+flagKey(mm.flags)+"]")
		}
		slices.Sort(lines)
		out[n] = lines
	}
	return out
}

// where returns the mailboxes and ids holding msgid.
func (m *memStore) where(msgid string) map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	for n, b := range m.boxes {
		for id, mm := range b.msgs {
			if bytes.Contains(mm.raw, []byte("<"+msgid+">")) {
				out[n] = id
			}
		}
	}
	return out
}

// clone returns a deep copy of the store.
func (m *memStore) clone() *memStore {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := &memStore{name: m.name, boxes: map[string]*memBox{}}
	for n, b := range m.boxes {
		nb := &memBox{validity: b.validity, next: b.next, msgs: map[string]*memMsg{}}
		for id, mm := range b.msgs {
			cp := *mm
			nb.msgs[id] = &cp
		}
		c.boxes[n] = nb
	}
	return c
}
