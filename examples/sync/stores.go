package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
)

// storeKind is what a store URL names.
type storeKind int

const (
	kindIMAP storeKind = iota + 1
	kindJMAP
	kindMaildir
	kindM2dir
)

// storeURL is a parsed store URL: where the store is, and who logs in.
type storeURL struct {
	kind storeKind
	// dial is the URL the client dials (IMAP, JMAP), without the user.
	dial string
	// user is the login name from the URL's user part ("" for none).
	user string
	// path is the root directory of a local store.
	path string
	// layout is the Maildir layout (maildir:///path?layout=fs).
	layout maildir.Layout
	// text is the URL as shown in logs and the summary (no secret: a URL
	// holding a password is refused).
	text string
}

// errUsage marks errors in the command line: the command exits with 2.
var errUsage = errors.New("usage")

func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// parseStore parses one store URL:
//
//	imaps://user@host[:port]              IMAP over TLS (993)
//	imap://user@host[:port]               IMAP with STARTTLS (143)
//	https://user@host/.well-known/jmap    a JMAP session URL
//	jmap+http://user@host:port/path       JMAP over plain http (loopback tests)
//	maildir:///path[?layout=fs]           a Maildir++ tree (or nested directories)
//	m2dir:///path                         an m2dir tree
//
// A password in the URL is refused: it would show in the process list and
// the shell history.
func parseStore(raw string) (storeURL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the URL, which may hold a password.
		return storeURL{}, usagef("store URL is not a URL")
	}
	if _, has := u.User.Password(); has {
		return storeURL{}, usagef("store URL %s://%s holds a password: give it in IOEMAIL_A_PASSWORD / IOEMAIL_B_PASSWORD or a *_PASSCMD instead", u.Scheme, u.Host)
	}
	s := storeURL{user: u.User.Username()}
	switch u.Scheme {
	case "imaps", "imap":
		if u.Hostname() == "" {
			return storeURL{}, usagef("%s: no host", raw)
		}
		if u.Path != "" && u.Path != "/" {
			return storeURL{}, usagef("%s: an IMAP URL names a server, not a mailbox (use -folders)", raw)
		}
		s.kind = kindIMAP
		s.dial = u.Scheme + "://" + u.Host
	case "https", "jmap+http", "jmap+https":
		if u.Hostname() == "" {
			return storeURL{}, usagef("%s: no host", raw)
		}
		d := *u
		d.User = nil
		d.Scheme = strings.TrimPrefix(u.Scheme, "jmap+")
		s.kind = kindJMAP
		s.dial = d.String()
	case "maildir", "m2dir":
		if u.Host != "" && u.Host != "localhost" {
			return storeURL{}, usagef("%s: a local store URL has no host (maildir:///path, three slashes)", raw)
		}
		if u.Path == "" || !filepath.IsAbs(u.Path) {
			return storeURL{}, usagef("%s: the path must be absolute (%s:///path)", raw, u.Scheme)
		}
		if s.user != "" {
			return storeURL{}, usagef("%s: a local store has no user", raw)
		}
		s.path = filepath.Clean(u.Path)
		s.kind = kindMaildir
		if u.Scheme == "m2dir" {
			s.kind = kindM2dir
		}
		for k, v := range u.Query() {
			switch {
			case k == "layout" && s.kind == kindMaildir && len(v) == 1 && (v[0] == "fs" || v[0] == "maildir++"):
				if v[0] == "fs" {
					s.layout = maildir.LayoutFS
				}
			default:
				return storeURL{}, usagef("%s: unknown option %q (maildir takes layout=fs or layout=maildir++)", raw, k)
			}
		}
	case "":
		return storeURL{}, usagef("%q is not a store URL (imaps://user@host, maildir:///path, ...)", raw)
	default:
		return storeURL{}, usagef("%s: unknown scheme %q (imaps, imap, https, jmap+http, maildir, m2dir)", raw, u.Scheme)
	}
	s.text = raw
	return s, nil
}

// netSettings is what opening a network store needs besides its URL.
type netSettings struct {
	// password is the secret (from the environment or a command); "" with
	// no user.
	password string
	// tls trusts -ca when given; nil means the system roots.
	tls *tls.Config
	// plaintext allows imap:// without STARTTLS (-insecure-plaintext).
	plaintext bool
	log       *slog.Logger
}

// loadCA returns a TLS configuration trusting the certificates of the PEM
// file path (and not the system roots).
func loadCA(path string) (*tls.Config, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("-ca: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usagef("-ca %s: no PEM certificate in it", path)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// open connects to or opens the store s. Network stores are io.Closers.
func open(ctx context.Context, s storeURL, ns netSettings) (client.Storage, error) {
	switch s.kind {
	case kindMaildir:
		if err := os.MkdirAll(s.path, 0o700); err != nil {
			return nil, err
		}
		return client.NewMaildir(maildir.Store{Root: filepath.ToSlash(s.path), Layout: s.layout}, nil), nil
	case kindM2dir:
		if err := initM2store(s.path); err != nil {
			return nil, err
		}
		return client.NewM2dir(m2dir.Store{Root: filepath.ToSlash(s.path)}, nil), nil
	}
	opts := &client.Options{TLSConfig: ns.tls, AllowPlaintext: ns.plaintext, Logger: ns.log}
	if s.user != "" {
		opts.Auth = client.Password(s.user, ns.password)
	}
	if s.kind == kindIMAP {
		ic, err := client.DialIMAP(ctx, s.dial, opts)
		if err != nil {
			return nil, err
		}
		return ic, nil
	}
	jc, err := client.DialJMAP(ctx, s.dial, opts)
	if err != nil {
		return nil, err
	}
	return jc, nil
}

// initM2store makes dir an empty m2store (the directory and its marker
// file) when it is missing or empty. A directory with other content and no
// marker is left alone: the store then refuses it (m2dir.ErrNotStore)
// rather than the command taking over a directory that is something else.
func initM2store(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) > 0 {
		return err
	}
	return os.WriteFile(filepath.Join(dir, m2dir.StoreMarker), nil, 0o600)
}
