package maildir

import (
	"fmt"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// The states of addMessageMachine.
const (
	amStart = iota
	amKeywords
	amDeliver
)

type addMessageMachine struct {
	base[string]
	s       Store
	mailbox string
	dir     string
	raw     []byte
	flags   email.Flags
	need    email.Flags
	state   int
	kw      *keywordsMachine
	lock    heldLock
	dv      *deliverMachine
	stream  bool
	// received is the file's modification time when not zero.
	received time.Time
}

// AddMessageStream returns a machine storing the message read from the
// operation's source (coroutine.FileCopyIn, see "Streaming bodies" in
// package coroutine) with flags, like AddMessage, without holding it: the
// bytes go to the tmp/ file as they are read, then it is synced and
// published as AddMessage does. The tmp/ name has no ",S=" field; the
// cur/ name and the returned key get it from the size read. More than
// Store.MaxMessageSize bytes fail with email.ErrTooLarge and leave nothing.
func (s Store) AddMessageStream(mailbox string, flags email.Flags, opts ...email.AddOption) coroutine.FileMachine[string] {
	return s.addMessage(mailbox, nil, flags, true, opts)
}

// AddMessage returns a machine storing a raw message with flags and
// returning its id (the new unique key).
//
// The message goes to cur/<key>:2,<letters> (the IMAP APPEND semantics:
// new/ is for mail delivered by an MTA), written through tmp/ with an
// exclusive create and a sync, published with a hard link that never
// replaces a file, then tmp/ is cleaned and cur/ synced (see the delivery
// notes on the package). The key is <secs>.R<random>M<usecs>P<pid>Q1.<host>,S=<size>
// from the Store's Clock, Entropy, Pid and Hostname.
//
// The six standard flags become the letters D F P R S T in ASCII order;
// every other flag (the other registered keywords such as $Junk, and
// custom keywords) is stored as a Dovecot keyword letter a-z through the
// folder's dovecot-keywords file, which is extended when needed; $Forwarded
// is both P and a keyword letter. When the message carries keywords it is
// published while holding dovecot-uidlist.lock, as Dovecot does. A flag
// that is not a valid IMAP keyword atom fails with email.ErrInvalidArgument
// before any I/O, as does a message larger than Store.MaxMessageSize
// (email.ErrTooLarge). A missing tmp/ is created when cur/ exists.
// [email.WithReceived] sets the file's modification time, which listings
// report as Envelope.Received (Dovecot reads it as the INTERNALDATE).
func (s Store) AddMessage(mailbox string, raw []byte, flags email.Flags, opts ...email.AddOption) coroutine.FileMachine[string] {
	return s.addMessage(mailbox, raw, flags, false, opts)
}

// addMessage builds AddMessage's machine, or AddMessageStream's when
// stream is set.
func (s Store) addMessage(mailbox string, raw []byte, flags email.Flags, stream bool, opts []email.AddOption) coroutine.FileMachine[string] {
	dir, err := s.Dir(mailbox)
	if err == nil {
		err = s.canWrite()
	}
	if err != nil {
		return done[string](err)
	}
	if int64(len(raw)) > s.maxMessage() {
		return done[string](fmt.Errorf("maildir: message of %d bytes, more than %d: %w", len(raw), s.maxMessage(), email.ErrTooLarge))
	}
	flags = email.NewFlags(flags...)
	need, err := letterless(flags)
	if err != nil {
		return done[string](err)
	}
	m := &addMessageMachine{s: s, mailbox: mailbox, dir: dir, raw: raw, flags: flags, need: need, stream: stream, received: email.NewAddOptions(opts...).Received}
	return withUnlock(m, &m.lock)
}

// Resume implements coroutine.Machine.
func (m *addMessageMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if m.done {
		return nil, true
	}
	switch m.state {
	case amStart:
		if len(m.need) == 0 {
			return m.startDeliver(nil)
		}
		m.state = amKeywords
		m.kw = m.s.holding(m.mailbox, m.dir, m.need, &m.lock)
		in = nil
		fallthrough
	case amKeywords:
		reqs, done := m.kw.Resume(in)
		if !done {
			return m.delegate(reqs)
		}
		kw, err := m.kw.Result()
		if err != nil {
			return m.fail(err)
		}
		return m.startDeliver(kw)
	case amDeliver:
		reqs, done := m.dv.Resume(in)
		if !done {
			return m.delegate(reqs)
		}
		key, err := m.dv.Result()
		if err != nil {
			return m.fail(err)
		}
		return m.finish(key)
	}
	return m.fail(fmt.Errorf("maildir: add_message in state %d: %w", m.state, email.ErrUnexpectedReply))
}

func (m *addMessageMachine) startDeliver(kw *Keywords) ([]coroutine.FileRequest, bool) {
	letters, missing := render(m.flags, "", kw)
	if len(missing) > 0 {
		return m.fail(fmt.Errorf("maildir: no keyword letter for %q: %w", missing[0].Raw, email.ErrInvalidArgument))
	}
	m.state = amDeliver
	m.dv = m.s.deliver(m.mailbox, m.dir, m.raw, letters, 1)
	if m.stream {
		m.dv = m.s.deliverStream(m.mailbox, m.dir, letters, 1)
	}
	m.dv.mtime = m.received
	reqs, done := m.dv.Resume(nil)
	if done {
		key, err := m.dv.Result()
		if err != nil {
			return m.fail(err)
		}
		return m.finish(key)
	}
	return m.delegate(reqs)
}
