package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// peers holds what the bench needs from /tmp/mailpeers/peers.env.
type peers struct {
	addr string
	tls  *tls.Config
}

// loadPeers reads the peers file; it returns an error saying why when
// Dovecot is not there.
func loadPeers(path string) (*peers, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if ok && !strings.HasPrefix(k, "#") {
			env[k] = strings.Trim(v, `"`)
		}
	}
	if v := os.Getenv("PEERS_IMAP_ADDR"); v != "" {
		env["PEERS_IMAP_ADDR"] = v
	}
	p := &peers{addr: env["PEERS_IMAP_ADDR"]}
	if p.addr == "" {
		return nil, errors.New("no PEERS_IMAP_ADDR in " + path)
	}
	pem, err := os.ReadFile(env["PEERS_CA_CERT"])
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("no certificate in " + env["PEERS_CA_CERT"])
	}
	name := env["PEERS_TLS_SERVERNAME"]
	if name == "" {
		name = "localhost"
	}
	p.tls = &tls.Config{RootCAs: pool, ServerName: name}
	c, err := net.DialTimeout("tcp", p.addr, 2*time.Second)
	if err != nil {
		return nil, fmt.Errorf("dovecot not reachable at %s: %w", p.addr, err)
	}
	c.Close()
	return p, nil
}

// dialTheirs connects go-imap's client with STARTTLS and logs in.
func dialTheirs(p *peers) *imapclient.Client {
	c, err := imapclient.DialStartTLS(p.addr, &imapclient.Options{TLSConfig: p.tls, WordDecoder: wordDecoder})
	if err != nil {
		log.Fatalf("imapclient: STARTTLS to %s: %v", p.addr, err)
	}
	if err := c.Login(*user, *pass).Wait(); err != nil {
		log.Fatalf("imapclient: LOGIN: %v", err)
	}
	return c
}

// ensureMailbox creates box when missing and appends the generated
// messages it lacks (once; later runs reuse it), pipelining APPENDs with
// LITERAL+ through go-imap's client in batches. It returns the number of
// messages in box.
func ensureMailbox(p *peers, box string, n int) int {
	c := dialTheirs(p)
	defer func() { c.Logout().Wait() }()
	if err := c.Create(box, nil).Wait(); err != nil {
		var ie *imap.Error
		if !errors.As(err, &ie) || ie.Code != imap.ResponseCodeAlreadyExists {
			log.Fatal(err)
		}
	}
	st, err := c.Status(box, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		log.Fatal(err)
	}
	have := int(*st.NumMessages)
	if have >= n {
		return have
	}
	log.Printf("appending %d messages to %s (once; later runs reuse it)", n-have, box)
	msgs := generate(n, *seed)
	const batch = 500
	for lo := have; lo < n; lo += batch {
		var cmds []*imapclient.AppendCommand
		for _, m := range msgs[lo:min(lo+batch, n)] {
			var flags []imap.Flag
			for _, f := range m.flags {
				flags = append(flags, imap.Flag(f))
			}
			cmd := c.Append(box, int64(len(m.raw)), &imap.AppendOptions{Flags: flags, Time: m.date})
			if _, err := cmd.Write(m.raw); err != nil {
				log.Fatal(err)
			}
			if err := cmd.Close(); err != nil {
				log.Fatal(err)
			}
			cmds = append(cmds, cmd)
		}
		for _, cmd := range cmds {
			if _, err := cmd.Wait(); err != nil {
				log.Fatal(err)
			}
		}
	}
	return n
}

// rawSession is a plain connection to Dovecot (STARTTLS, LOGIN, EXAMINE
// box) for recording and for the floor of part 2.
type rawSession struct {
	conn net.Conn
	br   *bufio.Reader
}

func dialRaw(p *peers, box string) *rawSession {
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		log.Fatal(err)
	}
	br := bufio.NewReader(conn)
	readResponse(br, "", true) // greeting
	fmt.Fprintf(conn, "s STARTTLS\r\n")
	readResponse(br, "s", true)
	tc := tls.Client(conn, p.tls)
	r := &rawSession{conn: tc, br: bufio.NewReaderSize(tc, 32<<10)}
	r.do("l", fmt.Sprintf("LOGIN %q %q", *user, *pass), true)
	r.do("e", fmt.Sprintf("EXAMINE %q", box), true)
	return r
}

// do sends one command and returns what came back up to its tagged OK
// (nil unless keep).
func (r *rawSession) do(tag, cmd string, keep bool) []byte {
	if _, err := fmt.Fprintf(r.conn, "%s %s\r\n", tag, cmd); err != nil {
		log.Fatal(err)
	}
	return readResponse(r.br, tag, keep)
}

// record fetches (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE) of the
// first n messages of box from Dovecot on a raw connection and writes the
// untagged responses, byte for byte, gzipped to path.
func record(p *peers, box string, n int, path string) {
	r := dialRaw(p, box)
	defer r.conn.Close()
	data := r.do("f", fmt.Sprintf("UID FETCH 1:%d (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE)", n), true)
	// Keep the FETCH responses only.
	end := bytes.LastIndex(data[:len(data)-2], []byte("\r\n")) + 2
	data = data[:end]
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("recorded %d bytes of FETCH responses (%d gzipped) to %s", len(data), gz.Len(), path)
}

// readResponse reads lines (with their literals) up to and including the
// tagged completion for tag (or one line when tag is ""), fails unless it
// is OK, and returns all the bytes read when keep is set.
func readResponse(br *bufio.Reader, tag string, keep bool) []byte {
	var out []byte
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			var more []byte
			more, err = br.ReadBytes('\n')
			line = append(append([]byte(nil), line...), more...)
		}
		if err != nil {
			log.Fatal(err)
		}
		if keep {
			out = append(out, line...)
		}
		// A literal announced at the end of the line: copy it, then the rest
		// of the line follows.
		for {
			s := strings.TrimRight(string(line), "\r\n")
			if !strings.HasSuffix(s, "}") {
				break
			}
			i := strings.LastIndexByte(s, '{')
			size, err := strconv.Atoi(strings.TrimSuffix(s[i+1:len(s)-1], "+"))
			if i < 0 || err != nil {
				break
			}
			if keep {
				lit := make([]byte, size)
				if _, err := io.ReadFull(br, lit); err != nil {
					log.Fatal(err)
				}
				out = append(out, lit...)
			} else if _, err := br.Discard(size); err != nil {
				log.Fatal(err)
			}
			if line, err = br.ReadBytes('\n'); err != nil {
				log.Fatal(err)
			}
			if keep {
				out = append(out, line...)
			}
		}
		if tag == "" || strings.HasPrefix(string(line), tag+" ") {
			if f := strings.Fields(string(line)); len(f) < 2 || f[1] != "OK" {
				log.Fatalf("server said: %s", strings.TrimSpace(string(line)))
			}
			return out
		}
	}
}
