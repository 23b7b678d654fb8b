package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// maxRescans bounds how often a scan starts over because new/ or cur/
// changed while it was listed.
const maxRescans = 3

// Entry is one message file of a maildir.
type Entry struct {
	// Sub is "new" or "cur".
	Sub string
	// File is the file's base name.
	File string
	// Name is File parsed.
	Name Name
}

// Path returns the file's path in the maildir dir.
func (e Entry) Path(dir string) string { return dir + "/" + e.Sub + "/" + e.File }

// Folder is what a scan of one maildir found.
type Folder struct {
	// Mailbox is the name the scan was asked for; Dir its directory.
	Mailbox, Dir string
	// Entries holds one entry per key: new/ is listed before cur/ and a
	// key found in both (a message moved between the two listings) is
	// kept once, as its cur/ file. Dot names, directories and names that
	// do not parse are skipped.
	Entries []Entry
	// NewModTime and CurModTime are the modification times of new/ and
	// cur/ when they were listed.
	NewModTime, CurModTime time.Time
	index                  map[string]int
	// stripped maps keys without mbsync's ",U=<n>" field to their index,
	// -1 when two keys collide; built on first need.
	stripped map[string]int
}

// Find returns the entry whose key is exactly id. Ids never match as
// prefixes. One fallback exists for mbsync, which renames other programs'
// files to insert ",U=<uid>" into their keys: an id that no key equals
// matches the single key that equals it once that field is removed.
func (f *Folder) Find(id string) (Entry, bool) {
	if i, ok := f.index[id]; ok {
		return f.Entries[i], true
	}
	if f.stripped == nil {
		f.stripped = make(map[string]int)
		for i, e := range f.Entries {
			k, ok := stripUID(e.Name.Key)
			if !ok {
				continue
			}
			if _, dup := f.stripped[k]; dup {
				f.stripped[k] = -1
			} else {
				f.stripped[k] = i
			}
		}
	}
	if i, ok := f.stripped[id]; ok && i >= 0 {
		return f.Entries[i], true
	}
	return Entry{}, false
}

// stripUID removes one ",U=<digits>" field from a key.
func stripUID(key string) (string, bool) {
	i := strings.Index(key, ",U=")
	if i < 0 {
		return "", false
	}
	j := i + 3
	for j < len(key) && key[j] >= '0' && key[j] <= '9' {
		j++
	}
	if j == i+3 || (j < len(key) && key[j] != ',') {
		return "", false
	}
	return key[:i] + key[j:], true
}

// Scan returns a machine listing the messages of a mailbox: it lists new/
// then cur/ in one batch, stats both, and starts over (at most three times)
// when either directory changed while it was listed, the technique mbsync
// uses against entries missed by a listing that races a rename. A missing
// cur/ means the mailbox does not exist (*email.NotFoundError); a missing
// new/ is read as empty. Nothing is opened and nothing is moved.
func (s Store) Scan(mailbox string) coroutine.FileMachine[*Folder] {
	dir, err := s.Dir(mailbox)
	if err != nil {
		return done[*Folder](err)
	}
	return s.scan(mailbox, dir)
}

// The states of scanMachine.
const (
	scStart = iota
	scList
	scStat
)

type scanMachine struct {
	base[*Folder]
	s       Store
	mailbox string
	dir     string
	state   int
	tries   int
	lists   [2]coroutine.FileResult
}

func (s Store) scan(mailbox, dir string) *scanMachine {
	return &scanMachine{s: s, mailbox: mailbox, dir: dir}
}

func (m *scanMachine) list() ([]coroutine.FileRequest, bool) {
	m.state = scList
	return m.ask(coroutine.List(m.dir+"/new"), coroutine.List(m.dir+"/cur"))
}

