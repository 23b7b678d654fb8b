package m2dir_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

var update = flag.Bool("update", false, "record the replay scripts in testdata/m2dir/replay again")

const replayDir = "../testdata/m2dir/replay"

// script is one recorded operation: its file-system exchanges and outcome.
type script struct {
	Steps  []coroutine.FileStep `json:"steps"`
	Result json.RawMessage      `json:"result"`
	Error  string               `json:"error,omitempty"`
}

// replayer runs the operations of a scenario: for real on a temp tree
// (recording them) with -update, else from the recorded scripts.
type replayer struct {
	t    *testing.T
	tmp  string // the real root when recording
	seen map[string]bool
}

const virtualRoot = "/store"

// do performs a batch on the temp tree, with paths under virtualRoot.
func (r *replayer) do(reqs []coroutine.FileRequest) []coroutine.FileResult {
	mapped := make([]coroutine.FileRequest, len(reqs))
	for i, q := range reqs {
		q.Path = strings.Replace(q.Path, virtualRoot, r.tmp, 1)
		if q.Target != "" {
			q.Target = strings.Replace(q.Target, virtualRoot, r.tmp, 1)
		}
		mapped[i] = q
	}
	res := driver.Do(context.Background(), mapped)
	for i := range res {
		res[i].ModTime = time.Time{}
	}
	return res
}

func step[R any](r *replayer, name string, m coroutine.FileMachine[R]) (R, error) {
	r.t.Helper()
	require.False(r.t, r.seen[name], "duplicate step name %s", name)
	r.seen[name] = true
	file := filepath.Join(replayDir, name+".json")
	if *update {
		rec := &coroutine.Recorder{Do: r.do}
		out, err := coroutine.Run(m, rec.Perform)
		sc := script{Steps: rec.Steps}
		sc.Result, _ = json.Marshal(out)
		if err != nil {
			sc.Error = strings.ReplaceAll(err.Error(), r.tmp, virtualRoot)
		}
		data, merr := json.MarshalIndent(sc, "", " ")
		require.NoError(r.t, merr)
		data = []byte(strings.ReplaceAll(string(data), r.tmp, virtualRoot)) // error texts
		require.NoError(r.t, os.WriteFile(file, data, 0o644))
		return out, err
	}
	data, err := os.ReadFile(file)
	require.NoError(r.t, err, "run with -update to record")
	var sc script
	require.NoError(r.t, json.Unmarshal(data, &sc))
	out, err := coroutine.ReplayFiles(m, sc.Steps)
	var se *coroutine.ScriptError
	require.False(r.t, asScriptError(err, &se), "%s: %v", name, err)
	got, _ := json.Marshal(out)
	assert.JSONEq(r.t, string(sc.Result), string(got), name)
	if sc.Error != "" {
		require.Error(r.t, err, name)
		assert.Equal(r.t, sc.Error, err.Error(), name)
	} else {
		assert.NoError(r.t, err, name)
	}
	return out, err
}

func asScriptError(err error, se **coroutine.ScriptError) bool {
	if err == nil {
		return false
	}
	e, ok := err.(*coroutine.ScriptError)
	*se = e
	return ok
}

