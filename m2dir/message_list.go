package m2dir

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// messageList is what a listing of a folder and its .meta say of its
// messages, for a machine that reads every one of them: parallel slices,
// indexed by message, so that nothing is looked up by id per message
// afterwards.
type messageList struct {
	ids     []string // one per message id, in the order of the folder's listing
	files   []string // the file name of each id
	flagged []bool   // whether each id has a flags file
}

// readMessageList interprets List(dir) and List(dir/.meta) as
// readContents does (the same errors, the same file kept for an id that
// two files carry: the first name in byte order), without sorting the
// ids or keeping the .meta names and sub-directories.
func readMessageList(f folder, dir, meta result) (messageList, error) {
	if err := listingError(f, dir, meta); err != nil {
		return messageList{}, err
	}
	n := len(dir.Entries)
	l := messageList{ids: make([]string, 0, n), files: make([]string, 0, n)}
	index := make(map[string]int, n) // id -> its index in l
	for _, e := range dir.Entries {
		if e.IsDir {
			continue
		}
		id, ok := ParseFileName(e.Name)
		if !ok {
			continue
		}
		if i, dup := index[id]; dup {
			if e.Name < l.files[i] {
				l.files[i] = e.Name
			}
			continue
		}
		index[id] = len(l.ids)
		l.ids = append(l.ids, id)
		l.files = append(l.files, e.Name)
	}
	l.flagged = make([]bool, len(l.ids))
	for _, e := range meta.Entries {
		if e.IsDir {
			continue
		}
		if id, ok := cutSuffix(e.Name, FlagsSuffix); ok {
			if i, ok := index[id]; ok {
				l.flagged[i] = true
			}
		}
	}
	return l, nil
}

// listingError returns the error a listing of a folder and its .meta
// (see listFolder) reports: a *email.NotFoundError when the folder is
// missing or has no FolderMarker, the failure of either listing otherwise
// (a missing .meta is no failure); nil when the listing is good.
func listingError(f folder, dir, meta result) error {
	if dir.Err != nil {
		if errors.Is(dir.Err, fs.ErrNotExist) {
			return &email.NotFoundError{Mailbox: f.name}
		}
		return fileError(coroutine.List(f.dir), dir.Err)
	}
	marker := false
	for _, e := range dir.Entries {
		if e.Name == FolderMarker && !e.IsDir {
			marker = true
			break
		}
	}
	if !marker {
		return &email.NotFoundError{Mailbox: f.name}
	}
	if meta.Err != nil && !errors.Is(meta.Err, fs.ErrNotExist) {
		return fileError(coroutine.List(f.meta()), meta.Err)
	}
	return nil
}

// batchPaths builds the paths of one batch of requests as substrings of a
// single string, one allocation for the batch instead of one per path.
// Each path is dir + "/" + middle + name + suffix, which is what path.Join
// gives for a clean dir (a folder's directory always is) and a name that
// is one plain element (a listed file name or an id always is).
type batchPaths struct {
	b    strings.Builder
	ends []int  // where each path ends in s
	s    string // the paths, once finished
}

// reset starts a batch whose paths take size bytes in all.
func (p *batchPaths) reset(size int) {
	p.b = strings.Builder{}
	p.b.Grow(size)
	p.ends, p.s = p.ends[:0], ""
}

// add appends one path.
func (p *batchPaths) add(dir, middle, name, suffix string) {
	p.b.WriteString(dir)
	p.b.WriteByte('/')
	p.b.WriteString(middle)
	p.b.WriteString(name)
	p.b.WriteString(suffix)
	p.ends = append(p.ends, p.b.Len())
}

// finish ends the batch: path then returns its paths.
func (p *batchPaths) finish() { p.s = p.b.String() }

// path returns the i-th path added since reset.
func (p *batchPaths) path(i int) string {
	start := 0
	if i > 0 {
		start = p.ends[i-1]
	}
	return p.s[start:p.ends[i]]
}
