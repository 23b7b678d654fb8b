// Package testpeers gives tests the addresses of the real mail servers that
// .ci/peers/start.sh runs on loopback (Dovecot, Postfix, Cyrus). Tests that
// need a peer call Load and are skipped, with a message saying how to start
// the peers, when they are not running.
package testpeers

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Env holds the variables of peers.env.
type Env map[string]string

// Dir returns the directory the peers live in: $PEERS_DIR, or
// /tmp/mailpeers.
func Dir() string {
	if d := os.Getenv("PEERS_DIR"); d != "" {
		return d
	}
	return "/tmp/mailpeers"
}

// Load reads peers.env and checks that the address in key (for example
// "PEERS_IMAP_ADDR") accepts connections. It skips t when the peers are not
// running; under CI=true with IOEMAIL_REQUIRE_PEERS=1 it fails t instead, so
// a broken CI set-up cannot pass silently.
func Load(t testing.TB, key string) Env {
	t.Helper()
	env, err := read(filepath.Join(Dir(), "peers.env"))
	if err == nil {
		if addr := env[key]; addr != "" {
			if strings.Contains(addr, "://") {
				addr = strings.TrimPrefix(strings.TrimPrefix(addr, "http://"), "https://")
				addr, _, _ = strings.Cut(addr, "/")
			}
			var c net.Conn
			if c, err = net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
				c.Close()
				return env
			}
		} else {
			err = os.ErrNotExist
		}
	}
	msg := "real peer " + key + " not available (" + err.Error() + "); run .ci/peers/install.sh && .ci/peers/start.sh"
	if os.Getenv("IOEMAIL_REQUIRE_PEERS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return nil
}

// TLSConfig returns a TLS configuration that trusts the peers' self-signed
// certificate.
func (e Env) TLSConfig(t testing.TB) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(e["PEERS_CA_CERT"])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("testpeers: no certificate in PEERS_CA_CERT")
	}
	return &tls.Config{RootCAs: pool, ServerName: e["PEERS_TLS_SERVERNAME"]}
}

func read(path string) (Env, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := Env{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		env[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return env, sc.Err()
}
