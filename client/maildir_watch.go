package client

import (
	"context"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// DiffEnvelopes reports what changed in a mailbox since state (nil for a
// baseline); see maildir.Store.DiffEnvelopes.
func (m *MaildirClient) DiffEnvelopes(ctx context.Context, mailbox string, state email.State) (email.EnvelopeDiff, error) {
	return runMaildir(ctx, m, "diff_envelopes", m.store.DiffEnvelopes(mailbox, state))
}

// DiffMailboxes reports which mailboxes were created, deleted or changed
// since state; see maildir.Store.DiffMailboxes.
func (m *MaildirClient) DiffMailboxes(ctx context.Context, state email.State) (email.MailboxDiff, error) {
	return runMaildir(ctx, m, "diff_mailboxes", m.store.DiffMailboxes(state))
}

// WatchMailbox blocks, calling fn with every change of the mailbox, until
// ctx is done (it then returns nil), fn returns an error, or the mailbox
// cannot be read. new/ and cur/ are watched with fsnotify; bursts of
// changes are debounced (75 ms of quiet, 500 ms at most) and the mailbox
// is rescanned at least every 30 seconds. A message moved between new/
// and cur/ or re-flagged by another program is reported as FlagsAdded or
// FlagsRemoved; see maildir.Store.WatchMailbox.
func (m *MaildirClient) WatchMailbox(ctx context.Context, mailbox string, fn func(email.WatchEvent) error) error {
	dir, err := m.store.Dir(mailbox)
	if err != nil {
		return &email.OpError{Backend: "maildir", Op: "watch_mailbox", Err: err}
	}
	return runWatch(ctx, "maildir", m.files, []string{dir + "/new", dir + "/cur"},
		func(prev *maildir.WatchState) coroutine.FileMachine[maildir.WatchResult] {
			return m.store.WatchMailbox(mailbox, prev, watchPoll)
		},
		func(r maildir.WatchResult) (*maildir.WatchState, []email.WatchEvent) { return r.State, r.Events },
		fn)
}

var (
	_ EnvelopeDiffer = (*MaildirClient)(nil)
	_ MailboxDiffer  = (*MaildirClient)(nil)
	_ Watcher        = (*MaildirClient)(nil)
)
