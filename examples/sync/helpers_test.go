package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// testMsg is one generated message: its Message-ID, bytes and flags.
type testMsg struct {
	id    string
	raw   []byte
	flags email.Flags
}

// genMessages returns n distinct messages (CRLF, as IMAP serves them)
// tagged with tag in their Message-IDs: most are 1-3 KiB, every 50th is
// about 64 KiB; a third are \Seen, a seventh \Flagged, an eleventh carry
// the custom keyword $Label1.
func genMessages(tag string, n int, seed uint64) []testMsg {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]testMsg, n)
	for i := range out {
		id := fmt.Sprintf("<%s-%d@synccmd.example.test>", tag, i)
		var b bytes.Buffer
		fmt.Fprintf(&b, "From: Sender %d <sender%d@example.test>\r\nTo: bob@example.test\r\n", i%17, i%17)
		fmt.Fprintf(&b, "Subject: %s message %d\r\nMessage-ID: %s\r\n", tag, i, id)
		fmt.Fprintf(&b, "Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
			time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z))
		size := 1024 + rng.IntN(2048)
		if i%50 == 49 {
			size = 64 << 10
		}
		for b.Len() < size {
			fmt.Fprintf(&b, "line %d of message %d: %x\r\n", b.Len(), i, rng.Uint64())
		}
		var flags email.Flags
		if i%3 == 0 {
			flags = append(flags, email.FlagSeen)
		}
		if i%7 == 0 {
			flags = append(flags, email.FlagFlagged)
		}
		if i%11 == 0 {
			flags = append(flags, email.ParseFlag("$Label1"))
		}
		out[i] = testMsg{id: id, raw: b.Bytes(), flags: email.NewFlags(flags...)}
	}
	return out
}

// systemFlagsOnly drops the custom keywords from msgs' flags, for peers
// that cannot store them (mbsync 1.4 keeps only the Maildir letters).
func systemFlagsOnly(msgs []testMsg) []testMsg {
	out := make([]testMsg, len(msgs))
	for i, m := range msgs {
		m.flags = m.flags.Minus(email.Flags{email.ParseFlag("$Label1")})
		out[i] = m
	}
	return out
}

// sharedDovecot is bob's account on the shared Dovecot, with a mailbox of
// the test's own.
type sharedDovecot struct {
	env testpeers.Env
	ic  *client.IMAPClient
}

// dialBob connects to the shared Dovecot as bob (STARTTLS), or skips.
func dialBob(t *testing.T) *sharedDovecot {
	t.Helper()
	env := testpeers.Load(t, "PEERS_IMAP_ADDR")
	ic, err := client.DialIMAP(testCtx(t), "imap://"+env["PEERS_IMAP_ADDR"], &client.Options{TLSConfig: env.TLSConfig(t), Auth: client.Password("bob", "bobpass")})
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	return &sharedDovecot{env: env, ic: ic}
}

// url is the store URL of bob's account for the command.
func (d *sharedDovecot) url() string { return "imap://bob@" + d.env["PEERS_IMAP_ADDR"] }

// newBox creates a mailbox unique to the test (prefix plus a random
// suffix), deleted when the test ends, and appends msgs to it.
func (d *sharedDovecot) newBox(t *testing.T, prefix string, msgs []testMsg) string {
	t.Helper()
	box := fmt.Sprintf("synccmd-%s-%08x", prefix, rand.Uint32())
	ctx := testCtx(t)
	require.NoError(t, d.ic.CreateMailbox(ctx, box))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		d.ic.DeleteMailbox(ctx, box)
	})
	for _, m := range msgs {
		_, err := d.ic.AddMessage(ctx, box, bytes.NewReader(m.raw), m.flags)
		require.NoError(t, err)
	}
	return box
}

// testCtx is a context ending with the test (at most 10 minutes).
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// seen is one copy of a message found on a side.
type seen struct {
	id    string
	flags email.Flags
	raw   []byte
}

