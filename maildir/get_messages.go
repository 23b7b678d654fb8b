package maildir

import (
	"github.com/ioemail/ioemail/coroutine"
)

// MessageFile is one message LocateMessages found.
type MessageFile struct {
	// ID is the message's id, as asked for.
	ID string
	// Read is the coroutine.FileCopyOut request that copies the message
	// to a sink, refusing one larger than Store.MaxMessageSize.
	Read coroutine.FileRequest
}

// MessageFiles is what LocateMessages ends with.
type MessageFiles struct {
	// Files are the messages found, in the order of the ids asked for,
	// each id once.
	Files []MessageFile
	// Missing are the ids found in neither new/ nor cur/, in their order.
	Missing []string
}

// LocateMessages returns a machine finding the files of many messages of
// one mailbox with a single scan (see Scan), the first half of a batch
// get: it ends with one MessageFile per id found, whose Read request the
// caller performs as it likes (in parallel, reading ahead), and the ids
// not found. A repeated id is kept once. A file may still vanish before it
// is read, when a flag change renames it: GetMessageStream on its id then
// finds it under its new name. An invalid id fails with
// email.ErrInvalidID, a missing mailbox with *email.NotFoundError, before
// anything is read.
func (s Store) LocateMessages(mailbox string, ids []string) coroutine.FileMachine[MessageFiles] {
	if err := s.checkIDs(ids); err != nil {
		return done[MessageFiles](err)
	}
	return coroutine.Map(s.Scan(mailbox), func(f *Folder) (MessageFiles, error) {
		var out MessageFiles
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			e, ok := f.Find(id)
			if !ok {
				out.Missing = append(out.Missing, id)
				continue
			}
			out.Files = append(out.Files, MessageFile{ID: id, Read: coroutine.CopyOut(e.Path(f.Dir), s.maxMessage())})
		}
		return out, nil
	})
}
