// Package coroutine defines the contract every step machine of this module
// follows, the two vocabularies of requests they make (network and files),
// and helpers to drive, compose and replay machines.
//
// A step machine does no I/O. The caller calls Resume with the reply to the
// machine's last request (the zero value on the first call); the machine
// returns its next request, or done. Once done, Result gives the outcome:
//
//	var in coroutine.NetReply
//	for {
//		req, done := m.Resume(in)
//		if done {
//			break
//		}
//		in = perform(req) // write, read, upgrade to TLS...
//	}
//	out, err := m.Result()
//
// Machines are plain values with an explicit state field; they never start
// goroutines, read the clock or draw random numbers. Anything
// nondeterministic (time, entropy, host name) is handed to them when they are
// built. This makes every machine drivable from a blocking loop, an event
// loop or a recorded transcript, with the same behaviour.
//
// The pieces for driving machines yourself: After and Bracket chain the
// machines of one connection (Open, an operation, Logout) into one, with
// every type inferred; package client's NetConn.Do performs one network
// request (TLS upgrade included) and client.Loop drives many connections
// from one goroutine; NetRecorder keeps a session, Redact cuts its
// credentials out, FormatTranscript writes it and ParseTranscript reads it
// back for ReplayNet.
//
// # Streaming bodies
//
// A message body may be far larger than memory, so no machine holds one
// whole. An operation that moves a body has one body stream, supplied by
// its caller to the driver, never to the machine: a sink (an io.Writer) for
// a get, a source (an io.Reader) for an add or a send. The machine refers
// to it only through its requests:
//
//   - Files: FileCopyOut asks the driver to copy a file to the sink,
//     FileCopyIn to create a file from the source (exclusive create, copy,
//     fsync), FileDigest to read a file through a hash. Each may carry a
//     Hash, a pure function building a hash.Hash the driver feeds with the
//     bytes as they pass; its sum comes back in FileResult.Sum, with the
//     size, so a machine checks or names a body (the m2dir checksum)
//     without seeing it. A batch holds at most one request on the body
//     stream, since there is only one.
//   - Network: a machine that must see the bytes (to parse a literal, to
//     dot-stuff DATA) passes them through in bounded chunks: NetSink hands
//     a chunk it read to the sink, NetSource asks the driver for the next
//     chunk of the source, which the machine transforms and writes with
//     NetWrite. It never holds more than its read buffer and one chunk.
//
// Scripts record streams like any other exchange: file requests with their
// Size and Sum, sink chunks as request data, source chunks as reply data.
// A replay therefore needs no real sink or source, and checks that the
// machine streamed exactly what was recorded.
package coroutine

import (
	"errors"
	"fmt"

	"github.com/ioemail/ioemail/email"
)

// Machine is a step machine that makes requests of type Req, is answered with
// replies of type In, and ends with an Out.
//
// Resume advances the machine with the reply to its previous request (the
// zero In on the first call) and returns the next request with done false,
// or the zero Req with done true when the machine has finished. Resuming a
// finished machine returns done again and leaves its result unchanged.
//
// Result returns the outcome; it is only meaningful once Resume has reported
// done. Before that it returns ErrNotDone.
type Machine[In, Req, Out any] interface {
	// Resume advances the machine with in, the reply to its last request
	// (the zero In on the first call), as the type documents.
	Resume(in In) (req Req, done bool)
	// Result returns the outcome once Resume has reported done.
	Result() (Out, error)
}

// NetMachine is a machine speaking the network vocabulary.
type NetMachine[Out any] = Machine[NetReply, NetRequest, Out]

// FileMachine is a machine speaking the file vocabulary: it asks for batches
// of independent file requests and is answered with their results, index by
// index.
type FileMachine[Out any] = Machine[[]FileResult, []FileRequest, Out]

// ErrNotDone is returned by Result before the machine has finished.
var ErrNotDone = errors.New("coroutine: machine has not finished")

// ErrResumedAfterDone is the error of a machine resumed after it finished;
// it matches email.ErrMachineDone.
var ErrResumedAfterDone = fmt.Errorf("coroutine: %w", email.ErrMachineDone)

// ErrTooManySteps is returned by Run when a machine exceeds the step budget.
var ErrTooManySteps = errors.New("coroutine: step budget exhausted")

// MaxSteps bounds the number of resumes Run performs, so that a machine
// caught in a loop by a hostile peer cannot spin forever.
const MaxSteps = 1 << 26

// Run drives m to completion, performing each request with do and resuming
// with its reply, then returns m's result. It stops with ErrTooManySteps
// after MaxSteps resumes.
func Run[In, Req, Out any](m Machine[In, Req, Out], do func(Req) In) (Out, error) {
	var in In
	for range MaxSteps {
		req, done := m.Resume(in)
		if done {
			return m.Result()
		}
		in = do(req)
	}
	var zero Out
	return zero, ErrTooManySteps
}
