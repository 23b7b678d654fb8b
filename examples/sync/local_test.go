package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
)

// localPair is a Maildir and an m2dir in a temporary directory, with the
// command's arguments for them.
type localPair struct {
	md   *client.MaildirClient
	m2   *client.M2dirClient
	args []string
}

func newLocalPair(t *testing.T, extra ...string) *localPair {
	dir := t.TempDir()
	mdRoot, m2Root := filepath.Join(dir, "maildir"), filepath.Join(dir, "m2dir")
	p := &localPair{
		md: client.NewMaildir(maildir.Store{Root: filepath.ToSlash(mdRoot)}, nil),
		m2: client.NewM2dir(m2dir.Store{Root: filepath.ToSlash(m2Root)}, nil),
	}
	p.args = append(append([]string{"-state", filepath.Join(dir, "state")}, extra...), "maildir://"+mdRoot, "m2dir://"+m2Root)
	return p
}

// add stores msgs in box on s, creating box.
func add(t *testing.T, s client.Storage, box string, msgs []testMsg) {
	ctx := testCtx(t)
	s.CreateMailbox(ctx, box)
	for _, m := range msgs {
		_, err := s.AddMessage(ctx, box, bytes.NewReader(m.raw), m.flags)
		require.NoError(t, err)
	}
}

// runHere runs the command in-process and returns its status and output.
func runHere(t *testing.T, ctx context.Context, args []string, stdout *lineBuffer) (int, string) {
	var stderr bytes.Buffer
	code := run(ctx, procEnv{args: args, getenv: func(string) string { return "" }, stdout: stdout, stderr: &stderr})
	return code, stderr.String()
}

// TestRunLocalPair syncs a Maildir with an m2dir through the whole command
// (no peer needed): a dry run changes nothing and says what it would do;
// the real run copies both ways; the summary counts what was done on each
// side; a second run does nothing.
func TestRunLocalPair(t *testing.T) {
	p := newLocalPair(t)
	inMaildir, inM2dir := genMessages("local-a", 20, 3), genMessages("local-b", 5, 4)
	add(t, p.md, "INBOX", inMaildir)
	add(t, p.m2, "INBOX", inM2dir)

	ctx := testCtx(t)
	var out lineBuffer
	code, errs := runHere(t, ctx, append([]string{"-dry-run"}, p.args...), &out)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out.String(), "would have copied 20", out.String())
	assert.Contains(t, out.String(), "dry run: nothing was changed")
	assertHolds(t, "m2dir after the dry run", readBox(t, p.m2, "INBOX"), inM2dir, true)

	out = lineBuffer{}
	code, errs = runHere(t, ctx, p.args, &out)
	require.Equal(t, exitOK, code, errs)
	lines := strings.Split(out.String(), "\n")
	require.GreaterOrEqual(t, len(lines), 3, out.String())
	assert.Contains(t, lines[0], "A maildir://")
	assert.Contains(t, lines[0], "copied 5 ")
	assert.Contains(t, lines[1], "B m2dir://")
	assert.Contains(t, lines[1], "copied 20 ")
	both := append(append([]testMsg(nil), inMaildir...), inM2dir...)
	assertHolds(t, "maildir", readBox(t, p.md, "INBOX"), both, true)
	assertHolds(t, "m2dir", readBox(t, p.m2, "INBOX"), both, true)

	out = lineBuffer{}
	code, errs = runHere(t, ctx, p.args, &out)
	require.Equal(t, exitOK, code, errs)
	assert.Equal(t, 2, strings.Count(out.String(), "copied 0 (0 B), flagged 0, deleted 0, moved 0"), out.String())
}

// TestRunWatch runs the command with -watch on a local pair: it syncs,
// then a message added to the Maildir reaches the m2dir with a new
// summary, and cancelling (as SIGINT does) ends it with status 0.
func TestRunWatch(t *testing.T) {
	p := newLocalPair(t, "-watch")
	add(t, p.md, "INBOX", genMessages("watch-first", 3, 5))
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	out := &lineBuffer{}
	done := make(chan int, 1)
	// waiting ends when the command does, so that a failure shows at once.
	waiting, stop := context.WithCancel(ctx)
	var errs string
	go func() {
		var code int
		code, errs = runHere(t, ctx, p.args, out)
		stop()
		done <- code
	}()
	wait := func(s, what string) {
		if !out.waitFor(waiting, s) {
			cancel()
			code := <-done
			t.Fatalf("%s; status %d, output:\n%s%s", what, code, out.String(), errs)
		}
	}
	wait("copied 3 ", "no first summary")
	add(t, p.md, "INBOX", genMessages("watch-later", 1, 6))
	wait("copied 1 ", "the new message was not synced")
	cancel()
	assert.Equal(t, exitOK, <-done, errs)
	got := readBox(t, p.m2, "INBOX")
	assert.Len(t, got, 4)
}

// lineBuffer is a bytes.Buffer safe for the command's goroutines that
// tells a waiter when a string appears.
type lineBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (l *lineBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
	return l.b.Write(p)
}

func (l *lineBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until s is in the buffer (true) or ctx ends (false).
func (l *lineBuffer) waitFor(ctx context.Context, s string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		l.mu.Lock()
		if strings.Contains(l.b.String(), s) {
			l.mu.Unlock()
			return true
		}
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}