// readBox returns the messages of box on s by Message-ID, each with every
// copy found, bodies included.
func readBox(t *testing.T, s client.Storage, box string) map[string][]seen {
	t.Helper()
	ctx := testCtx(t)
	envs, err := s.ListEnvelopes(ctx, box, email.ListOptions{})
	require.NoError(t, err, "%s: list %s", s.Name(), box)
	out := map[string][]seen{}
	for _, e := range envs {
		var buf bytes.Buffer
		_, err := s.GetMessage(ctx, box, e.ID, &buf)
		require.NoError(t, err, "%s: get %s", s.Name(), e.ID)
		key := email.NormalizeMessageID(e.MessageID)
		out[key] = append(out[key], seen{id: e.ID, flags: e.Flags, raw: buf.Bytes()})
	}
	return out
}

// assertHolds checks that got holds each of want exactly once, byte for
// byte, and nothing else; with flags set, it also checks the flags.
func assertHolds(t *testing.T, side string, got map[string][]seen, want []testMsg, flags bool) {
	t.Helper()
	assertHoldsAs(t, side, got, want, flags, nil)
}

// mbsyncForm is a message as mbsync stores it: LF line ends in a Maildir,
// and an X-TUID header added to what it uploads (its way to find an upload
// again); both are undone here, so that a body compares with the original.
func mbsyncForm(raw []byte) []byte {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	var out []byte
	for len(raw) > 0 {
		line, rest, _ := bytes.Cut(raw, []byte("\n"))
		if len(line) == 0 {
			return append(out, raw...)
		}
		if !bytes.HasPrefix(line, []byte("X-TUID: ")) {
			out = append(append(out, line...), '\n')
		}
		raw = rest
	}
	return out
}

// assertHoldsAs is assertHolds comparing bodies as norm shows them (nil:
// byte for byte).
func assertHoldsAs(t *testing.T, side string, got map[string][]seen, want []testMsg, flags bool, norm func([]byte) []byte) {
	t.Helper()
	if norm == nil {
		norm = func(b []byte) []byte { return b }
	}
	missing, dups, wrong, badFlags := 0, 0, 0, 0
	for _, m := range want {
		copies := got[email.NormalizeMessageID(m.id)]
		switch {
		case len(copies) == 0:
			missing++
			continue
		case len(copies) > 1:
			dups++
		}
		if !bytes.Equal(norm(copies[0].raw), norm(m.raw)) {
			wrong++
		}
		if flags && !copies[0].flags.Equal(m.flags) {
			if badFlags < 3 {
				t.Errorf("%s: %s has flags %v, want %v", side, m.id, copies[0].flags, m.flags)
			}
			badFlags++
		}
	}
	extra := len(got)
	for _, m := range want {
		if _, ok := got[email.NormalizeMessageID(m.id)]; ok {
			extra--
		}
	}
	assert.Zero(t, missing, "%s: messages missing", side)
	assert.Zero(t, dups, "%s: messages held more than once", side)
	assert.Zero(t, wrong, "%s: bodies not byte-equal", side)
	assert.Zero(t, badFlags, "%s: messages with wrong flags", side)
	assert.Zero(t, extra, "%s: unexpected Message-IDs", side)
}

// buildCommand builds the command into a temporary directory once per
// test and returns its path.
func buildCommand(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sync")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// runCommand runs the built command with bob's password and returns its
// output, failing the test unless it exits with 0.
func runCommand(t *testing.T, bin string, args ...string) string {
	t.Helper()
	return runAs(t, bin, "bobpass", args...)
}

// runAs runs the built command with password as side A's and returns its
// output, failing the test unless it exits with 0 or the output shows
// the password.
func runAs(t *testing.T, bin, password string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(testCtx(t), bin, args...)
	cmd.Env = append(cmd.Environ(), "IOEMAIL_A_PASSWORD="+password)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "sync %s:\n%s", strings.Join(args, " "), out)
	assert.NotContains(t, string(out), password, "the output shows the password")
	return string(out)
}
