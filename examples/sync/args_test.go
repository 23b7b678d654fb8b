package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client/mailsync"
)

func TestParseArgs(t *testing.T) {
	var stderr bytes.Buffer
	c, err := parseArgs([]string{"-direction", "b-to-a", "-folders", "INBOX, Archive/*,", "-exclude", "Spam",
		"-trash", "Trash", "-max-size", "25M", "-dry-run", "-state", "/tmp/s", "-flag-winner", "B",
		"imaps://bob@host", "maildir:///m"}, &stderr)
	require.NoError(t, err)
	assert.Equal(t, mailsync.BToA, c.opts.Direction)
	assert.Equal(t, []string{"INBOX", "Archive/*"}, c.opts.Mailboxes)
	assert.Equal(t, []string{"Spam"}, c.opts.Exclude)
	assert.Equal(t, "Trash", c.opts.Trash)
	assert.Equal(t, int64(25<<20), c.opts.MaxSize)
	assert.True(t, c.opts.DryRun)
	assert.Equal(t, mailsync.B, c.opts.FlagConflict)
	assert.Equal(t, "/tmp/s", c.state)
	assert.Equal(t, kindIMAP, c.a.kind)
	assert.Equal(t, kindMaildir, c.b.kind)

	c, err = parseArgs([]string{"imaps://bob@host", "maildir:///m"}, &stderr)
	require.NoError(t, err)
	assert.Equal(t, mailsync.Both, c.opts.Direction)
	assert.Nil(t, c.opts.Mailboxes, "no -folders: the engine's default, every mailbox")
	assert.Zero(t, c.opts.MaxSize)
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1048576": 1 << 20, "512K": 512 << 10, "512kb": 512 << 10, "25M": 25 << 20, "2G": 2 << 30} {
		got, err := parseSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "-1", "1.5M", "M", "10T", "9999999999G"} {
		_, err := parseSize(in)
		assert.True(t, errors.Is(err, errUsage), "%q: %v", in, err)
	}
}

func TestDefaultState(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/cache")
	a, _ := parseStore("imaps://bob@host")
	b, _ := parseStore("maildir:///m")
	p1, err := defaultState(a, b)
	require.NoError(t, err)
	p2, _ := defaultState(b, a)
	assert.True(t, strings.HasPrefix(p1, "/cache/ioemail/sync/"), p1)
	assert.NotEqual(t, p1, p2, "the pair in the other order is another pair (A and B swap)")
}

// TestExitCodes runs the command in-process: a wrong command line exits
// with 2 and says why on stderr; a store that cannot be opened exits with 1;
// -h exits with 0. No output holds the password.
func TestExitCodes(t *testing.T) {
	const pw = "pw-Never-Shown"
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want int
		msg  string
	}{
		{name: "help", args: []string{"-h"}, want: exitOK, msg: "usage: sync"},
		{name: "one store", args: []string{"maildir:///m"}, want: exitUsage, msg: "want two store URLs"},
		{name: "unknown flag", args: []string{"-password", pw, "maildir:///a", "maildir:///b"}, want: exitUsage, msg: "flag provided but not defined"},
		{name: "bad direction", args: []string{"-direction", "up", "maildir:///a", "maildir:///b"}, want: exitUsage, msg: "-direction"},
		{name: "password in URL", args: []string{"imaps://bob:" + pw + "@127.0.0.1:1", "maildir:///b"}, want: exitUsage, msg: "holds a password"},
		{name: "no password", args: []string{"-state", dir + "/s", "imaps://bob@127.0.0.1:1", "maildir://" + dir + "/b"}, want: exitUsage, msg: "IOEMAIL_A_PASSWORD"},
		{name: "bad -ca", args: []string{"-ca", dir + "/none.pem", "-state", dir + "/s", "maildir://" + dir + "/a", "maildir://" + dir + "/b"}, want: exitUsage, msg: "-ca"},
		{name: "watch with dry run", args: []string{"-watch", "-dry-run", "maildir:///a", "maildir:///b"}, want: exitUsage, msg: "-watch and -dry-run"},
		{name: "server down", args: []string{"-state", dir + "/s", "imaps://bob@127.0.0.1:1", "maildir://" + dir + "/b"},
			env: map[string]string{"IOEMAIL_A_PASSWORD": pw}, want: exitFailed, msg: "store A (imaps://bob@127.0.0.1:1)"},
		{name: "password command fails", args: []string{"-state", dir + "/s", "imaps://bob@127.0.0.1:1", "maildir://" + dir + "/b"},
			env: map[string]string{"IOEMAIL_A_PASSCMD": "echo " + pw + "; exit 1"}, want: exitFailed, msg: "IOEMAIL_A_PASSCMD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), procEnv{args: tc.args, getenv: func(k string) string { return tc.env[k] }, stdout: &stdout, stderr: &stderr})
			assert.Equal(t, tc.want, code, "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), tc.msg)
			assert.NotContains(t, stdout.String()+stderr.String(), pw)
		})
	}
}