// TestReplay runs every operation from recorded scripts: each machine must
// ask for exactly the recorded requests (data written included) and end
// with the recorded result.
func TestReplay(t *testing.T) {
	r := &replayer{t: t, seen: map[string]bool{}}
	if *update {
		require.NoError(t, os.MkdirAll(replayDir, 0o755))
		r.tmp = filepath.ToSlash(t.TempDir())
	}
	st := func() m2dir.Store {
		return m2dir.Store{Root: virtualRoot, Entropy: &counter{}, Clock: func() time.Time { return fixedTime }}
	}
	_, err := step(r, "create_mailbox", st().CreateMailbox("INBOX"))
	require.NoError(t, err)
	_, err = step(r, "create_mailbox_exists", st().CreateMailbox("inbox"))
	require.ErrorIs(t, err, email.ErrExists)
	_, err = step(r, "create_mailbox_child", st().CreateMailbox("Archive/2026"))
	require.NoError(t, err)
	a, err := step(r, "add_message", st().AddMessage("INBOX", msg("a", "Fri, 2 Jan 2026 10:00:00 +0100"), email.ParseFlags(`\Seen`, "Work")))
	require.NoError(t, err)
	b, err := step(r, "add_message_noflags", st().AddMessage("INBOX", msg("b", "Sat, 3 Jan 2026 10:00:00 +0100"), nil))
	require.NoError(t, err)
	_, err = step(r, "list_mailboxes", st().ListMailboxes(email.ListMailboxesOptions{WithCounts: true}))
	require.NoError(t, err)
	envs, err := step(r, "list_envelopes", st().ListEnvelopes("INBOX", email.ListOptions{}))
	require.NoError(t, err)
	require.Len(t, envs, 2)
	_, err = step(r, "list_envelopes_page", st().ListEnvelopes("INBOX", email.ListOptions{Page: 2, PageSize: 1}))
	require.NoError(t, err)
	_, err = step(r, "get_message", st().GetMessage("INBOX", a))
	require.NoError(t, err)
	_, err = step(r, "get_message_missing", st().GetMessage("INBOX", "AAAAAPUTzp1_diVN.none"))
	require.ErrorIs(t, err, email.ErrNotFound)
	_, err = step(r, "store_flags_add", st().StoreFlags("INBOX", []string{a, b}, email.FlagAdd, email.ParseFlags(`\Flagged`)))
	require.NoError(t, err)
	_, err = step(r, "store_flags_remove", st().StoreFlags("INBOX", []string{b}, email.FlagRemove, email.ParseFlags("$flagged")))
	require.NoError(t, err)
	cp, err := step(r, "copy_messages", st().CopyMessages("INBOX", "Archive/2026", []string{a}))
	require.NoError(t, err)
	_, err = step(r, "move_messages", st().MoveMessages("INBOX", "Archive/2026", []string{b}))
	require.NoError(t, err)
	_, err = step(r, "delete_messages", st().DeleteMessages("Archive/2026", cp))
	require.NoError(t, err)
	_, err = step(r, "delete_mailbox_refused", st().DeleteMailbox("INBOX"))
	require.ErrorIs(t, err, email.ErrRefused)
	_, err = step(r, "delete_mailbox", st().DeleteMailbox("Archive/2026"))
	require.NoError(t, err)
	boxes, err := step(r, "list_mailboxes_after", st().ListMailboxes(email.ListMailboxesOptions{}))
	require.NoError(t, err)
	assert.Len(t, boxes, 1)

	// Change tracking.
	base, err := step(r, "diff_envelopes_baseline", st().DiffEnvelopes("INBOX", nil))
	require.NoError(t, err)
	require.True(t, base.FullListRequired)
	c, err := step(r, "add_message_for_diff", st().AddMessage("INBOX", msg("c", "Sun, 4 Jan 2026 10:00:00 +0100"), email.ParseFlags("$seen")))
	require.NoError(t, err)
	d, err := step(r, "diff_envelopes", st().DiffEnvelopes("INBOX", base.State))
	require.NoError(t, err)
	require.Len(t, d.New, 1)
	assert.Equal(t, c, d.New[0].ID)
	mb, err := step(r, "diff_mailboxes", st().DiffMailboxes(nil))
	require.NoError(t, err)
	assert.True(t, mb.FullListRequired)
	w, err := step(r, "watch_mailbox_baseline", st().WatchMailbox("INBOX", nil, time.Second))
	require.NoError(t, err)
	_, err = step(r, "store_flags_for_watch", st().StoreFlags("INBOX", []string{c}, email.FlagAdd, email.ParseFlags("$flagged")))
	require.NoError(t, err)
	w, err = step(r, "watch_mailbox", st().WatchMailbox("INBOX", w.State, time.Second))
	require.NoError(t, err)
	require.Len(t, w.Events, 1)
	assert.Equal(t, email.FlagsAdded, w.Events[0].Kind)
}
