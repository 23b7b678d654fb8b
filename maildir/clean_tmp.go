package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/cleanup"
)

// DefaultTmpAge is the age after which CleanTmp removes a file from tmp/:
// 36 hours, as the qmail maildir(5) page says.
const DefaultTmpAge = 36 * time.Hour

// The states of cleanTmpMachine.
const (
	ctStart = iota
	ctList
	ctStat
	ctRemove
)

type cleanTmpMachine struct {
	base[int]
	s     Store
	dir   string
	age   time.Duration
	state int
	names []string
	gone  []string
}

// CleanTmp returns a machine removing the files a crash left in a
// mailbox's tmp/: regular files whose names do not start with "." and that
// were last modified more than age ago by the Store's Clock
// (DefaultTmpAge when age is 0). Younger files may be deliveries in
// flight and are never touched. It returns how many files it removed; a
// missing tmp/ removes none.
func (s Store) CleanTmp(mailbox string, age time.Duration) coroutine.FileMachine[int] {
	dir, err := s.Dir(mailbox)
	if err == nil && s.Clock == nil {
		err = fmt.Errorf("maildir: Store.Clock is required to judge ages: %w", email.ErrInvalidArgument)
	}
	if err == nil && age < 0 {
		err = fmt.Errorf("maildir: negative age %v: %w", age, email.ErrInvalidArgument)
	}
	if err != nil {
		return done[int](err)
	}
	if age == 0 {
		age = DefaultTmpAge
	}
	return &cleanTmpMachine{s: s, dir: dir + "/tmp", age: age}
}

// Resume implements coroutine.Machine.
func (m *cleanTmpMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case ctStart:
		m.state = ctList
		return m.ask(coroutine.List(m.dir))
	case ctList:
		if err := in[0].Err; err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return m.finish(0)
			}
			return m.fail(fmt.Errorf("maildir: listing %s: %w", m.dir, err))
		}
		reqs := make([]coroutine.FileRequest, 0, len(in[0].Entries))
		for _, e := range in[0].Entries {
			if e.IsDir || strings.HasPrefix(e.Name, ".") {
				continue
			}
			m.names = append(m.names, e.Name)
			reqs = append(reqs, coroutine.FileRequest{Op: coroutine.FileStat, Path: m.dir + "/" + e.Name})
		}
		if len(reqs) == 0 {
			return m.finish(0)
		}
		m.state = ctStat
		return m.ask(reqs...)
	case ctStat:
		cutoff := m.s.Clock().Add(-m.age)
		var reqs []coroutine.FileRequest
		for i, r := range in {
			if r.Err != nil || r.IsDir || !r.ModTime.Before(cutoff) {
				continue
			}
			m.gone = append(m.gone, m.names[i])
			reqs = append(reqs, coroutine.Remove(m.dir+"/"+m.names[i]))
		}
		if len(reqs) == 0 {
			return m.finish(0)
		}
		m.state = ctRemove
		return m.ask(reqs...)
	case ctRemove:
		n, failed := cleanup.Removed(in)
		if failed >= 0 {
			return m.fail(fmt.Errorf("maildir: removing %s/%s: %w", m.dir, m.gone[failed], in[failed].Err))
		}
		return m.finish(n)
	}
	return m.fail(fmt.Errorf("maildir: clean_tmp in state %d: %w", m.state, email.ErrUnexpectedReply))
}
