package m2dir

import (
	"github.com/ioemail/ioemail/coroutine"
)

// MessageFile is one message LocateMessages found.
type MessageFile struct {
	// ID is the message's id, as asked for.
	ID string
	// Read is the coroutine.FileCopyOut request that copies the message
	// to a sink through its checksum (Hash set), refusing one larger than
	// Store.MaxMessageSize.
	Read coroutine.FileRequest
}

// Verify checks the Sum of Read's result against the checksum in the id:
// nil, or a *ChecksumError naming mailbox.
func (f MessageFile) Verify(mailbox string, sum []byte) error {
	return verifySum(mailbox, f.ID, checksumOfSum(sum))
}

// MessageFiles is what LocateMessages ends with.
type MessageFiles struct {
	// Files are the messages found, in the order of the ids asked for,
	// each id once.
	Files []MessageFile
	// Missing are the ids the folder does not hold, in their order.
	Missing []string
}

// LocateMessages returns a machine finding the files of many messages of
// the folder mailbox with one listing, the first half of a batch get: it
// ends with one MessageFile per id found, whose Read request the caller
// performs as it likes (in parallel, reading ahead) and whose Verify it
// calls on the result's Sum once the bytes have passed, and the ids not
// found. A repeated id is kept once. A malformed id fails with
// email.ErrInvalidID and a missing folder with email.ErrNotFound, before
// anything is read.
func (s Store) LocateMessages(mailbox string, ids []string) coroutine.FileMachine[MessageFiles] {
	const op = "get_messages"
	f, err := s.folder(mailbox)
	if err == nil {
		err = checkIDs(ids)
	}
	if err != nil {
		return failed[MessageFiles](op, err)
	}
	return resolved(s, op, []folder{f}, func(fs []folder) coroutine.FileMachine[MessageFiles] {
		return &locateMessages{machine: machine[MessageFiles]{op: op}, s: s, f: fs[0], ids: ids}
	})
}

type locateMessages struct {
	machine[MessageFiles]
	s      Store
	f      folder
	ids    []string
	listed bool
}

// Resume implements coroutine.Machine.
func (m *locateMessages) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	if !m.listed {
		m.listed = true
		return m.ask(coroutine.List(m.f.dir))
	}
	c, err := readContents(m.f, in[0], result{})
	if err != nil {
		return m.fail(err)
	}
	var out MessageFiles
	seen := make(map[string]bool, len(m.ids))
	for _, id := range m.ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		name := c.files[id]
		if name == "" {
			out.Missing = append(out.Missing, id)
			continue
		}
		r := coroutine.CopyOut(m.f.file(name), m.s.maxMessage())
		r.Hash = newChecksumHash
		out.Files = append(out.Files, MessageFile{ID: id, Read: r})
	}
	return m.finish(out)
}
