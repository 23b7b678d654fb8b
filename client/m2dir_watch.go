package client

import (
	"context"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

// DiffEnvelopes reports what changed in a folder since state (nil for a
// baseline); see m2dir.Store.DiffEnvelopes.
func (m *M2dirClient) DiffEnvelopes(ctx context.Context, mailbox string, state email.State) (email.EnvelopeDiff, error) {
	return RunFiles(ctx, m.files, m.store.DiffEnvelopes(mailbox, state))
}

// DiffMailboxes reports which folders were created, deleted or changed
// since state; see m2dir.Store.DiffMailboxes.
func (m *M2dirClient) DiffMailboxes(ctx context.Context, state email.State) (email.MailboxDiff, error) {
	return RunFiles(ctx, m.files, m.store.DiffMailboxes(state))
}

// WatchMailbox blocks, calling fn with every change of the folder, until
// ctx is done (it then returns nil), fn returns an error, or the folder
// cannot be read. The folder and its .meta are watched with fsnotify;
// bursts of changes are debounced (75 ms of quiet, 500 ms at most) and the
// folder is rescanned at least every 30 seconds. Events: EnvelopeAdded
// with the whole envelope, EnvelopeRemoved, FlagsAdded and FlagsRemoved
// with only the flags that changed; see m2dir.Store.WatchMailbox.
func (m *M2dirClient) WatchMailbox(ctx context.Context, mailbox string, fn func(email.WatchEvent) error) error {
	dir, err := m.store.FolderPath(mailbox)
	if err != nil {
		return &email.OpError{Backend: "m2dir", Op: "watch_mailbox", Err: err}
	}
	return runWatch(ctx, "m2dir", m.files, []string{dir, dir + "/" + m2dir.MetaDir},
		func(prev *m2dir.WatchState) coroutine.FileMachine[m2dir.WatchResult] {
			return m.store.WatchMailbox(mailbox, prev, watchPoll)
		},
		func(r m2dir.WatchResult) (*m2dir.WatchState, []email.WatchEvent) { return r.State, r.Events },
		fn)
}

var (
	_ EnvelopeDiffer = (*M2dirClient)(nil)
	_ MailboxDiffer  = (*M2dirClient)(nil)
	_ Watcher        = (*M2dirClient)(nil)
)
