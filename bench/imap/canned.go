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

// serveRecording starts a loopback server that answers any client with
// enough of Dovecot's behaviour for a listing (greeting, LOGIN or
// AUTHENTICATE PLAIN with SASL-IR, SELECT, UID SORT, LOGOUT) and replays
// the recorded FETCH responses, written in one call, for any FETCH. It
// returns the address.
func serveRecording(fetch []byte, uids []uint32) string {
	var sorted bytes.Buffer
	sorted.WriteString("* SORT")
	for i := len(uids) - 1; i >= 0; i-- {
		fmt.Fprintf(&sorted, " %d", uids[i])
	}
	sorted.WriteString("\r\n")
	last := uids[len(uids)-1]
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
			go serveConn(c, fetch, sorted.Bytes(), len(uids), last)
		}
	}()
	return ln.Addr().String()
}

func serveConn(c net.Conn, fetch, sorted []byte, n int, last uint32) {
	defer c.Close()
	w := bufio.NewWriterSize(c, 64<<10)
	w.WriteString("* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ SORT UIDPLUS AUTH=PLAIN] Dovecot ready.\r\n")
	w.Flush()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		tag, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		cmd := strings.ToUpper(rest)
		switch {
		case strings.HasPrefix(cmd, "SELECT"), strings.HasPrefix(cmd, "EXAMINE"):
			fmt.Fprintf(w, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n"+
				"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] Flags permitted.\r\n"+
				"* %d EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1764120000] UIDs valid\r\n* OK [UIDNEXT %d] Predicted next UID\r\n"+
				"%s OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n", n, last+1, tag)
		case strings.HasPrefix(cmd, "UID SORT"):
			w.Write(sorted)
			fmt.Fprintf(w, "%s OK Sort completed (0.001 + 0.000 secs).\r\n", tag)
		case strings.Contains(cmd, "FETCH"):
			w.Flush()
			c.Write(fetch)
			fmt.Fprintf(w, "%s OK Fetch completed (0.001 + 0.000 secs).\r\n", tag)
		case strings.HasPrefix(cmd, "LOGOUT"):
			fmt.Fprintf(w, "* BYE Logging out\r\n%s OK Logout completed.\r\n", tag)
			w.Flush()
			return
		default:
			fmt.Fprintf(w, "%s OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ SORT UIDPLUS] Done.\r\n", tag)
		}
		w.Flush()
	}
}
