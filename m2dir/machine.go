package m2dir

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Request and Result shorten the file vocabulary's names.
type (
	request = coroutine.FileRequest
	result  = coroutine.FileResult
)

// machine holds what every operation machine shares: its outcome and the
// size of the batch it is waiting on. The operations embed it and keep
// their own state field.
type machine[T any] struct {
	op   string
	want int
	done bool
	out  T
	err  error
}

// begin checks a reply before a Resume acts on it. It returns false when
// the machine is finished, or when in does not answer the last batch (the
// machine then fails with email.ErrUnexpectedReply).
func (m *machine[T]) begin(in []result) bool {
	if m.done {
		return false
	}
	if len(in) != m.want {
		m.fail(fmt.Errorf("m2dir: %d results for a batch of %d: %w", len(in), m.want, email.ErrUnexpectedReply))
		return false
	}
	return true
}

// ask returns a batch to the driver.
func (m *machine[T]) ask(reqs ...request) ([]request, bool) {
	m.want = len(reqs)
	return reqs, false
}

// finish ends the machine with out.
func (m *machine[T]) finish(out T) ([]request, bool) {
	m.done, m.out = true, out
	return nil, true
}

// fail ends the machine with err, wrapped in an *email.OpError.
func (m *machine[T]) fail(err error) ([]request, bool) {
	m.done = true
	var zero T
	m.out = zero
	var op *email.OpError
	if !errors.As(err, &op) {
		err = &email.OpError{Backend: "m2dir", Op: m.op, Err: err}
	}
	m.err = err
	return nil, true
}

// Result returns the outcome once Resume has reported done.
func (m *machine[T]) Result() (T, error) {
	if !m.done {
		var zero T
		return zero, coroutine.ErrNotDone
	}
	return m.out, m.err
}

// failed returns a machine that is done with err from the start, for
// arguments refused before any I/O.
func failed[T any](op string, err error) coroutine.FileMachine[T] {
	var zero T
	return coroutine.Done[[]result, []request, T](zero, &email.OpError{Backend: "m2dir", Op: op, Err: err})
}

// fileError describes a failed file request.
func fileError(r request, err error) error {
	return fmt.Errorf("m2dir: %v %s: %w", r.Op, r.Path, err)
}

// ChecksumError reports a message whose content does not match the checksum
// in its id: the file was modified or damaged. It matches ErrChecksum and
// email.ErrProtocol.
type ChecksumError struct {
	Mailbox, ID string // where the message is, and its id
	Got         string // the checksum of the content found
}

// ErrChecksum is matched by every *ChecksumError.
var ErrChecksum = errors.New("m2dir: checksum mismatch")

// Error implements error.
func (e *ChecksumError) Error() string {
	return fmt.Sprintf("m2dir: message %q in %q: content checksum %s does not match its id", e.ID, e.Mailbox, e.Got)
}

// Is matches ErrChecksum and email.ErrProtocol.
func (e *ChecksumError) Is(target error) bool {
	return target == ErrChecksum || target == email.ErrProtocol
}

// verify returns a *ChecksumError unless data matches id's checksum.
func verify(mailbox, id string, data []byte) error {
	return verifySum(mailbox, id, Checksum(data))
}

// verifySum checks a message's checksum, as got, against its id.
func verifySum(mailbox, id, got string) error {
	if len(id) < ChecksumLen || got != id[:ChecksumLen] {
		return &ChecksumError{Mailbox: mailbox, ID: id, Got: got}
	}
	return nil
}

// contents is what one listing of a folder and its .meta says.
type contents struct {
	files   map[string]string // id -> file name
	ids     []string          // sorted ids
	flagged map[string]bool   // ids with a flags file
	meta    []string          // every .meta entry name
	subdirs []string          // non-dot sub-directories, sorted
}

