package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ioemail/ioemail/client/mailsync"
)

// config is the parsed command line.
type config struct {
	a, b      storeURL
	opts      mailsync.Options
	state     string
	ca        string
	plaintext bool
	watch     bool
	verbose   bool
}

const usageText = `usage: sync [options] STORE-A STORE-B

Makes two mail stores equal, both ways unless -direction says otherwise.
A store is one of:

  imaps://user@host[:port]             IMAP over TLS (port 993)
  imap://user@host[:port]              IMAP with STARTTLS (port 143)
  https://user@host/.well-known/jmap   a JMAP session URL
  jmap+http://user@host:port/path      JMAP over plain http (loopback only)
  maildir:///path[?layout=fs]          a Maildir++ tree (layout=fs: nested directories)
  m2dir:///path                        an m2dir tree

Passwords never go on the command line: set IOEMAIL_A_PASSWORD (for
STORE-A) and IOEMAIL_B_PASSWORD, or IOEMAIL_A_PASSCMD / IOEMAIL_B_PASSCMD to
a command (run with sh -c) that prints the password.

Exit status: 0 done, 1 the sync failed, 2 the command line is wrong.

Options:
`

// parseArgs parses the command line (without the program name). Errors
// wrap errUsage; -h gives flag.ErrHelp.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	direction := fs.String("direction", "both", "which way changes flow: both, a-to-b or b-to-a")
	folders := fs.String("folders", "", "comma-separated patterns of STORE-A's mailboxes to sync (\"INBOX,Archive/*\"); empty: all")
	exclude := fs.String("exclude", "", "comma-separated patterns of mailboxes to leave out")
	fs.StringVar(&c.opts.Trash, "trash", "", "move deleted messages to this mailbox instead of deleting them")
	maxSize := fs.String("max-size", "0", "leave out messages larger than this (bytes, or with K, M, G); 0: no limit")
	fs.BoolVar(&c.opts.DryRun, "dry-run", false, "say what would be done, change nothing")
	fs.BoolVar(&c.watch, "watch", false, "keep running: sync again whenever either side changes")
	fs.StringVar(&c.state, "state", "", "the state file of this pair (default: under the user cache directory)")
	fs.StringVar(&c.ca, "ca", "", "PEM file of the certificate authority to trust (instead of the system roots)")
	winner := fs.String("flag-winner", "a", "the side whose flag change wins a conflict: a or b")
	fs.BoolVar(&c.plaintext, "insecure-plaintext", false, "allow imap:// without STARTTLS and passwords in clear (loopback tests only)")
	fs.BoolVar(&c.verbose, "v", false, "log every step (debug level)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return c, err
		}
		return c, usagef("%v", err)
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return c, usagef("want two store URLs, got %d arguments", fs.NArg())
	}
	var err error
	if c.a, err = parseStore(fs.Arg(0)); err != nil {
		return c, err
	}
	if c.b, err = parseStore(fs.Arg(1)); err != nil {
		return c, err
	}
	switch *direction {
	case "both":
		c.opts.Direction = mailsync.Both
	case "a-to-b":
		c.opts.Direction = mailsync.AToB
	case "b-to-a":
		c.opts.Direction = mailsync.BToA
	default:
		return c, usagef("-direction %q: want both, a-to-b or b-to-a", *direction)
	}
	switch strings.ToLower(*winner) {
	case "a":
		c.opts.FlagConflict = mailsync.A
	case "b":
		c.opts.FlagConflict = mailsync.B
	default:
		return c, usagef("-flag-winner %q: want a or b", *winner)
	}
	c.opts.Mailboxes = splitList(*folders)
	c.opts.Exclude = splitList(*exclude)
	if c.opts.MaxSize, err = parseSize(*maxSize); err != nil {
		return c, err
	}
	if c.watch && c.opts.DryRun {
		return c, usagef("-watch and -dry-run together would plan forever and do nothing")
	}
	return c, nil
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseSize parses a byte count with an optional K, M or G suffix (powers
// of 1024).
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(t, "B")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v < 0 || v > (1<<62)/mult {
		return 0, usagef("-max-size %q: want a byte count such as 1048576, 512K or 25M", s)
	}
	return v * mult, nil
}

// defaultState returns the state file of the pair a, b under the user
// cache directory: one file per pair of URLs, in order.
func defaultState(a, b storeURL) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no -state and no cache directory: %w", err)
	}
	sum := sha256.Sum256([]byte(a.text + "\x00" + b.text))
	return filepath.Join(dir, "ioemail", "sync", hex.EncodeToString(sum[:12])+".state"), nil
}
