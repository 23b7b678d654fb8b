package m2dir

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
)

// Add-message states.
const (
	amStat    = iota // checking the folder marker
	amCreate         // writing the temp files
	amMkdir          // making .meta when missing
	amTemps          // checking the temp files
	amPublish        // publishing them
	amDigest         // checksumming a streamed message
)

// headerInfo is what the human part of a file name is made of.
type headerInfo struct {
	date time.Time
	from string
}

// info reads the date and sender of a message for its file name; an
// undated message is named after fallback.
func info(raw []byte, fallback time.Time) headerInfo {
	head := raw[:min(len(raw), MaxHeadSize)]
	h := header.Scan(head)
	hi := headerInfo{date: h.Date}
	if hi.date.IsZero() {
		hi.date = fallback
	}
	if len(h.From) > 0 {
		hi.from = h.From[0].Email
	}
	return hi
}

type addMessage struct {
	machine[string]
	s     Store
	f     folder
	raw   []byte
	flags []byte
	state int
	pub   publisher
	// stream is set when the message comes from the operation's source
	// (coroutine.FileCopyIn): its head, size and checksum come back from
	// the copy (the checksum hashes the size first: the driver calls the
	// request's Hash once it knows the size), or the checksum from a
	// second pass (coroutine.FileDigest) when the driver returned none.
	stream bool
	head   []byte
	// received is the message file's modification time when not zero.
	received time.Time
}

// AddMessage returns a machine that stores raw in the folder mailbox with
// flags and ends with the new message's id.
//
// The message is written under a dot-temp name in the folder with an
// exclusive, synced create (and its flags file likewise in .meta); the
// flags file is renamed into place first, then the message, both without
// ever replacing an existing file; an id already taken gets a fresh nonce.
// A crash leaves at worst a hidden temp file or a flags file without a
// message, never a message without its flags.
//
// It fails with email.ErrNotFound when the folder does not exist,
// email.ErrTooLarge beyond Store.MaxMessageSize, and
// email.ErrInvalidArgument for a flag that cannot be stored (see
// CheckFlags) or a store without Entropy. [email.WithReceived] sets the
// message file's modification time, which listings report as
// Envelope.Received.
func (s Store) AddMessage(mailbox string, raw []byte, flags email.Flags, opts ...email.AddOption) coroutine.FileMachine[string] {
	return s.addMessage(mailbox, raw, flags, false, opts)
}

// AddMessageStream returns a machine that stores the message read from the
// operation's source (see "Streaming bodies" in package coroutine) in the
// folder mailbox with flags, like AddMessage, without holding it: the
// bytes go to the temp file as they are read (its first MaxHeadSize bytes
// kept for the file name), the checksum (which hashes the size first)
// computed by the driver from the copy's Hash, or, when the driver gave no
// Sum, in a second pass over the temp file (coroutine.FileDigest), before
// it is published as AddMessage does. More than Store.MaxMessageSize bytes fail with
// email.ErrTooLarge and leave no message file.
func (s Store) AddMessageStream(mailbox string, flags email.Flags, opts ...email.AddOption) coroutine.FileMachine[string] {
	return s.addMessage(mailbox, nil, flags, true, opts)
}

// addMessage builds AddMessage's machine, or AddMessageStream's.
func (s Store) addMessage(mailbox string, raw []byte, flags email.Flags, stream bool, opts []email.AddOption) coroutine.FileMachine[string] {
	const op = "add_message"
	f, err := s.folder(mailbox)
	if err != nil {
		return failed[string](op, err)
	}
	if int64(len(raw)) > s.maxMessage() {
		return failed[string](op, fmt.Errorf("m2dir: message of %d bytes: %w", len(raw), email.ErrTooLarge))
	}
	if err := CheckFlags(flags); err != nil {
		return failed[string](op, err)
	}
	return resolved(s, op, []folder{f}, func(fs []folder) coroutine.FileMachine[string] {
		f := fs[0]
		return &addMessage{machine: machine[string]{op: op}, s: s, f: f, raw: raw, flags: FormatFlagsFile(flags), stream: stream, received: email.NewAddOptions(opts...).Received}
	})
}

