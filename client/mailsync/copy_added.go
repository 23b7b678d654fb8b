package mailsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// The batches of a target that stores many messages at once
// (client.MessagesAdder): bodies are read into memory while the batch
// before them is being written, and each batch is made durable at once.
// The first batch holds one message and each next one twice as many, up
// to addBatchMax messages or addBatchBytes bytes, so that a run shows
// progress (and a run that stops early loses little work) from the start.
// A message announced larger than addBufferMax, or found larger while
// read, is streamed with AddMessage instead.
const (
	addBatchMax   = 64
	addBatchBytes = 4 << 20
	addBufferMax  = 1 << 20
)

// pendingAdd is one message read for a batch: copy k of the box.
type pendingAdd struct {
	k   int
	msg client.NewMessage
}

// copyFuncs are copyBatch's helpers for copyAdded.
type copyFuncs struct {
	// isDone says whether copy k is made.
	isDone func(k int) bool
	// one stores copy k from a stream (AddMessage) and records it.
	one func(k int, body io.Reader) error
	// record takes copy k as made, under the id nid, with size bytes.
	record func(k int, nid string, size int64)
	// snapshot returns the checkpoint state of the run now.
	snapshot func() *state
}

// copyAdded copies b.Copies[s][start:end] of box i into ad in batches: a
// goroutine writes one batch while the next is read from the other side.
// A batch is recorded only once AddMessages has returned, when it is
// durable, and every checkpointEvery copies recorded the writer saves a
// checkpoint, so that a run stopped later finds them by id.
func (r *run) copyAdded(ctx context.Context, i int, s Side, start, end int, ad client.MessagesAdder, f copyFuncs) error {
	b := &r.plan.Boxes[i]
	o := s.Other()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []pendingAdd)
	var werr error
	written := make(chan struct{})
	go func() {
		defer close(written)
		unsaved := 0
		for batch := range batches {
			if werr != nil {
				continue
			}
			msgs := make([]client.NewMessage, len(batch))
			for j, p := range batch {
				msgs[j] = p.msg
			}
			ids, err := ad.AddMessages(ctx, b.Name[s], msgs)
			if err == nil && len(ids) != len(msgs) {
				err = fmt.Errorf("%d ids for %d messages: %w", len(ids), len(msgs), email.ErrUnexpectedReply)
			}
			if err != nil {
				werr = fmt.Errorf("mailsync: copy %d messages of %s from %s to %s: %w", len(msgs), b.Name[o], o, s, err)
				cancel()
				continue
			}
			for j, p := range batch {
				f.record(p.k, ids[j], int64(len(p.msg.Raw)))
			}
			if unsaved += len(batch); unsaved >= checkpointEvery {
				unsaved = 0
				if err := r.e.save(f.snapshot()); err != nil {
					werr = err
					cancel()
				}
			}
		}
	}()

	ids, byID := copySources(b, s, start, end)
	var cur []pendingAdd
	curBytes, limit := 0, 1
	send := func() error {
		select {
		case batches <- cur:
		case <-ctx.Done():
			return ctx.Err()
		}
		cur, curBytes, limit = nil, 0, min(2*limit, addBatchMax)
		return nil
	}
	ferr := fetchEach(ctx, r.e.st[o], b.Name[o], ids, func(id string, body io.Reader) error {
		k, ok := byID[id]
		if !ok || f.isDone(k) {
			return nil
		}
		c := b.Copies[s][k]
		if c.From.Size > addBufferMax {
			return f.one(k, body)
		}
		buf := bytes.NewBuffer(make([]byte, 0, max(c.From.Size, 0)+bytes.MinRead))
		_, err := buf.ReadFrom(io.LimitReader(body, addBufferMax+1))
		raw := buf.Bytes()
		if err != nil {
			return fmt.Errorf("mailsync: copy %s/%s from %s: %w", b.Name[o], c.From.ID, o, err)
		}
		if len(raw) > addBufferMax {
			return f.one(k, io.MultiReader(bytes.NewReader(raw), body))
		}
		cur = append(cur, pendingAdd{k: k, msg: client.NewMessage{Raw: raw, Flags: email.Flags(c.From.Flags), Received: c.From.receivedTime()}})
		curBytes += len(raw)
		if len(cur) >= limit || curBytes >= addBatchBytes {
			return send()
		}
		return nil
	})
	if ferr == nil && len(cur) > 0 {
		ferr = send()
	}
	close(batches)
	<-written
	if werr != nil && (ferr == nil || errors.Is(ferr, context.Canceled)) {
		return werr
	}
	return ferr
}

// copySources returns the source ids of the copies start..end of side s of
// b, in order, and the index of each copy by its source id.
func copySources(b *BoxPlan, s Side, start, end int) ([]string, map[string]int) {
	byID := make(map[string]int, end-start)
	ids := make([]string, 0, end-start)
	for k := start; k < end; k++ {
		id := b.Copies[s][k].From.ID
		byID[id] = k
		ids = append(ids, id)
	}
	return ids, byID
}