// Resume implements coroutine.Machine.
func (m *scanMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case scStart:
		return m.list()
	case scList:
		if err := in[1].Err; err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return m.fail(&email.NotFoundError{Mailbox: m.mailbox})
			}
			return m.fail(fmt.Errorf("maildir: listing %s/cur: %w", m.dir, err))
		}
		if err := in[0].Err; err != nil && !errors.Is(err, fs.ErrNotExist) {
			return m.fail(fmt.Errorf("maildir: listing %s/new: %w", m.dir, err))
		}
		m.lists = [2]coroutine.FileResult{in[0], in[1]}
		m.state = scStat
		stat := coroutine.FileRequest{Op: coroutine.FileStat}
		sn, sc := stat, stat
		sn.Path, sc.Path = m.dir+"/new", m.dir+"/cur"
		return m.ask(sn, sc)
	case scStat:
		changed := false
		for i := range 2 {
			if in[i].Err == nil && m.lists[i].Err == nil && !in[i].ModTime.Equal(m.lists[i].ModTime) {
				changed = true
			}
		}
		if changed && m.tries < maxRescans {
			m.tries++
			return m.list()
		}
		return m.finish(m.build())
	}
	return m.fail(fmt.Errorf("maildir: scan in state %d: %w", m.state, email.ErrUnexpectedReply))
}

func (m *scanMachine) build() *Folder {
	f := &Folder{Mailbox: m.mailbox, Dir: m.dir, NewModTime: m.lists[0].ModTime, CurModTime: m.lists[1].ModTime}
	n := len(m.lists[0].Entries) + len(m.lists[1].Entries)
	f.Entries = make([]Entry, 0, n)
	f.index = make(map[string]int, n)
	sep := m.s.sep()
	for i, sub := range [2]string{"new", "cur"} {
		for _, de := range m.lists[i].Entries {
			if de.IsDir {
				continue
			}
			name, err := ParseName(de.Name, sep)
			if err != nil {
				continue
			}
			e := Entry{Sub: sub, File: de.Name, Name: name}
			j, dup := f.index[name.Key]
			switch {
			case !dup:
				f.index[name.Key] = len(f.Entries)
				f.Entries = append(f.Entries, e)
			case f.Entries[j].Sub != sub || de.Name < f.Entries[j].File:
				// cur/ wins over new/; within one directory the
				// smaller name wins, so the choice is stable.
				f.Entries[j] = e
			}
		}
	}
	return f
}

// checkID refuses ids that cannot be a key: empty, starting with ".",
// holding "/", NUL or the separator.
func (s Store) checkID(id string) error {
	if id == "" || id[0] == '.' || len(id) > maxFileName || strings.ContainsAny(id, "/\x00"+string(s.sep())) {
		return fmt.Errorf("maildir: message id %q: %w", id, email.ErrInvalidID)
	}
	return nil
}

// checkIDs checks every id and that there is at least one.
func (s Store) checkIDs(ids []string) error {
	for _, id := range ids {
		if err := s.checkID(id); err != nil {
			return err
		}
	}
	return nil
}

// dedupe returns ids without repetitions, in first-seen order, and for
// each original position the index of its id in that list.
func dedupe(ids []string) (uniq []string, index []int) {
	pos := make(map[string]int, len(ids))
	index = make([]int, len(ids))
	for k, id := range ids {
		i, ok := pos[id]
		if !ok {
			i = len(uniq)
			pos[id] = i
			uniq = append(uniq, id)
		}
		index[k] = i
	}
	return uniq, index
}

// uniqIDs returns ids without repetitions.
func uniqIDs(ids []string) []string {
	u, _ := dedupe(ids)
	return u
}

// locate finds the entry of every id, failing with *email.NotFoundError at
// the first one missing.
func locate(f *Folder, ids []string) ([]Entry, error) {
	out := make([]Entry, len(ids))
	for i, id := range ids {
		e, ok := f.Find(id)
		if !ok {
			return nil, &email.NotFoundError{Mailbox: f.Mailbox, ID: id}
		}
		out[i] = e
	}
	return out, nil
}

// vanished sorts the results of a batch that renames or removes the files
// of the ids at the indices idx, one request each: it returns the indices
// whose file was gone (renamed meanwhile, so to be located again), or the
// error describe makes of the first other failure, j being its place in
// the batch.
func vanished(in []coroutine.FileResult, idx []int, describe func(j int, err error) error) ([]int, error) {
	var again []int
	for j, i := range idx {
		switch err := in[j].Err; {
		case errors.Is(err, fs.ErrNotExist):
			again = append(again, i)
		case err != nil:
			return nil, describe(j, err)
		}
	}
	return again, nil
}

// indices returns 0, 1, ..., n-1.
func indices(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
