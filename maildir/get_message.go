package maildir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// The states of getMessageMachine.
const (
	gmStart = iota
	gmGuess
	gmScan
	gmRead
)

// guessInfos are the infos GetMessage tries before it lists the folder:
// the most common flag sets, so that reading one message of a large
// folder usually costs a few failed opens instead of a full listing.
var guessInfos = [...]string{"2,", "2,S", "2,RS", "2,FS", "2,FRS", "2,PS"}

type getMessageMachine struct {
	base[[]byte]
	s       Store
	mailbox string
	dir     string
	id      string
	state   int
	scan    *scanMachine
	retried bool
	path    string
	guesses []string
	stream  bool  // copy to the operation's sink instead of reading
	size    int64 // the bytes copied, when streaming
}

// GetMessage returns a machine reading the raw bytes of the message whose
// key is exactly id (never a prefix: seed-reference 11.19). The message may
// be in new/ or cur/; reading it moves nothing and changes no flag.
//
// It first tries, in one batch, the names the message most likely has
// (new/<id>, new/<id>:2, and cur/<id>:2,<flags> for the common flag sets,
// a cur/ one preferred); only when none exists does it scan the folder and
// read the file found. When that file vanishes before the read (a
// concurrent flag change renamed it), the folder is scanned once more. A missing message
// gives *email.NotFoundError; one larger than Store.MaxMessageSize gives
// an error matching email.ErrTooLarge.
func (s Store) GetMessage(mailbox, id string) coroutine.FileMachine[[]byte] {
	dir, err := s.Dir(mailbox)
	if err == nil {
		err = s.checkID(id)
	}
	if err != nil {
		return done[[]byte](err)
	}
	return &getMessageMachine{s: s, mailbox: mailbox, dir: dir, id: id}
}

// GetMessageStream returns a machine copying the message whose key is exactly
// id to the operation's sink (coroutine.FileCopyOut, see "Streaming
// bodies" in package coroutine) and ending with its size. It finds the
// file as GetMessage does, probing the likely names with stats instead of
// reads, and never holds the message: a message of any size costs the
// driver's copy buffer. One larger than Store.MaxMessageSize fails with
// email.ErrTooLarge before a byte is written.
func (s Store) GetMessageStream(mailbox, id string) coroutine.FileMachine[int64] {
	dir, err := s.Dir(mailbox)
	if err == nil {
		err = s.checkID(id)
	}
	if err != nil {
		return done[int64](err)
	}
	m := &getMessageMachine{s: s, mailbox: mailbox, dir: dir, id: id, stream: true}
	return coroutine.Map(coroutine.FileMachine[[]byte](m), func([]byte) (int64, error) { return m.size, nil })
}

// read asks for the message at p, whole or streamed.
func (m *getMessageMachine) read(p string) coroutine.FileRequest {
	if m.stream {
		return coroutine.CopyOut(p, m.s.maxMessage())
	}
	return coroutine.ReadHead(p, m.s.maxMessage()+1)
}

// Resume implements coroutine.Machine.
func (m *getMessageMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case gmStart:
		sep := string(m.s.sep())
		m.guesses = []string{m.dir + "/new/" + m.id, m.dir + "/new/" + m.id + sep + "2,"}
		for _, info := range guessInfos {
			m.guesses = append(m.guesses, m.dir+"/cur/"+m.id+sep+info)
		}
		reqs := make([]coroutine.FileRequest, len(m.guesses))
		for i, p := range m.guesses {
			reqs[i] = coroutine.ReadHead(p, m.s.maxMessage()+1)
			if m.stream {
				reqs[i] = coroutine.FileRequest{Op: coroutine.FileStat, Path: p}
			}
		}
		m.state = gmGuess
		return m.ask(reqs...)
	case gmGuess:
		hit := -1
		for i := len(in) - 1; i >= 0; i-- { // cur/ guesses come last: prefer them
			if in[i].Err == nil && !in[i].IsDir {
				hit = i
				break
			}
		}
		if hit >= 0 && m.stream {
			m.path, m.state = m.guesses[hit], gmRead
			return m.ask(m.read(m.path))
		}
		if hit >= 0 {
			m.path = m.guesses[hit]
			return m.take(in[hit])
		}
		m.state, m.scan, in = gmScan, m.s.scan(m.mailbox, m.dir), nil
		fallthrough
	case gmScan:
		reqs, done, f, err := runSub[*Folder](m.scan, in)
		if !done {
			return m.delegate(reqs)
		}
		if err != nil {
			return m.fail(err)
		}
		e, ok := f.Find(m.id)
		if !ok {
			return m.fail(&email.NotFoundError{Mailbox: m.mailbox, ID: m.id})
		}
		m.path = e.Path(m.dir)
		m.state = gmRead
		return m.ask(m.read(m.path))
	case gmRead:
		r := in[0]
		switch {
		case errors.Is(r.Err, fs.ErrNotExist) && !m.retried:
			m.retried = true
			m.state, m.scan = gmScan, m.s.scan(m.mailbox, m.dir)
			reqs, _ := m.scan.Resume(nil)
			return m.delegate(reqs)
		case errors.Is(r.Err, fs.ErrNotExist):
			return m.fail(&email.NotFoundError{Mailbox: m.mailbox, ID: m.id})
		case r.Err != nil:
			return m.fail(fmt.Errorf("maildir: reading %s: %w", m.path, r.Err))
		}
		if m.stream {
			m.size = r.Size
			return m.finish(nil)
		}
		return m.take(r)
	}
	return m.fail(fmt.Errorf("maildir: get_message in state %d: %w", m.state, email.ErrUnexpectedReply))
}

// take ends the machine with a successful read.
func (m *getMessageMachine) take(r coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if r.Size > m.s.maxMessage() || int64(len(r.Data)) > m.s.maxMessage() {
		return m.fail(fmt.Errorf("maildir: message %q is %d bytes, more than %d: %w", m.id, r.Size, m.s.maxMessage(), email.ErrTooLarge))
	}
	return m.finish(r.Data)
}