// readContents interprets List(dir) and List(dir/.meta). It returns a
// *email.NotFoundError when dir is missing or is not a folder.
func readContents(f folder, dir, meta result) (contents, error) {
	if err := listingError(f, dir, meta); err != nil {
		return contents{}, err
	}
	// The maps are sized up front: growing them by rehashing was most of
	// the cost of a large folder's listing here.
	c := contents{files: make(map[string]string, len(dir.Entries)), ids: make([]string, 0, len(dir.Entries))}
	for _, e := range dir.Entries {
		switch {
		case e.Name == FolderMarker && !e.IsDir:
			// the marker, which listingError checked
		case e.IsDir:
			if e.Name != "" && e.Name[0] != '.' {
				c.subdirs = append(c.subdirs, e.Name)
			}
		default:
			id, ok := ParseFileName(e.Name)
			if !ok {
				continue
			}
			// Two files with one id (written by another tool): keep
			// the first name in byte order, deterministically.
			if old, dup := c.files[id]; !dup {
				c.files[id] = e.Name
				c.ids = append(c.ids, id)
			} else if e.Name < old {
				c.files[id] = e.Name
			}
		}
	}
	c.flagged = make(map[string]bool, len(meta.Entries))
	for _, e := range meta.Entries {
		if e.IsDir {
			continue
		}
		c.meta = append(c.meta, e.Name)
		if id, ok := cutSuffix(e.Name, FlagsSuffix); ok && c.files[id] != "" {
			c.flagged[id] = true
		}
	}
	slices.Sort(c.ids)
	slices.Sort(c.subdirs)
	slices.Sort(c.meta)
	return c, nil
}

func cutSuffix(s, suffix string) (string, bool) {
	if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)], true
	}
	return "", false
}

// listFolder returns the batch readContents interprets.
func listFolder(f folder) []request {
	return []request{coroutine.List(f.dir), coroutine.List(f.meta())}
}

// findAll returns a *email.NotFoundError for the first id of ids that the
// folder does not hold, or a *IDError for a malformed one.
func (c contents) findAll(mailbox string, ids []string) error {
	for _, id := range ids {
		if c.files[id] == "" {
			return &email.NotFoundError{Mailbox: mailbox, ID: id}
		}
	}
	return nil
}

// checkIDs validates every id.
func checkIDs(ids []string) error {
	for _, id := range ids {
		if err := checkID(id); err != nil {
			return err
		}
	}
	return nil
}

// readFlags interprets the read of a flags file: a missing file is no
// flags; garbage lines are dropped and reported. It takes the parse from
// the read's digest when a driver ran flagsDigest.
func readFlags(r result) (email.Flags, error) {
	if r.Err != nil {
		if errors.Is(r.Err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, r.Err
	}
	if d, ok := r.Digest.(*flagsRead); ok {
		return d.flags, d.err
	}
	return parseFlagsRead(r.Data, r.Size)
}

// parseFlagsRead parses the bytes read of a flags file of the given full
// size.
func parseFlagsRead(data []byte, size int64) (email.Flags, error) {
	if size > MaxFlagsFileSize {
		return nil, &FlagsFileError{Reason: "file too large"}
	}
	return ParseFlagsFile(data)
}

// flagsRead is the value of flagsDigest: the parse of a flags file.
type flagsRead struct {
	flags email.Flags
	err   error
}

// flagsDigest is the Digest of flags file reads: their parse, run by the
// driver's worker that read the file, so that the reads are DigestOnly
// and the machine parses nothing itself (see coroutine.FileRequest.Digest).
func flagsDigest(data []byte, size int64) any {
	fl, err := parseFlagsRead(data, size)
	return &flagsRead{fl, err}
}

// readFlagsReq reads a flags file, at most one byte past the limit.
func readFlagsReq(p string) request { return coroutine.ReadHead(p, MaxFlagsFileSize+1) }

// flagsDigestReq is readFlagsReq parsed by the driver with flagsDigest.
func flagsDigestReq(p string) request {
	r := readFlagsReq(p)
	r.Digest, r.DigestOnly = flagsDigest, true
	return r
}

// listedWith interprets the listing of a folder (see listFolder and
// readContents) and checks that it holds every id of ids.
func listedWith(f folder, dir, meta result, ids []string) (contents, error) {
	c, err := readContents(f, dir, meta)
	if err == nil {
		err = c.findAll(f.name, ids)
	}
	return c, err
}

// batchError returns the first error of a batch, described by its request,
// passing over a file already gone where missingOK says so (nil: never).
func batchError(reqs []request, in []result, missingOK func(request) bool) error {
	for i, r := range in {
		if r.Err == nil || (missingOK != nil && missingOK(reqs[i]) && errors.Is(r.Err, fs.ErrNotExist)) {
			continue
		}
		return fileError(reqs[i], r.Err)
	}
	return nil
}

// anyRequest is a batchError filter that passes over every missing file.
func anyRequest(request) bool { return true }
