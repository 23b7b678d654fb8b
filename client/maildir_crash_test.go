package client_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// The environment variables that turn this test binary into a child
// process of the tests below.
const (
	envChildMode = "IOEMAIL_MAILDIR_CHILD" // "crash" or "deliver"
	envChildRoot = "IOEMAIL_MAILDIR_ROOT"
	envChildTag  = "IOEMAIL_MAILDIR_TAG"
)

// mdChildMessage is the exact content of message n of a child; it is padded
// so a partial write would show.
func mdChildMessage(tag string, n int) string {
	return fmt.Sprintf("Message-ID: <%s-%d@test>\r\nSubject: %s %d\r\n\r\n%sEND %s-%d\r\n",
		tag, n, tag, n, strings.Repeat("0123456789abcdef", 64*(1+n%8)), tag, n)
}

var mdChildToken = regexp.MustCompile(`^Message-ID: <([a-z0-9]+-[0-9]+)@test>`)

// TestMaildirChildProcess is the body of the child processes; it does
// nothing in a normal run.
func TestMaildirChildProcess(t *testing.T) {
	mode := os.Getenv(envChildMode)
	if mode == "" {
		t.Skip("only runs as a child process of the crash and concurrency tests")
	}
	root, tag := os.Getenv(envChildRoot), os.Getenv(envChildTag)
	// Both concurrent children share host name and pid on purpose: only
	// the random part of the unique names keeps them apart.
	c := client.New().WithMaildir(maildir.Store{Root: root, Hostname: "same-host", Pid: 1})
	ctx := context.Background()
	switch mode {
	case "deliver":
		for n := range 1000 {
			_, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdChildMessage(tag, n)), nil)
			if err != nil {
				t.Fatal(err)
			}
		}
	case "crash":
		// Add messages, recording each acknowledged one in a log, and
		// move them back and forth between INBOX and Archive until
		// killed.
		log, err := os.OpenFile(filepath.Join(root, "..", "acked-"+tag), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		type where struct{ box, id string }
		var live []where
		for n := 0; ; n++ {
			flags := email.Flags(nil)
			if n%2 == 0 {
				flags = email.ParseFlags(`\Seen`)
			}
			id, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdChildMessage(tag, n)), flags)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(log, "%s-%d\n", tag, n)
			live = append(live, where{"INBOX", id})
			i := rand.IntN(len(live))
			to := "Archive"
			if live[i].box == "Archive" {
				to = "INBOX"
			}
			ids, err := c.MoveMessages(ctx, live[i].box, to, []string{live[i].id})
			if err != nil {
				t.Fatal(err)
			}
			live[i] = where{to, ids[0]}
		}
	}
}

// mdChild returns the command running this test binary as a child.
func mdChild(t *testing.T, mode, root, tag string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestMaildirChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChildMode+"="+mode, envChildRoot+"="+root, envChildTag+"="+tag)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("child %s output:\n%s", tag, out.String())
		}
	})
	return cmd
}

// mdVisible returns every message file under the maildirs (new/ and cur/,
// never tmp/) with its content.
func mdVisible(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range dirs {
		for _, sub := range []string{"new", "cur"} {
			ents, err := os.ReadDir(filepath.Join(d, sub))
			require.NoError(t, err)
			for _, e := range ents {
				p := filepath.Join(d, sub, e.Name())
				data, err := os.ReadFile(p)
				require.NoError(t, err)
				out[p] = string(data)
			}
		}
	}
	return out
}

// A child adding and moving messages is killed with SIGKILL at random
// moments, several rounds: no partial message is ever visible, every
// acknowledged message is there exactly once, nothing is duplicated.
func TestMaildirCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	ctx := context.Background()
	base := t.TempDir()
	root := filepath.Join(base, "Mail")
	c := client.New().WithMaildir(maildir.Store{Root: root})
	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	require.NoError(t, c.CreateMailbox(ctx, "Archive"))
	for round := range 8 {
		tag := "r" + strconv.Itoa(round)
		cmd := mdChild(t, "crash", root, tag)
		require.NoError(t, cmd.Start())
		// Wait for the child to be at work, then kill it at a random
		// moment.
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if fi, err := os.Stat(filepath.Join(base, "acked-"+tag)); err == nil && fi.Size() > 0 {
				break
			}
		}
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()

		acked := map[string]bool{}
		if data, err := os.ReadFile(filepath.Join(base, "acked-"+tag)); err == nil {
			for l := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
				if l != "" {
					acked[l] = true
				}
			}
		}
		require.NotEmpty(t, acked, "round %d: the child acknowledged no message before the kill", round)
		count := map[string]int{}
		for p, content := range mdVisible(t, root, filepath.Join(root, ".Archive")) {
			m := mdChildToken.FindStringSubmatch(content)
			require.NotNil(t, m, "partial message visible at %s", p)
			tok := m[1]
			tag, n, _ := strings.Cut(tok, "-")
			num, _ := strconv.Atoi(n)
			require.Equal(t, mdChildMessage(tag, num), content, "partial message visible at %s", p)
			count[tok]++
		}
		for tok, n := range count {
			assert.Equal(t, 1, n, "message %s visible %d times", tok, n)
		}
		for prev := 0; prev <= round; prev++ {
			data, _ := os.ReadFile(filepath.Join(base, "acked-r"+strconv.Itoa(prev)))
			for l := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
				if l != "" {
					assert.Equal(t, 1, count[l], "acknowledged message %s lost", l)
				}
			}
		}
		// The library itself lists exactly the visible messages.
		inbox, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
		require.NoError(t, err)
		archive, err := c.ListEnvelopes(ctx, "Archive", email.ListOptions{})
		require.NoError(t, err)
		assert.Equal(t, len(count), len(inbox)+len(archive))
		t.Logf("round %d: %d acknowledged, %d visible in total", round, len(acked), len(count))
	}
}

// Two processes deliver 1000 messages each into one maildir, with the
// same host name and pid: 2000 distinct messages.
func TestMaildirConcurrentDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "Mail")
	c := client.New().WithMaildir(maildir.Store{Root: root})
	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, tag := range []string{"a", "b"} {
		cmd := mdChild(t, "deliver", root, tag)
		wg.Go(func() { errs[i] = cmd.Run() })
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 2000)
	ids, mids := map[string]bool{}, map[string]bool{}
	for _, e := range envs {
		ids[e.ID] = true
		mids[e.MessageID] = true
	}
	assert.Len(t, ids, 2000)
	assert.Len(t, mids, 2000)
	for p, content := range mdVisible(t, root) {
		m := mdChildToken.FindStringSubmatch(content)
		require.NotNil(t, m, p)
		tag, n, _ := strings.Cut(m[1], "-")
		num, _ := strconv.Atoi(n)
		require.Equal(t, mdChildMessage(tag, num), content, p)
	}
}
