package client

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// countingTokens hands out tok1, tok2... and counts the calls.
type countingTokens struct {
	mu sync.Mutex
	n  int
}

func (c *countingTokens) Token(context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return fmt.Sprintf("tok%d", c.n), nil
}

// TestReconnectAsksTokenAgain: every redial authenticates again, and an
// OAuth2 token source is asked for a fresh token each time.
func TestReconnectAsksTokenAgain(t *testing.T) {
	var mu sync.Mutex
	var seen []string // the bearer tokens the server received
	addr, _ := manyIMAP(t, "AUTH=OAUTHBEARER SASL-IR", func(tag, rest string) string {
		if !strings.HasPrefix(rest, "AUTHENTICATE OAUTHBEARER ") {
			return ""
		}
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(rest, "AUTHENTICATE OAUTHBEARER "))
		_, tok, _ := strings.Cut(string(raw), "auth=Bearer ")
		tok, _, _ = strings.Cut(tok, "\x01")
		mu.Lock()
		seen = append(seen, tok)
		mu.Unlock()
		return tag + " OK [CAPABILITY IMAP4rev1] welcome\r\n"
	})
	p := newCutProxy(t, addr)
	ts := &countingTokens{}
	policy := fastReconnect
	ic, err := DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: OAuth2("alice", ts), Dialer: p.dialer, Reconnect: &policy})
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	for range 2 {
		boxes, err := ic.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
		require.NoError(t, err)
		require.Len(t, boxes, 1)
		p.cutAll()
	}
	_, err = ic.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"tok1", "tok2", "tok3"}, seen, "a fresh token for every connection")
}

// manyIMAP is a scripted IMAP server that accepts any number of
// connections, greets with IMAP4rev1 and caps, and answers each command
// line with answer's text, or when that is "": LOGIN and AUTHENTICATE
// with OK, LIST with INBOX, anything else with OK. An answer ending in
// "* BYE" closes the connection. It returns the address and the number of
// connections so far.
func manyIMAP(t *testing.T, caps string, answer func(tag, rest string) string) (string, func() int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	conns := 0
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns++
			mu.Unlock()
			go func() {
				defer c.Close()
				fmt.Fprintf(c, "* OK [CAPABILITY IMAP4rev1 %s] hi\r\n", caps)
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					tag, rest, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
					out := answer(tag, rest)
					switch {
					case out != "":
					case strings.HasPrefix(rest, "LIST"):
						out = "* LIST (\\HasNoChildren) \"/\" INBOX\r\n" + tag + " OK done\r\n"
					default:
						out = tag + " OK done\r\n"
					}
					fmt.Fprint(c, out)
					if strings.HasPrefix(out, "* BYE") {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), func() int {
		mu.Lock()
		defer mu.Unlock()
		return conns
	}
}

// TestReconnectBounded: a server that breaks every connection at the same
// command (a BYE) is not dialled for ever: a read is repeated at most
// MaxAttempts times, and a watch that never gets to IDLE gives up after
// MaxAttempts lost connections, with ErrConnBroken.
func TestReconnectBounded(t *testing.T) {
	addr, conns := manyIMAP(t, "AUTH=PLAIN SASL-IR IDLE", func(tag, rest string) string {
		if strings.HasPrefix(rest, "LIST") || strings.HasPrefix(rest, "SELECT") || strings.HasPrefix(rest, "EXAMINE") {
			return "* BYE not today\r\n"
		}
		return ""
	})
	policy := ReconnectPolicy{MaxAttempts: 3, MinDelay: 1, MaxDelay: 1}
	ic, err := DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: plainAlice(), Reconnect: &policy})
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	_, err = ic.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
	require.Error(t, err)
	assert.Equal(t, 1+3, conns(), "the first connection and three repeats")

	err = ic.WatchMailbox(tctx(t), "INBOX", func(email.WatchEvent) error { return nil })
	require.ErrorIs(t, err, ErrConnBroken)
	assert.Equal(t, 1+3+1+3, conns(), "a redial before the watch, three more after")
}
