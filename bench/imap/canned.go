package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// loadRecording reads a gzipped recording of FETCH responses and returns
// the bytes and the UIDs in order.
func loadRecording(path string) ([]byte, []uint32) {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		log.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		log.Fatal(err)
	}
	var uids []uint32
	for _, m := range fetchStart.FindAllSubmatch(data, -1) {
		u, _ := strconv.ParseUint(string(m[2]), 10, 32)
		uids = append(uids, uint32(u))
	}
	if len(uids) == 0 {
		log.Fatalf("%s holds no FETCH response", path)
	}
	return data, uids
}

// fetchStart matches the start of a FETCH response in the recording
// (Dovecot sends UID first when it is asked for).
var fetchStart = regexp.MustCompile(`(?m)^\* (\d+) FETCH \(UID (\d+) `)

// replay holds the server side of the recording: the FETCH responses and
// the answers to the other commands a listing sends.
type replay struct {
	fetch  []byte
	sorted []byte // the SORT response, UIDs newest first
	n      int
	last   uint32
}

const greeting = "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ SORT UIDPLUS AUTH=PLAIN] Dovecot ready.\r\n"

func newReplay(fetch []byte, uids []uint32) *replay {
	var sorted bytes.Buffer
	sorted.WriteString("* SORT")
	for i := len(uids) - 1; i >= 0; i-- {
		fmt.Fprintf(&sorted, " %d", uids[i])
	}
	sorted.WriteString("\r\n")
	return &replay{fetch: fetch, sorted: sorted.Bytes(), n: len(uids), last: uids[len(uids)-1]}
}

// answer writes the answer to one command line (without CRLF), with
// enough of Dovecot's behaviour for a listing (LOGIN or AUTHENTICATE
// PLAIN with SASL-IR, SELECT, UID SORT, LOGOUT); any FETCH gets the
// recording. It returns false after LOGOUT.
func (rp *replay) answer(w io.Writer, line string) bool {
	tag, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	cmd := strings.ToUpper(rest)
	switch {
	case strings.HasPrefix(cmd, "SELECT"), strings.HasPrefix(cmd, "EXAMINE"):
		fmt.Fprintf(w, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n"+
			"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] Flags permitted.\r\n"+
			"* %d EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1764120000] UIDs valid\r\n* OK [UIDNEXT %d] Predicted next UID\r\n"+
			"%s OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n", rp.n, rp.last+1, tag)
	case strings.HasPrefix(cmd, "UID SORT"):
		w.Write(rp.sorted)
		fmt.Fprintf(w, "%s OK Sort completed (0.001 + 0.000 secs).\r\n", tag)
	case strings.Contains(cmd, "FETCH"):
		w.Write(rp.fetch)
		fmt.Fprintf(w, "%s OK Fetch completed (0.001 + 0.000 secs).\r\n", tag)
	case strings.HasPrefix(cmd, "LOGOUT"):
		fmt.Fprintf(w, "* BYE Logging out\r\n%s OK Logout completed.\r\n", tag)
		return false
	default:
		fmt.Fprintf(w, "%s OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ SORT UIDPLUS] Done.\r\n", tag)
	}
	return true
}

// serve starts a loopback server that answers any client from rp; the
// recording goes out in one write and reaches the client in whatever
// chunks the kernel makes. It returns the address.
func (rp *replay) serve() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go rp.serveConn(c)
		}
	}()
	return ln.Addr().String()
}

func (rp *replay) serveConn(c net.Conn) {
	defer c.Close()
	// Unbuffered writes of prepared bytes: the recording is one write.
	c.Write([]byte(greeting))
	r := bufio.NewReader(c)
	var out bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		out.Reset()
		more := rp.answer(&out, line)
		c.Write(out.Bytes())
		if !more {
			return
		}
	}
}
