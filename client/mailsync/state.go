package mailsync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ioemail/ioemail/email"
)

// stateVersion is the version of the state file format this package
// writes (see stateMagic). It reads version 1 too (JSON, slow to read
// at 10,000 messages) and migrates it: the next run writes version 2,
// even with nothing changed.
const stateVersion = 2

// ErrCorruptState is matched (errors.Is) by the error of a run whose state
// file cannot be read: damaged, truncated, or of an unknown version. The
// engine does not start afresh on its own (that could copy everything
// again, or miss deletions); remove the file to do so.
var ErrCorruptState = errors.New("mailsync: corrupt state file")

// state is what the engine keeps of a pair between runs.
type state struct {
	// Version is stateVersion.
	Version int `json:"version"`
	// Stores names the two backends, to catch a state used with other stores.
	Stores [2]string `json:"stores"`
	// Boxes holds the state of each mailbox pair, by A name.
	Boxes map[string]*boxState `json:"boxes"`
	// migrated says the file was read in version 1, to be written again.
	migrated bool
	// saved is the file's content when loaded, to skip writing it again
	// unchanged.
	saved []byte
}

// boxState is the state of one mailbox pair.
type boxState struct {
	// Name is the mailbox's name on each side.
	Name [2]string `json:"name"`
	// Diff is each side's DiffEnvelopes state, matching View.
	Diff [2]email.State `json:"diff"`
	// View is each side's messages as of Diff.
	View [2][]Msg `json:"view"`
	// Pairs are the messages in sync.
	Pairs []Pair `json:"pairs"`
}

// syncFiles makes saveState fsync; the fault tests, which simulate a kill
// between calls rather than a power loss, turn it off for speed.
var syncFiles = true

func newState() *state { return &state{Version: stateVersion, Boxes: map[string]*boxState{}} }

// loadState reads the state at path; a missing file is a fresh state.
func loadState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), nil
	}
	return decodeState(path, b, err)
}

// decodeState decodes the bytes b read from path (with err).
func decodeState(path string, b []byte, err error) (*state, error) {
	if err != nil {
		return nil, fmt.Errorf("mailsync: read state: %w", err)
	}
	if bytes.HasPrefix(b, []byte(stateMagic+"\n")) {
		st, err := decodeStateV2(b)
		if err != nil {
			return nil, fmt.Errorf("%w %s: %v", ErrCorruptState, path, err)
		}
		st.saved = b
		return st, nil
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrCorruptState, path, err)
	}
	if st.Version != 1 {
		return nil, fmt.Errorf("%w %s: version %d, this program reads 1 and %d", ErrCorruptState, path, st.Version, stateVersion)
	}
	// Version 1: kept in memory as the current version; saved is left
	// unset so that the next save writes the file in version 2.
	st.Version, st.migrated = stateVersion, true
	if st.Boxes == nil {
		st.Boxes = map[string]*boxState{}
	}
	return &st, nil
}

// saveState writes st to path crash-safely: a temporary file in the same
// directory, synced, renamed over path, then the directory synced.
func saveState(path string, st *state) error {
	b := encodeState(st)
	if st.saved != nil && string(b) == string(st.saved) {
		return nil
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("mailsync: write state: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil && syncFiles {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mailsync: write state: %w", err)
	}
	st.saved = b
	if !syncFiles {
		return nil
	}
	if d, err := os.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("mailsync: sync state directory: %w", err)
		}
	}
	return nil
}

// load returns the state of the pair, from the engine's copy when the file
// is still the one it last read or wrote (same file, size and time).
func (e *Engine) load() (*state, error) {
	fi, err := os.Stat(e.path)
	if err == nil && e.cached != nil && os.SameFile(fi, e.cachedInfo) && fi.Size() == e.cachedInfo.Size() && fi.ModTime().Equal(e.cachedInfo.ModTime()) {
		return e.cached, nil
	}
	st, err := loadState(e.path)
	if err != nil {
		return nil, err
	}
	e.remember(st)
	return st, nil
}

// save writes st and keeps it as the engine's copy.
func (e *Engine) save(st *state) error {
	if err := saveState(e.path, st); err != nil {
		e.cached = nil
		return err
	}
	e.remember(st)
	return nil
}

func (e *Engine) remember(st *state) {
	e.cached, e.cachedInfo = nil, nil
	if fi, err := os.Stat(e.path); err == nil {
		e.cached, e.cachedInfo = st, fi
	}
}
