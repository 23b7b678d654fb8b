package m2dir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// maxTries bounds the fresh nonces tried when an id is taken.
const maxTries = 16

// pubItem is one message being published into a folder.
type pubItem struct {
	src      string // the file to rename into place: a temp file or a source message
	flagsSrc string // the temp flags file, "" for a message without flags
	flagsAt  string // where the flags file is now, "" while it is still flagsSrc
	human    string // the human part of the file name
	checksum string
	id       string
	done     bool
}

func (it *pubItem) name() string { return it.human + "," + it.id }

// renew gives the item a fresh nonce after its id turned out to be taken.
func (it *pubItem) renew(r io.Reader) error {
	n, err := newNonce(r)
	if err != nil {
		return err
	}
	it.id = it.checksum + "." + n
	return nil
}

// publisher moves files into a folder without ever replacing one: the flags
// file of each message goes first (.meta/<id>.flags, no-clobber), then the
// message itself (no-clobber). When a name is taken the item gets a fresh
// nonce, and its already placed flags file follows it. Finally the folder
// is synced.
type publisher struct {
	dst     folder
	entropy io.Reader
	items   []pubItem
	batch   []int
	flags   bool // the batch renames flags files
	syncing bool
	synced  bool
	tries   int
}

// step returns the next batch, or nil when every item is published and the
// folder synced. in answers the previous batch (nil the first time).
func (p *publisher) step(in []result) ([]request, error) {
	if p.synced {
		return nil, nil
	}
	if p.syncing {
		for _, r := range in {
			if r.Err != nil && !errors.Is(r.Err, fs.ErrNotExist) {
				return nil, fmt.Errorf("m2dir: syncing %s: %w", p.dst.dir, r.Err)
			}
		}
		p.synced = true
		return nil, nil
	}
	for k, r := range in {
		it := &p.items[p.batch[k]]
		switch {
		case r.Err == nil && p.flags:
			it.flagsAt = p.dst.flagsFile(it.id)
		case r.Err == nil:
			it.done = true
		case errors.Is(r.Err, fs.ErrExist):
			if err := it.renew(p.entropy); err != nil {
				return nil, err
			}
		default:
			return nil, fileError(coroutine.Rename(it.src, p.dst.file(it.name())), r.Err)
		}
	}
	if in != nil && len(p.batch) > 0 {
		p.tries++
	}
	if p.tries > 2*maxTries {
		return nil, fmt.Errorf("m2dir: no free message id after %d tries: %w", maxTries, email.ErrExists)
	}
	// Flags files that are not where the current id wants them.
	p.batch, p.flags = p.batch[:0], true
	var reqs []request
	for i := range p.items {
		it := &p.items[i]
		if it.done || it.flagsSrc == "" || it.flagsAt == p.dst.flagsFile(it.id) {
			continue
		}
		from := it.flagsAt
		if from == "" {
			from = it.flagsSrc
		}
		p.batch = append(p.batch, i)
		reqs = append(reqs, coroutine.Rename(from, p.dst.flagsFile(it.id)))
	}
	if len(reqs) > 0 {
		return reqs, nil
	}
	p.flags = false
	for i := range p.items {
		if it := &p.items[i]; !it.done {
			p.batch = append(p.batch, i)
			reqs = append(reqs, coroutine.Rename(it.src, p.dst.file(it.name())))
		}
	}
	if len(reqs) > 0 {
		return reqs, nil
	}
	p.syncing = true
	return []request{coroutine.SyncDir(p.dst.dir), coroutine.SyncDir(p.dst.meta())}, nil
}
