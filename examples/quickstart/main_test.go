package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, "../../testdata/messages", false), out.String())
	s := out.String()
	// 15 samples in, one moved to Work, one deleted: 13 stay in INBOX.
	assert.Contains(t, s, "INBOX    total 13")
	assert.Contains(t, s, "Archive  total  1")
	assert.Contains(t, s, "Work     total  1")
	assert.Contains(t, s, "[\\Flagged $Important]", "the copy keeps the flags set before copying")
	assert.Contains(t, s, "no Bcc header arrived")
}
