package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun holds 50 connections on the in-process server: every one lists,
// idles and sees the one delivery.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), config{n: 50, user: "alice", pass: "alicepass", mailbox: "INBOX", watch: 20 * time.Second}, &out)
	require.NoError(t, err, out.String())
	assert.Contains(t, out.String(), "50 listed, 50 of 50 watchers saw the delivery, 0 failed")
	assert.Contains(t, out.String(), "50 I/O goroutines for 50 machines")
}

// TestRunBadPassword ends with the server's refusal, not a hang.
func TestRunBadPassword(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), config{n: 3, user: "alice", pass: "wrong", mailbox: "INBOX", watch: 20 * time.Second}, &out)
	assert.Error(t, err)
}
