package client

import (
	"context"
	"sync"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Loop drives network machines on many connections from one goroutine:
// the one that calls Run. Every Resume of every machine, and every
// callback, runs there, so the state the callbacks share needs no lock.
//
// The I/O itself is done by one small goroutine per running machine, which
// performs the machine's requests with NetConn.Do and hands each reply
// back to the loop over a channel. That is the Go way: the net package
// offers no portable readiness interface (no select/epoll/kqueue over
// net.Conn, and crypto/tls needs a blocking Read), while a goroutine
// parked in a Read sits in the runtime's own poller (epoll, kqueue, IOCP)
// for the cost of its stack, a few kilobytes. examples/eventloop measures
// what a connection costs in all.
//
// A Loop is not safe for concurrent use, except Post: call Drive before
// Run or from the callbacks Run makes.
type Loop struct {
	replies chan *loopJob
	active  int

	mu    sync.Mutex
	posts []func()
	kick  chan struct{}

	// conns holds the connection of each running machine, to wake them
	// when Run's context ends.
	conns map[*loopJob]*NetConn
	// ctx is Run's context, under which the I/O is done.
	ctx context.Context
}

// NewLoop returns an empty loop.
func NewLoop() *Loop {
	return &Loop{replies: make(chan *loopJob), kick: make(chan struct{}, 1), conns: map[*loopJob]*NetConn{}}
}

// loopJob is one machine running on one connection.
type loopJob struct {
	conn    *NetConn
	resume  func(coroutine.NetReply) (coroutine.NetRequest, bool)
	event   func(email.WatchEvent) error
	finish  func(err error) // reports the result, or err
	reqs    chan coroutine.NetRequest
	reply   coroutine.NetReply
	started bool
	// body is the operation's body stream, for NetSink and NetSource
	// requests; chunk is the buffer its source is read into.
	body  Body
	chunk []byte
	// bodyReq is set while the request in flight is a body request,
	// whose errors are the machine's to handle.
	bodyReq bool
}

// Drive adds machine m, running on c, to l. The events m yields go to
// onEvent (nil drops them); an error from onEvent ends m with that error.
// When m finishes, done gets its result (done may be nil). A request that
// fails (a broken connection, the end of Run's context) ends m with that
// error, without resuming it. Both callbacks run on the loop goroutine and
// may call Drive, for example to run the next operation on c. At most one
// machine may run on a connection at a time.
func Drive[R any](l *Loop, c *NetConn, m coroutine.NetMachine[R], onEvent func(email.WatchEvent) error, done func(R, error)) {
	DriveBody(l, c, m, onEvent, Body{}, done)
}

// DriveBody is Drive for a machine with a body stream (see "Streaming
// bodies" in package coroutine), as RunNetBody is RunNet's: its NetSink
// requests write to body.Sink and its NetSource requests read
// body.Source, so that a message streams to or from the connection
// without being held. Those calls are made on m's I/O goroutine, like the
// connection's reads and writes (a slow source never stalls the loop), one
// at a time and in the machine's order; their errors go back to m, which
// decides what they mean, instead of ending it.
func DriveBody[R any](l *Loop, c *NetConn, m coroutine.NetMachine[R], onEvent func(email.WatchEvent) error, body Body, done func(R, error)) {
	j := &loopJob{conn: c, resume: m.Resume, event: onEvent, reqs: make(chan coroutine.NetRequest, 1), body: body}
	j.finish = func(err error) {
		if done == nil {
			return
		}
		if err != nil {
			var zero R
			done(zero, err)
			return
		}
		done(m.Result())
	}
	l.active++
	l.conns[j] = c
	l.Post(func() { l.advance(j) })
}

// Post arranges for fn to run on the loop goroutine, soon: a timer or
// another goroutine uses it to act on the machines (to stop a watch, say).
// It is safe for concurrent use. A Run that ends before fn has run leaves
// it for the next Run.
func (l *Loop) Post(fn func()) {
	l.mu.Lock()
	l.posts = append(l.posts, fn)
	l.mu.Unlock()
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Active returns the number of machines running (or waiting to start).
func (l *Loop) Active() int { return l.active }

// Run drives the machines until none is left, and returns nil. When ctx
// ends first, it interrupts the I/O of every machine, each ends with
// ctx's error (reported to its done), and Run returns ctx's error.
func (l *Loop) Run(ctx context.Context) error {
	l.ctx = ctx
	cancelled := false
	for {
		l.runPosts()
		if l.active == 0 {
			if cancelled {
				return ctx.Err()
			}
			return nil
		}
		var done <-chan struct{}
		if !cancelled {
			done = ctx.Done()
		}
		select {
		case j := <-l.replies:
			if j.reply.Err != nil && !j.bodyReq {
				l.end(j, j.reply.Err)
				continue
			}
			l.advance(j)
		case <-l.kick:
		case <-done:
			cancelled = true
			for _, c := range l.conns {
				c.conn.SetDeadline(time.Unix(1, 0))
			}
		}
	}
}

func (l *Loop) runPosts() {
	for {
		l.mu.Lock()
		posts := l.posts
		l.posts = nil
		l.mu.Unlock()
		if len(posts) == 0 {
			return
		}
		for _, fn := range posts {
			fn()
		}
	}
}

// advance resumes j until it asks for I/O (handed to its goroutine) or
// finishes.
func (l *Loop) advance(j *loopJob) {
	for range coroutine.MaxSteps {
		req, done := j.resume(j.reply)
		j.reply = coroutine.NetReply{}
		if done {
			l.end(j, nil)
			return
		}
		if req.Op == coroutine.NetEvent {
			if j.event != nil && req.Event != nil {
				if err := j.event(*req.Event); err != nil {
					l.end(j, err)
					return
				}
			}
			continue
		}
		if !j.started {
			j.started = true
			go l.serve(j)
		}
		j.bodyReq = req.Op == coroutine.NetSink || req.Op == coroutine.NetSource
		j.reqs <- req
		return
	}
	l.end(j, coroutine.ErrTooManySteps)
}

// serve is j's I/O goroutine: it performs each request and hands the
// reply back to the loop.
func (l *Loop) serve(j *loopJob) {
	for req := range j.reqs {
		if j.bodyReq {
			j.reply = doBodyNet(req, j.body, &j.chunk)
		} else {
			j.reply = j.conn.Do(l.ctx, req)
		}
		l.replies <- j
	}
}

func (l *Loop) end(j *loopJob, err error) {
	if j.started {
		close(j.reqs)
	}
	delete(l.conns, j)
	l.active--
	j.finish(err)
}
