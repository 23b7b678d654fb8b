package maildir

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

var update = flag.Bool("update", false, "rewrite the recorded scripts under testdata/maildir/replay")

// countingReader is deterministic entropy: 0x01, 0x02, ...
type countingReader struct{ n byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		r.n++
		p[i] = r.n
	}
	return len(p), nil
}

// testStore returns a store with a fixed clock and deterministic entropy.
func testStore() Store {
	return Store{
		Root: "/m", Hostname: "host", Pid: 7,
		Clock:   func() time.Time { return time.Unix(1700000000, 5000) },
		Entropy: &countingReader{},
	}
}

const (
	msgA = "From: a@example.org\r\nSubject: A\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\n\r\nbody A\r\n"
	msgB = "From: b@example.org\r\nSubject: B\r\nDate: Tue, 02 Jan 2024 10:00:00 +0000\r\n\r\nbody B\r\n"
	msgC = "From: c@example.org\r\nSubject: C\r\n\r\nbody C\r\n"
	msgN = "Subject: new one\r\n\r\nnew\r\n"
)

// fixture is the tree every scenario starts from: INBOX with a message in
// new/ and two in cur/ (one with a keyword letter), and an empty Archive.
func fixture() *memFS {
	m := newMemFS()
	m.maildir("/m")
	m.maildir("/m/.Archive")
	m.write("/m/new/1.a.host", msgA)
	m.write("/m/cur/2.b.host,S=80:2,S", msgB)
	m.write("/m/cur/3.c.host:2,Fa", msgC)
	m.write("/m/dovecot-keywords", "0 Work\n")
	return m
}

type scenario struct {
	name   string
	run    func(do func([]coroutine.FileRequest) []coroutine.FileResult) (any, error)
	replay func([]coroutine.FileStep) (any, error)
}

func sc[R any](name string, build func(Store) coroutine.FileMachine[R]) scenario {
	return scenario{
		name: name,
		run: func(do func([]coroutine.FileRequest) []coroutine.FileResult) (any, error) {
			return coroutine.Run(build(testStore()), do)
		},
		replay: func(steps []coroutine.FileStep) (any, error) {
			return coroutine.ReplayFiles(build(testStore()), steps)
		},
	}
}

var scenarios = []scenario{
	sc("list_mailboxes", func(s Store) coroutine.FileMachine[[]email.Mailbox] {
		return s.ListMailboxes(email.ListMailboxesOptions{WithCounts: true})
	}),
	sc("create_mailbox", func(s Store) coroutine.FileMachine[struct{}] { return s.CreateMailbox("Sent") }),
	sc("delete_mailbox", func(s Store) coroutine.FileMachine[struct{}] { return s.DeleteMailbox("Archive") }),
	sc("list_envelopes", func(s Store) coroutine.FileMachine[[]email.Envelope] {
		return s.ListEnvelopes("INBOX", email.ListOptions{})
	}),
	sc("get_message", func(s Store) coroutine.FileMachine[[]byte] { return s.GetMessage("INBOX", "2.b.host,S=80") }),
	// Flags no guess covers: the folder is scanned.
	sc("get_message_scan", func(s Store) coroutine.FileMachine[[]byte] { return s.GetMessage("INBOX", "3.c.host") }),
	sc("add_message", func(s Store) coroutine.FileMachine[string] {
		return s.AddMessage("INBOX", []byte(msgN), email.ParseFlags(`\Seen`, "Work", "Home"))
	}),
	sc("copy_messages", func(s Store) coroutine.FileMachine[[]string] {
		return s.CopyMessages("INBOX", "Archive", []string{"3.c.host", "1.a.host"})
	}),
	sc("move_messages", func(s Store) coroutine.FileMachine[[]string] {
		return s.MoveMessages("INBOX", "Archive", []string{"1.a.host", "2.b.host,S=80"})
	}),
	sc("delete_message", func(s Store) coroutine.FileMachine[struct{}] {
		return s.DeleteMessages("INBOX", []string{"3.c.host", "1.a.host"})
	}),
	sc("store_flags", func(s Store) coroutine.FileMachine[struct{}] {
		return s.StoreFlags("INBOX", []string{"1.a.host", "3.c.host"}, email.FlagAdd, email.ParseFlags(`\Answered`, "$Junk"))
	}),
}

// TestReplay runs every operation on the in-memory tree while recording
// its batches, compares the recording with the script kept under
// testdata/maildir/replay (go test -update rewrites them), and replays the
// script: the machine must ask for exactly the same requests and end with
// the same result.
func TestReplay(t *testing.T) {
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			rec := &coroutine.Recorder{Do: fixture().do}
			want, err := s.run(rec.Perform)
			require.NoError(t, err)
			file := filepath.Join("..", "testdata", "maildir", "replay", s.name+".json")
			got, err := json.MarshalIndent(rec.Steps, "", "  ")
			require.NoError(t, err)
			if *update {
				require.NoError(t, os.WriteFile(file, append(got, '\n'), 0o644))
			}
			script, err := os.ReadFile(file)
			require.NoError(t, err, "run go test ./maildir -run TestReplay -update to record")
			var steps []coroutine.FileStep
			require.NoError(t, json.Unmarshal(script, &steps))
			out, err := s.replay(steps)
			require.NoError(t, err)
			assert.Equal(t, want, out)
		})
	}
}

