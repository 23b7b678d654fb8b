package client

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// idleMuteServer is a scripted IMAP server that answers LOGIN and SELECT
// and then never answers IDLE (no "+", no tagged reply). With mute
// "SELECT" it never answers SELECT either; with "DONE" it answers IDLE
// with "+" and then never answers DONE. It returns its address and a
// channel that receives each line read once it went mute.
func idleMuteServer(t *testing.T, mute string) (string, <-chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	after := make(chan string, 16)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR IDLE] hi\r\n"))
		rd := bufio.NewReader(c)
		idle := false
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				close(after)
				return
			}
			tag, rest, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
			switch {
			case idle:
				after <- line
			case strings.HasPrefix(rest, "AUTHENTICATE"):
				c.Write([]byte(tag + " OK [CAPABILITY IMAP4rev1 IDLE] in\r\n"))
			case strings.HasPrefix(rest, "SELECT") && mute == "SELECT":
				idle = true
			case strings.HasPrefix(rest, "SELECT"):
				c.Write([]byte("* 0 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n" + tag + " OK [READ-WRITE] sel\r\n"))
			case rest == "NOOP":
				c.Write([]byte(tag + " OK\r\n"))
			case rest == "IDLE" && mute == "DONE":
				c.Write([]byte("+ idling\r\n"))
				idle = true
			case rest == "IDLE":
				idle = true // and say nothing, ever
			default:
				c.Write([]byte(tag + " BAD unexpected\r\n"))
			}
		}
	}()
	return ln.Addr().String(), after
}

// IDLE where the server never sends "+": cancelling returns with the
// context's error within watchStopGrace of the context's end (not 5
// seconds later with "no answer to DONE"), sends no DONE, and the
// connection is not reused.
func TestIMAPWatchCancelUnanswered(t *testing.T) {
	t.Run("IDLE", func(t *testing.T) { checkWatchCancel(t, "IDLE") })
	// The same while the SELECT of the watch is unanswered: no wait for
	// the read bound of a command (a minute), and while DONE is
	// unanswered: no 5 s wait and no "no answer to DONE".
	t.Run("SELECT", func(t *testing.T) { checkWatchCancel(t, "SELECT") })
	t.Run("DONE", func(t *testing.T) { checkWatchCancel(t, "DONE") })
}

func checkWatchCancel(t *testing.T, mute string) {
	addr, after := idleMuteServer(t, mute)
	// NoReconnect: the call after the watch must meet the broken
	// connection, not dial the muted server again.
	ic, err := DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: plainAlice(), Reconnect: &NoReconnect})
	require.NoError(t, err)
	defer ic.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = ic.WatchMailbox(ctx, "INBOX", func(email.WatchEvent) error { return nil })
	elapsed := time.Since(start)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotContains(t, err.Error(), "DONE")
	// The bounds are loose (a loaded machine) but well below the 5 s the
	// DONE wait took, and the minute a command's read may take; an
	// unanswered SELECT gets watchStopGrace.
	bound := 3*time.Second + watchStopGrace
	assert.Less(t, elapsed, bound)
	// The connection was closed, without a DONE unless IDLE had begun.
	var lines []string
	for line := range after {
		lines = append(lines, line)
	}
	if mute == "DONE" {
		assert.Equal(t, []string{"DONE\r\n"}, lines)
	} else {
		assert.NotContains(t, lines, "DONE\r\n")
	}
	_, err = ic.ListEnvelopes(tctx(t), "INBOX", email.ListOptions{})
	require.ErrorIs(t, err, ErrConnBroken, "the connection is out of step and not reused")
}
