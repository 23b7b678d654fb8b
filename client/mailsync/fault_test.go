package mailsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

var errInjected = errors.New("injected fault")

// faults counts the calls to the stores of a pair and fails the Nth and,
// once killed, every later one.
type faults struct {
	mu     sync.Mutex
	n, at  int
	kill   bool // every call from the Nth fails: the process died
	dead   bool
	onFail func()
	cancel context.CancelFunc // cancel mode: the Nth call cancels the run's context
}

func (f *faults) hit(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.dead {
		return errInjected
	}
	if err := ctx.Err(); err != nil {
		return err // as a real backend does
	}
	if f.n == f.at {
		f.dead = f.kill
		if f.onFail != nil {
			f.onFail()
		}
		if f.cancel != nil {
			f.cancel()
			return ctx.Err()
		}
		return errInjected
	}
	return nil
}

// faultStore is a client.Storage that consults faults before each call.
type faultStore struct {
	s client.Storage
	f *faults
}

func (w faultStore) Name() string { return w.s.Name() }

func (w faultStore) ListMailboxes(ctx context.Context, o email.ListMailboxesOptions) ([]email.Mailbox, error) {
	if err := w.f.hit(ctx); err != nil {
		return nil, err
	}
	return w.s.ListMailboxes(ctx, o)
}

func (w faultStore) CreateMailbox(ctx context.Context, name string) error {
	if err := w.f.hit(ctx); err != nil {
		return err
	}
	return w.s.CreateMailbox(ctx, name)
}

func (w faultStore) DeleteMailbox(ctx context.Context, name string) error {
	if err := w.f.hit(ctx); err != nil {
		return err
	}
	return w.s.DeleteMailbox(ctx, name)
}

func (w faultStore) ListEnvelopes(ctx context.Context, mb string, o email.ListOptions) ([]email.Envelope, error) {
	if err := w.f.hit(ctx); err != nil {
		return nil, err
	}
	return w.s.ListEnvelopes(ctx, mb, o)
}

func (w faultStore) GetMessage(ctx context.Context, mb, id string, wr io.Writer) (int64, error) {
	if err := w.f.hit(ctx); err != nil {
		return 0, err
	}
	return w.s.GetMessage(ctx, mb, id, wr)
}

func (w faultStore) AddMessage(ctx context.Context, mb string, r io.Reader, fl email.Flags, o ...email.AddOption) (string, error) {
	if err := w.f.hit(ctx); err != nil {
		return "", err
	}
	id, err := w.s.AddMessage(ctx, mb, r, fl, o...)
	w.f.mu.Lock()
	lost := err == nil && w.f.kill && w.f.at == w.f.n+1
	w.f.mu.Unlock()
	if lost {
		// the upload went through; the answer is lost with the process
		w.f.hit(ctx)
		return "", errInjected
	}
	return id, err
}

func (w faultStore) CopyMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	if err := w.f.hit(ctx); err != nil {
		return nil, err
	}
	return w.s.CopyMessages(ctx, from, to, ids)
}

func (w faultStore) MoveMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	if err := w.f.hit(ctx); err != nil {
		return nil, err
	}
	return w.s.MoveMessages(ctx, from, to, ids)
}

func (w faultStore) DeleteMessages(ctx context.Context, mb string, ids []string) error {
	if err := w.f.hit(ctx); err != nil {
		return err
	}
	return w.s.DeleteMessages(ctx, mb, ids)
}

func (w faultStore) StoreFlags(ctx context.Context, mb string, ids []string, op email.FlagOp, fl email.Flags) error {
	if err := w.f.hit(ctx); err != nil {
		return err
	}
	return w.s.StoreFlags(ctx, mb, ids, op, fl)
}

func (w faultStore) DiffEnvelopes(ctx context.Context, mb string, st email.State) (email.EnvelopeDiff, error) {
	if err := w.f.hit(ctx); err != nil {
		return email.EnvelopeDiff{}, err
	}
	return w.s.(client.EnvelopeDiffer).DiffEnvelopes(ctx, mb, st)
}

