package maildir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
)

// headReader is the part of ListEnvelopes and DiffEnvelopes that reads
// message heads: the entries of todo in chunks of at most Store.BatchSize
// reads of Store.HeadLimit bytes each, then, once todo is done, the
// entries whose header did not end within their head (longs) again, up to
// Store.MaxHeader bytes, in chunks shrunk in proportion.
type headReader struct {
	todo  []Entry
	pos   int
	long  bool // todo is the second, longer read
	chunk []Entry
	longs []Entry // heads read without their end
}

// reset makes todo the entries to read, in the first, short phase.
func (h *headReader) reset(todo []Entry) {
	h.todo, h.pos, h.long = todo, 0, false
}

// more reports whether entries are left to read, moving to the longer
// reads once todo is done.
func (h *headReader) more() bool {
	if h.pos >= len(h.todo) && !h.long && len(h.longs) > 0 {
		h.todo, h.longs, h.pos, h.long = h.longs, nil, 0, true
	}
	return h.pos < len(h.todo)
}

// batch cuts the next chunk and returns its reads, preceded by the read of
// the folder's dovecot-keywords when withKeywords is set. Each head read
// carries digest (which may be nil) as its Digest, and is DigestOnly when
// it has one.
func (h *headReader) batch(s Store, dir string, withKeywords bool, digest func([]byte, int64) any) []coroutine.FileRequest {
	limit, n := s.headLimit(), s.batchSize()
	if h.long {
		limit = s.maxHeader()
		n = max(1, int(int64(n)*s.headLimit()/limit))
	}
	end := min(h.pos+n, len(h.todo))
	h.chunk = h.todo[h.pos:end]
	h.pos = end
	reqs := make([]coroutine.FileRequest, 0, len(h.chunk)+1)
	if withKeywords {
		reqs = append(reqs, coroutine.ReadHead(dir+"/"+keywordsFile, maxKeywordsFile))
	}
	for _, e := range h.chunk {
		r := coroutine.ReadHead(e.Path(dir), limit)
		r.Digest, r.DigestOnly = digest, digest != nil
		reqs = append(reqs, r)
	}
	return reqs
}

// headDigest is the value of scanDigest: the header scan of a head and how
// many bytes it scanned, all that summary needs of them, so that reads
// carrying scanDigest are DigestOnly.
type headDigest struct {
	sum header.Summary
	n   int
}

// scanDigest is the Digest of head reads: the header scan, done by the
// driver's worker that read the file.
func scanDigest(data []byte, _ int64) any { return &headDigest{header.Scan(data), len(data)} }

// summary returns the header summary of a successful head read: the
// driver's digest when it ran one, else a scan of the bytes. It reports
// false, after filing e for the longer read, when the header did not end
// within a short read of a longer file.
func (h *headReader) summary(e Entry, r coroutine.FileResult) (header.Summary, bool) {
	var sum header.Summary
	n := len(r.Data)
	if d, ok := r.Digest.(*headDigest); ok {
		sum, n = d.sum, d.n
	} else {
		sum = header.Scan(r.Data)
	}
	if sum.BodyOffset < 0 && r.Size > int64(n) && !h.long {
		h.longs = append(h.longs, e)
		return sum, false
	}
	return sum, true
}

// envelope builds the envelope of entry e from its header summary, the
// head read r and its flags. Size is the key's ",S=" field when present,
// else the file's size; Received is the file's modification time, which
// the read reports (no extra call per file).
func envelope(e Entry, sum header.Summary, r coroutine.FileResult, flags email.Flags) email.Envelope {
	size := e.Name.Size
	if size < 0 {
		size = r.Size
	}
	env := sum.Envelope()
	env.ID, env.Flags, env.Size, env.Received = e.Name.Key, flags, size, r.ModTime
	has := sum.HasAttachment
	env.HasAttachment = &has
	return env
}

// readKeywords interprets the read of a folder's dovecot-keywords asked for
// with the heads: a missing or oversized file is an empty table.
func readKeywords(dir string, r coroutine.FileResult) (*Keywords, error) {
	switch {
	case r.Err == nil && r.Size <= maxKeywordsFile:
		return ParseKeywords(r.Data), nil
	case r.Err != nil && !errors.Is(r.Err, fs.ErrNotExist):
		return nil, fmt.Errorf("maildir: reading %s/%s: %w", dir, keywordsFile, r.Err)
	}
	return &Keywords{}, nil
}