// Resume implements coroutine.Machine.
func (m *addMessage) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case amStat:
		m.state = amCreate
		return m.ask(request{Op: coroutine.FileStat, Path: m.f.file(FolderMarker)})
	case amCreate:
		if err := in[0].Err; err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return m.fail(&email.NotFoundError{Mailbox: m.f.name})
			}
			return m.fail(fileError(request{Op: coroutine.FileStat, Path: m.f.file(FolderMarker)}, err))
		}
		if len(m.flags) > 0 {
			m.state = amMkdir
			return m.ask(mkdirMeta(m.f))
		}
		return m.create()
	case amMkdir:
		if err := in[0].Err; err != nil {
			return m.fail(fileError(mkdirMeta(m.f), err))
		}
		return m.create()
	case amTemps:
		for i, r := range in {
			if r.Err != nil {
				return m.fail(fileError(request{Op: coroutine.FileCreate, Path: []string{m.pub.items[0].src, m.pub.items[0].flagsSrc}[i]}, r.Err))
			}
		}
		if m.stream {
			m.head = in[0].Data
			if sumOfSize(in[0].Sum, in[0].Size) {
				// The driver hashed the copy, knowing its size.
				return m.digested(in[0].Sum)
			}
			m.state = amDigest
			return m.ask(request{Op: coroutine.FileDigest, Path: m.pub.items[0].src, Hash: newChecksumHash})
		}
		m.state = amPublish
		return m.publish(nil)
	case amDigest:
		if err := in[0].Err; err != nil {
			return m.fail(fileError(request{Op: coroutine.FileDigest, Path: m.pub.items[0].src}, err))
		}
		return m.digested(in[0].Sum)
	case amPublish:
		return m.publish(in)
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}

// digested names the streamed message after its checksum sum and
// publishes it.
func (m *addMessage) digested(sum []byte) ([]request, bool) {
	it := &m.pub.items[0]
	it.checksum, it.human = checksumOfSum(sum), humanPart(info(m.head, m.s.now()))
	if err := it.renew(m.s.Entropy); err != nil {
		return m.fail(err)
	}
	m.state = amPublish
	return m.publish(nil)
}

// sumOfSize reports whether sum is a checksumHash sum of a message of
// size bytes: what a driver that hashed a FileCopyIn returns (one that did
// not leaves Sum nil, and the machine asks for a FileDigest).
func sumOfSize(sum []byte, size int64) bool {
	return len(sum) == 12 && int64(binary.LittleEndian.Uint32(sum)) == size&0xffffffff
}

// newItem prepares the publication of raw with the formatted flags into f:
// it draws the id and temp names and returns the create requests.
func newItem(s Store, f folder, raw, flags []byte) (pubItem, []request, error) {
	return makeItem(s, f, raw, flags, false)
}

// makeItem is newItem; with stream set, raw is ignored: the message comes
// from the operation's source, and the checksum, human part and id are
// left for the caller to fill once it is written.
func makeItem(s Store, f folder, raw, flags []byte, stream bool) (pubItem, []request, error) {
	var it pubItem
	if !stream {
		it = pubItem{checksum: Checksum(raw), human: humanPart(info(raw, s.now()))}
		if err := it.renew(s.Entropy); err != nil {
			return it, nil, err
		}
	}
	tmp, err := tempName(s.Entropy)
	if err != nil {
		return it, nil, err
	}
	it.src = f.file(tmp)
	reqs := []request{coroutine.Create(it.src, raw)}
	if stream {
		reqs[0] = coroutine.CopyIn(it.src, s.maxMessage(), MaxHeadSize)
		reqs[0].Hash = newChecksumHash
	}
	if len(flags) > 0 {
		it.flagsSrc = f.meta() + "/" + tmp + FlagsSuffix
		reqs = append(reqs, coroutine.Create(it.flagsSrc, flags))
	}
	return it, reqs, nil
}

func (m *addMessage) publish(in []result) ([]request, bool) {
	reqs, err := m.pub.step(in)
	if err != nil {
		return m.fail(err)
	}
	if reqs == nil {
		return m.finish(m.pub.items[0].id)
	}
	return m.ask(reqs...)
}

// create asks for the temp files.
func (m *addMessage) create() ([]request, bool) {
	it, reqs, err := makeItem(m.s, m.f, m.raw, m.flags, m.stream)
	if err != nil {
		return m.fail(err)
	}
	reqs[0].ModTime = m.received // the message file, renamed into place
	m.pub = publisher{dst: m.f, entropy: m.s.Entropy, items: []pubItem{it}}
	m.state = amTemps
	return m.ask(reqs...)
}

// mkdirMeta makes a folder's .meta, which folders written by other tools
// may lack; an existing one is fine.
func mkdirMeta(f folder) request { return coroutine.Mkdir(f.meta()) }

// afterMkdirMeta checks the result of mkdirMeta, asked last in a batch, and
// returns the results before it.
func afterMkdirMeta(f folder, in []result) ([]result, error) {
	if err := in[len(in)-1].Err; err != nil {
		return nil, fileError(mkdirMeta(f), err)
	}
	return in[:len(in)-1], nil
}

// tempFlagsFile returns the path of a new temp file in f's .meta, for a
// flags file written before it is renamed into place.
func tempFlagsFile(f folder, entropy io.Reader) (string, error) {
	tmp, err := tempName(entropy)
	if err != nil {
		return "", err
	}
	return f.meta() + "/" + tmp + FlagsSuffix, nil
}
