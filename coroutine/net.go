package coroutine

import (
	"time"

	"github.com/ioemail/ioemail/email"
)

// NetOp is the kind of a network request.
type NetOp uint8

// The network requests.
const (
	// NetWrite asks the driver to write all of Data, then resume with an
	// empty reply (or Err).
	NetWrite NetOp = iota + 1
	// NetRead asks the driver to read whatever bytes are available (at least
	// one) and resume with them in Data, or with EOF, or with Err. When
	// Wait is positive and no byte arrives within it, the driver resumes
	// with TimedOut instead; watch machines use this to refresh IDLE.
	NetRead
	// NetStartTLS asks the driver to start TLS on the stream (after a
	// STARTTLS exchange) and resume with an empty reply or Err.
	NetStartTLS
	// NetEvent hands Event to the caller; the driver resumes with an empty
	// reply as soon as the event is delivered.
	NetEvent
	// NetSink hands Data, a chunk of a message body, to the operation's
	// sink (see "Streaming bodies" in the package doc); the driver resumes
	// with an empty reply once the sink has taken it, or with Err (the
	// sink's error; the connection itself is still usable).
	NetSink
	// NetSource asks for the next chunk of the operation's source: the
	// driver resumes with at least one byte in Data (at most Max when
	// positive), or with EOF at the end of the source, or with Err (the
	// source's error).
	NetSource
)

// String names the operation.
func (op NetOp) String() string {
	switch op {
	case NetWrite:
		return "write"
	case NetRead:
		return "read"
	case NetStartTLS:
		return "starttls"
	case NetEvent:
		return "event"
	case NetSink:
		return "sink"
	case NetSource:
		return "source"
	}
	return "invalid"
}

// NetRequest is what a network machine asks its driver to do.
type NetRequest struct {
	// Op is what to do.
	Op NetOp
	// Data holds the bytes to write for NetWrite. The driver must not keep
	// it after resuming.
	Data []byte
	// Wait bounds a NetRead: see NetRead. Zero means wait as long as the
	// caller's context allows.
	Wait time.Duration
	// Event is the event of a NetEvent request.
	Event *email.WatchEvent
	// Max bounds the chunk a NetSource reply may carry; 0 lets the
	// driver choose.
	Max int
}

// NetReply is the driver's answer to a NetRequest.
type NetReply struct {
	// Data holds the bytes read for NetRead. It is only valid during the
	// Resume call: a machine that needs bytes later copies them.
	Data []byte
	// EOF reports that the peer closed the stream.
	EOF bool
	// TimedOut reports that a NetRead with a Wait saw no byte in time.
	TimedOut bool
	// Err reports an I/O error; the connection is then unusable.
	Err error
}

// Write returns a NetWrite request for b.
func Write(b []byte) NetRequest { return NetRequest{Op: NetWrite, Data: b} }

// Read returns a NetRead request.
func Read() NetRequest { return NetRequest{Op: NetRead} }
