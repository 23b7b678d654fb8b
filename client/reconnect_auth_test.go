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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var seen []string // the bearer tokens the server received
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				fmt.Fprint(c, "* OK [CAPABILITY IMAP4rev1 AUTH=OAUTHBEARER SASL-IR] hi\r\n")
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					tag, rest, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
					switch {
					case strings.HasPrefix(rest, "AUTHENTICATE OAUTHBEARER "):
						raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(rest, "AUTHENTICATE OAUTHBEARER "))
						_, tok, _ := strings.Cut(string(raw), "auth=Bearer ")
						tok, _, _ = strings.Cut(tok, "\x01")
						mu.Lock()
						seen = append(seen, tok)
						mu.Unlock()
						fmt.Fprintf(c, "%s OK [CAPABILITY IMAP4rev1] welcome\r\n", tag)
					case strings.HasPrefix(rest, "LIST"):
						fmt.Fprintf(c, "* LIST (\\HasNoChildren) \"/\" INBOX\r\n%s OK done\r\n", tag)
					default:
						fmt.Fprintf(c, "%s OK done\r\n", tag)
					}
				}
			}()
		}
	}()
	p := newCutProxy(t, ln.Addr().String())
	ts := &countingTokens{}
	policy := fastReconnect
	ic, err := DialIMAP(tctx(t), "imap://"+ln.Addr().String(), &Options{AllowPlaintext: true, Auth: OAuth2("alice", ts), Dialer: p.dialer, Reconnect: &policy})
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