func TestReplayDeparture(t *testing.T) {
	// A script for another id makes the replay fail with a ScriptError.
	rec := &coroutine.Recorder{Do: fixture().do}
	_, err := coroutine.Run(testStore().GetMessage("INBOX", "1.a.host"), rec.Perform)
	require.NoError(t, err)
	_, err = coroutine.ReplayFiles(testStore().GetMessage("INBOX", "2.b.host,S=80"), rec.Steps)
	var se *coroutine.ScriptError
	assert.ErrorAs(t, err, &se)
}

var errInjected = errors.New("injected I/O error")

// TestErrorsEachRequestKind makes each kind of request fail, at each of
// its first three occurrences, in every operation: the machine must end
// (no panic, no loop) and the tree must stay whole: no message file with
// partial content anywhere, and, except for the deleting operations, every
// message still present.
func TestErrorsEachRequestKind(t *testing.T) {
	originals := map[string]bool{msgA: true, msgB: true, msgC: true, msgN: true}
	kinds := []coroutine.FileOp{coroutine.FileList, coroutine.FileRead, coroutine.FileStat, coroutine.FileCreate,
		coroutine.FileRename, coroutine.FileLink, coroutine.FileRemove, coroutine.FileMkdir, coroutine.FileRemoveDir,
		coroutine.FileSyncDir}
	covered := map[coroutine.FileOp]bool{}
	for _, s := range scenarios {
		clean := fixture()
		_, err := s.run(clean.do)
		require.NoError(t, err)
		for _, kind := range kinds {
			for k := 1; k <= min(3, clean.seen[kind]); k++ {
				covered[kind] = true
				t.Run(fmt.Sprintf("%s/%s#%d", s.name, kind, k), func(t *testing.T) {
					m := fixture()
					n := 0
					m.fail = func(r coroutine.FileRequest) error {
						if r.Op == kind {
							if n++; n == k {
								return errInjected
							}
						}
						return nil
					}
					_, err := s.run(m.do)
					if err != nil {
						assert.NotErrorIs(t, err, coroutine.ErrTooManySteps)
					}
					all := map[string]int{}
					for _, dir := range []string{"/m", "/m/.Archive"} {
						for key, contents := range m.messages(dir) {
							for _, c := range contents {
								assert.True(t, originals[c], "partial or foreign content under %s key %s: %q", dir, key, c)
								all[c]++
							}
						}
					}
					if s.name != "delete_message" && s.name != "delete_mailbox" {
						for _, c := range []string{msgA, msgB, msgC} {
							assert.NotZero(t, all[c], "message lost: %q (err %v)", c, err)
						}
					}
				})
			}
		}
	}
	for _, kind := range kinds {
		assert.True(t, covered[kind], "no operation makes a %s request", kind)
	}
}

// Specific failures and how they surface.
func TestInjectedErrorOutcomes(t *testing.T) {
	failOn := func(op coroutine.FileOp, suffix string) func(coroutine.FileRequest) error {
		return func(r coroutine.FileRequest) error {
			if r.Op == op && (suffix == "" || filepath.Base(r.Path) == suffix || filepath.Base(r.Target) == suffix) {
				return errInjected
			}
			return nil
		}
	}
	// Listing cur/ fails: the listing fails.
	m := fixture()
	m.fail = failOn(coroutine.FileList, "cur")
	_, err := coroutine.Run(testStore().ListEnvelopes("INBOX", email.ListOptions{}), m.do)
	assert.ErrorIs(t, err, errInjected)

	// One head read fails: that message is left out, the rest is listed.
	m = fixture()
	m.fail = failOn(coroutine.FileRead, "1.a.host")
	envs, err := coroutine.Run(testStore().ListEnvelopes("INBOX", email.ListOptions{}), m.do)
	require.NoError(t, err)
	assert.Len(t, envs, 2)

	// No hard links: delivery falls back to a no-clobber rename.
	m = fixture()
	m.fail = failOn(coroutine.FileLink, "")
	id, err := coroutine.Run(testStore().AddMessage("INBOX", []byte(msgN), nil), m.do)
	require.NoError(t, err)
	assert.Equal(t, []string{msgN}, m.messages("/m")[id])
	assert.Empty(t, m.tmpFiles("/m"))

	// Creating the tmp file fails: nothing is published.
	m = fixture()
	m.fail = failOn(coroutine.FileCreate, "")
	_, err = coroutine.Run(testStore().AddMessage("INBOX", []byte(msgN), nil), m.do)
	assert.ErrorIs(t, err, errInjected)
	assert.Len(t, m.messages("/m"), 3)

	// A rename across file systems fails: the move copies, then removes.
	m = fixture()
	m.fail = failOn(coroutine.FileRename, "")
	ids, err := coroutine.Run(testStore().MoveMessages("INBOX", "Archive", []string{"1.a.host"}), m.do)
	require.NoError(t, err)
	assert.Equal(t, []string{msgA}, m.messages("/m/.Archive")[ids[0]])
	assert.NotContains(t, m.messages("/m"), "1.a.host")
}

func (m *memFS) tmpFiles(dir string) []string {
	var out []string
	for f := range m.files {
		if filepath.Dir(f) == dir+"/tmp" {
			out = append(out, f)
		}
	}
	return out
}