// faultFixture fills a pair with a few hundred messages, syncs them, then
// makes changes on both sides (new, flags, deletions, a move) so that the
// run under test does every kind of operation.
func faultFixture(t *testing.T, dir string) (*memStore, *memStore, string) {
	a, b := newMemStore("a"), newMemStore("b")
	a.boxes["Archive"] = newMemBox(1)
	for i := range 100 {
		a.put("INBOX", fmt.Sprintf("a%d@f", i))
		a.put("Archive", fmt.Sprintf("z%d@f", i))
	}
	for i := range 40 {
		b.put("INBOX", fmt.Sprintf("b%d@f", i), email.FlagSeen)
	}
	path := filepath.Join(dir, "state.json")
	e, err := New(a, b, path, Options{})
	require.NoError(t, err)
	once(t, e)
	ctx := context.Background()
	for i := range 20 {
		require.NoError(t, a.StoreFlags(ctx, "INBOX", []string{a.where(fmt.Sprintf("b%d@f", i))["INBOX"]}, email.FlagAdd, email.Flags{email.FlagFlagged}))
		require.NoError(t, b.DeleteMessages(ctx, "INBOX", []string{b.where(fmt.Sprintf("a%d@f", i))["INBOX"]}))
		b.put("INBOX", fmt.Sprintf("nb%d@f", i))
	}
	for i := range 60 {
		a.put("INBOX", fmt.Sprintf("na%d@f", i))
	}
	_, err = a.MoveMessages(ctx, "INBOX", "Archive", []string{a.where("a30@f")["INBOX"]})
	require.NoError(t, err)
	return a, b, path
}

// TestFaultAtEveryCall fails (in the kill mode, stops the process at; in
// the cancel mode, cancels the run's context at) the Nth store call of a
// run of a few hundred messages, for every N, then runs again cleanly: the sides are equal, no Message-ID is twice on
// a side, and nothing is lost. It runs twice: with stores that add one
// message at a time, and with stores that take batches (a kill that lands
// on a batch stores half of it, then loses the answer).
func TestFaultAtEveryCall(t *testing.T) {
	for _, batched := range []bool{false, true} {
		t.Run(fmt.Sprintf("batched=%v", batched), func(t *testing.T) { faultAtEveryCall(t, batched) })
	}
}

func faultAtEveryCall(t *testing.T, batched bool) {
	syncFiles = false
	t.Cleanup(func() { syncFiles = true })
	wrap := func(s *memStore, f *faults) client.Storage {
		if batched {
			return faultAdder{faultStore{&adderStore{memStore: s}, f}}
		}
		return faultStore{s, f}
	}
	// the clean run's call count
	fa, fb, fpath := faultFixture(t, t.TempDir())
	fstate, err := os.ReadFile(fpath)
	require.NoError(t, err)
	a, b := fa.clone(), fb.clone()
	f := &faults{}
	e, err := New(wrap(a, f), wrap(b, f), fpath, Options{})
	require.NoError(t, err)
	once(t, e)
	total := f.n
	want := a.content()
	require.Equal(t, want, b.content())
	t.Logf("%d calls in the run", total)
	for _, mode := range []string{"error", "kill", "cancel"} {
		kill := mode == "kill"
		for at := 1; at <= total; at++ {
			if os.Getenv("FAULT_AT") != "" && os.Getenv("FAULT_AT") != fmt.Sprint(at) {
				continue
			}
			if mode == "cancel" && at%5 != 0 {
				continue // every fifth call: the error mode covers the rest
			}
			name := fmt.Sprintf("%s/at=%d", mode, at)
			a, b := fa.clone(), fb.clone()
			path := filepath.Join(t.TempDir(), "state.json")
			require.NoError(t, os.WriteFile(path, fstate, 0o600))
			f := &faults{at: at, kill: kill}
			var snap []byte
			if kill {
				// the state file as it was on disk when the process died
				f.onFail = func() {
					var err error
					snap, err = os.ReadFile(path)
					require.NoError(t, err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			if mode == "cancel" {
				f.cancel = cancel
			}
			e, err := New(wrap(a, f), wrap(b, f), path, Options{})
			require.NoError(t, err)
			_, err = e.Once(ctx)
			cancel()
			if err == nil {
				// the fault hit the closing diff, whose failure only costs
				// the next run a longer diff
				require.Greater(t, f.n, total-2, name)
			} else if mode == "cancel" {
				require.ErrorIs(t, err, context.Canceled, name)
			} else {
				require.ErrorIs(t, err, errInjected, name)
			}
			if kill {
				require.NoError(t, os.WriteFile(path, snap, 0o600))
			}
			e2, err := New(a, b, path, Options{})
			require.NoError(t, err)
			once(t, e2)
			require.Equal(t, a.content(), b.content(), name)
			require.Equal(t, want, a.content(), name)
			noDuplicates(t, a)
			noDuplicates(t, b)
			require.Zero(t, changes(once(t, e2)), name)
		}
	}
}
