package maildir

import (
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// transfer is what copy and move share: the located source entries, the
// flags each carries, and the keyword tables of both folders.
type transfer struct {
	entries []Entry
	flags   []email.Flags // the flags of each entry, keywords resolved
	kept    []string      // flag bytes standing for no flag, kept as they are
	need    email.Flags   // flags the target needs keyword letters for
}

// hasKeywordLetters reports whether an entry carries a keyword letter.
func hasKeywordLetters(es []Entry) bool {
	for _, e := range es {
		if strings.IndexFunc(e.Name.Flags, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0 {
			return true
		}
	}
	return false
}

// plan resolves each entry's flags with the source table and collects the
// flags the target must have letters for. Keyword letters the source table
// does not map mean nothing in another folder and are dropped; other
// unknown bytes are kept.
func plan(es []Entry, srcKw *Keywords) (*transfer, error) {
	t := &transfer{entries: es, flags: make([]email.Flags, len(es)), kept: make([]string, len(es))}
	var all email.Flags
	for i, e := range es {
		t.flags[i] = e.Name.FlagSet(srcKw)
		t.kept[i] = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return -1
			}
			return r
		}, e.Name.keep(srcKw))
		all = all.Union(t.flags[i])
	}
	need, err := letterless(all)
	if err != nil {
		return nil, err
	}
	t.need = need
	return t, nil
}

// letters returns the target flag bytes of entry i.
func (t *transfer) letters(i int, dstKw *Keywords) string {
	l, _ := render(t.flags[i], t.kept[i], dstKw)
	return l
}

// sourceKeywords returns a machine reading the source table when an entry
// needs it, or nil.
func (s Store) sourceKeywords(mailbox, dir string, es []Entry) *keywordsMachine {
	if !hasKeywordLetters(es) {
		return nil
	}
	return s.keywords(mailbox, dir, nil)
}

// runSub resumes a nested machine, reporting its batch or its end.
func runSub[R any](m coroutine.FileMachine[R], in []coroutine.FileResult) (reqs []coroutine.FileRequest, done bool, out R, err error) {
	reqs, done = m.Resume(in)
	if done {
		out, err = m.Result()
	}
	return reqs, done, out, err
}
