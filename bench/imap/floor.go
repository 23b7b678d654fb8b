package main

import (
	"bytes"
	"log"
	"net"
	"os"
	"runtime/pprof"
)

// floor is a raw connection to the replay server that sends the FETCH
// command and reads the answer into a 32 KiB buffer without looking at it
// beyond the end: the cost of moving the bytes, which both clients pay.
type floor struct {
	conn net.Conn
	buf  []byte
}

func dialFloor(addr string) *floor {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	f := &floor{conn: c, buf: make([]byte, 32<<10)}
	f.readUntil([]byte("ready.\r\n"))
	return f
}

// fetch asks for the recording and reads at least size bytes and the
// tagged completion; it returns 0 (no envelopes).
func (f *floor) fetch(size int) int {
	if _, err := f.conn.Write([]byte("f UID FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE)\r\n")); err != nil {
		log.Fatal(err)
	}
	if got := f.readUntil([]byte("f OK Fetch completed (0.001 + 0.000 secs).\r\n")); got < size {
		log.Fatalf("floor: read %d bytes, want at least %d", got, size)
	}
	return 0
}

// readUntil reads until the bytes read end with end and returns how many
// were read.
func (f *floor) readUntil(end []byte) int {
	total, tail := 0, 0
	for {
		n, err := f.conn.Read(f.buf[tail:])
		if err != nil {
			log.Fatal(err)
		}
		total += n
		filled := tail + n
		if bytes.HasSuffix(f.buf[:filled], end) {
			return total
		}
		// Keep the last len(end) bytes so a split ending is still seen.
		keep := min(filled, len(end))
		copy(f.buf, f.buf[filled-keep:filled])
		tail = keep
	}
}

// writeProfile writes the allocation profile to path.
func writeProfile(path string) {
	out, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close()
	if err := pprof.Lookup("allocs").WriteTo(out, 0); err != nil {
		log.Fatal(err)
	}
}

// startCPUProfile starts a CPU profile into path and returns its stop.
func startCPUProfile(path string) func() {
	out, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		log.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		out.Close()
	}
}
