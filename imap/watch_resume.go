package imap

import (
	"maps"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/email"
)

// WatchState is what a watch knows of its mailbox at a checkpoint: the
// UIDVALIDITY, the HIGHESTMODSEQ of its last SELECT, and the UID and flags
// of every message, as of a moment when every event up to it had been
// handed out. It is opaque; a driver keeps the last one
// (WatchOptions.Checkpoint) and hands it to the next watch of the same
// mailbox (WatchOptions.Resume), for example after a reconnect.
type WatchState struct {
	validity uint32
	modSeq   uint64
	flags    map[imap.UID]email.Flags
}

// Len returns the number of messages the state knows.
func (st *WatchState) Len() int { return len(st.flags) }

// checkpoint returns a copy of the watch's state.
func (w *watch) checkpoint() *WatchState {
	return &WatchState{validity: w.validity, modSeq: w.modSeq, flags: maps.Clone(w.shadow)}
}

// resume seeds the watch with st: its first SELECT is compared with st,
// so it reports what changed since then (with QRESYNC, only what changed
// since st's mod-sequence); a new UIDVALIDITY gives MailboxReset.
func (w *watch) resume(st *WatchState) {
	if st == nil {
		return
	}
	w.seeded, w.validity, w.modSeq = true, st.validity, st.modSeq
	w.shadow = maps.Clone(st.flags)
	if w.shadow == nil {
		w.shadow = map[imap.UID]email.Flags{}
	}
}
