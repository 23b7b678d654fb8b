package m2dir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Get-message states.
const (
	gmList = iota // listing the folder
	gmRead        // reading the message
	gmDone        // checking it
)

type getMessage struct {
	machine[[]byte]
	s      Store
	f      folder
	id     string
	path   string
	state  int
	stream bool  // copy to the operation's sink instead of reading
	size   int64 // the bytes copied, when streaming
}

// GetMessage returns a machine that reads the message id of the folder
// mailbox and ends with its raw bytes, after checking them against the
// checksum in the id: a mismatch is a *ChecksumError (the file was
// modified or damaged).
//
// A missing folder or message (or one that vanishes before it is read)
// fails with email.ErrNotFound, a malformed id with email.ErrInvalidID, and
// a file larger than Store.MaxMessageSize with email.ErrTooLarge (at most
// that many bytes plus one are read).
func (s Store) GetMessage(mailbox, id string) coroutine.FileMachine[[]byte] {
	return s.getMessage(mailbox, id, nil)
}

// GetMessageStream returns a machine that copies the message id of the
// folder mailbox to the operation's sink (coroutine.FileCopyOut, see
// "Streaming bodies" in package coroutine) and ends with its size. The
// checksum is computed as the bytes pass, so the sink has received the
// whole message by the time a mismatch is reported as a *ChecksumError; a
// caller that must not see damaged bytes spools them until the machine
// succeeds. The errors are GetMessage's; a message larger than
// Store.MaxMessageSize fails before a byte is written.
func (s Store) GetMessageStream(mailbox, id string) coroutine.FileMachine[int64] {
	var g *getMessage
	m := s.getMessage(mailbox, id, &g)
	return coroutine.Map(m, func([]byte) (int64, error) { return g.size, nil })
}

// getMessage builds GetMessage's machine, or GetMessageStream's when
// stream is not nil (the machine built is then put in *stream).
func (s Store) getMessage(mailbox, id string, stream **getMessage) coroutine.FileMachine[[]byte] {
	const op = "get_message"
	f, err := s.folder(mailbox)
	if err == nil {
		err = checkID(id)
	}
	if err != nil {
		return failed[[]byte](op, err)
	}
	return resolved(s, op, []folder{f}, func(fs []folder) coroutine.FileMachine[[]byte] {
		m := &getMessage{machine: machine[[]byte]{op: op}, s: s, f: fs[0], id: id, stream: stream != nil}
		if stream != nil {
			*stream = m
		}
		return m
	})
}

// Resume implements coroutine.Machine.
func (m *getMessage) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case gmList:
		m.state = gmRead
		return m.ask(coroutine.List(m.f.dir))
	case gmRead:
		c, err := readContents(m.f, in[0], result{})
		if err != nil {
			return m.fail(err)
		}
		if err := c.findAll(m.f.name, []string{m.id}); err != nil {
			return m.fail(err)
		}
		m.path = m.f.file(c.files[m.id])
		m.state = gmDone
		if m.stream {
			r := coroutine.CopyOut(m.path, m.s.maxMessage())
			r.Hash = newChecksumHash
			return m.ask(r)
		}
		return m.ask(coroutine.ReadHead(m.path, m.s.maxMessage()+1))
	case gmDone:
		r := in[0]
		if r.Err != nil {
			if errors.Is(r.Err, fs.ErrNotExist) {
				return m.fail(&email.NotFoundError{Mailbox: m.f.name, ID: m.id})
			}
			return m.fail(fileError(coroutine.ReadHead(m.path, 0), r.Err))
		}
		if m.stream {
			if err := verifySum(m.f.name, m.id, checksumOfSum(r.Sum)); err != nil {
				return m.fail(err)
			}
			m.size = r.Size
			return m.finish(nil)
		}
		if int64(len(r.Data)) > m.s.maxMessage() {
			return m.fail(fmt.Errorf("m2dir: message %q is %d bytes: %w", m.id, r.Size, email.ErrTooLarge))
		}
		if err := verify(m.f.name, m.id, r.Data); err != nil {
			return m.fail(err)
		}
		return m.finish(r.Data)
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}
