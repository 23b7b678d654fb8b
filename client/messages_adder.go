package client

import (
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
