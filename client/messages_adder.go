package client

import (
	"bytes"
	"context"
	"time"

	"github.com/ioemail/ioemail/email"
)

// NewMessage is one message of a MessagesAdder batch.
type NewMessage struct {
	// Raw is the whole message.
	Raw []byte
	// Flags are the flags to store it with.
	Flags email.Flags
	// Received, when not zero, is its received time, as email.WithReceived
	// sets it for AddMessage.
	Received time.Time
}

// MessagesAdder is a Storage that stores many messages of one mailbox in
// one go, making them durable together rather than one by one.
type MessagesAdder interface {
	// AddMessages stores msgs in mailbox, each as AddMessage stores one
	// (its flags, its received time), and returns their ids in the order
	// of msgs. When it returns without an error every message of the batch
	// is durable: a crash afterwards loses none. On an error no id is
	// returned; some messages of the batch may have been stored anyway
	// (as after an AddMessage whose answer was lost), so a caller that
	// must not duplicate them looks for them by their content.
	AddMessages(ctx context.Context, mailbox string, msgs []NewMessage) ([]string, error)
}

// AddMessages stores msgs in mailbox on the storage backend of highest
// priority and returns their ids in the order of msgs. A backend that is a
// MessagesAdder (Maildir) stores the batch in one go, durable together;
// any other gets one AddMessage per message, in order, each durable as its
// AddMessage makes it. On an error, the ids of the messages stored before
// it are returned with it in the one-by-one case, none in the batch case
// (see MessagesAdder for what a failed batch may have stored).
func (c *Client) AddMessages(ctx context.Context, mailbox string, msgs []NewMessage) ([]string, error) {
	s, err := c.store()
	if err != nil {
		return nil, err
	}
	if a, ok := s.(MessagesAdder); ok {
		return a.AddMessages(ctx, mailbox, msgs)
	}
	ids := make([]string, 0, len(msgs))
	for _, m := range msgs {
		var opts []email.AddOption
		if !m.Received.IsZero() {
			opts = append(opts, email.WithReceived(m.Received))
		}
		id, err := s.AddMessage(ctx, mailbox, bytes.NewReader(m.Raw), m.Flags, opts...)
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
