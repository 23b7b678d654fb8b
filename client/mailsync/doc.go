// Package mailsync makes two mail stores equal, both ways: any two
// client.Storage (IMAP with Maildir, JMAP with Maildir, IMAP with IMAP,
// Maildir with m2dir), over the mailboxes a caller selects.
//
//	e, err := mailsync.New(imapClient, maildirClient, "pair.state", mailsync.Options{})
//	sum, err := e.Once(ctx)      // one sync
//	err = e.Run(ctx, report)     // sync, then watch and sync on every change
//
// # How a run works
//
// A run lists the mailboxes of both sides and, for each selected mailbox,
// what changed since the last run: DiffEnvelopes where the store has it
// (CONDSTORE/QRESYNC on IMAP, */changes on JMAP, the compact states of
// Maildir and m2dir), a full listing otherwise. With nothing changed a
// run costs one listing of mailboxes and one diff per mailbox and side,
// whatever the mailbox sizes. From the saved state and what each side
// holds now, a pure planner ([MakePlan], no I/O) decides what to do; the
// engine does it (flags, moves, copies, deletions, mailboxes) and saves the
// state. Bodies are streamed from one store into the other (a batch fetch
// where the store offers one), keeping each message's received time. A
// target that stores many messages at once (client.MessagesAdder: a
// Maildir) gets them in batches of up to 64 messages or 4 MiB, each made
// durable together (one directory sync a batch), while the next batch is
// fetched.
//
// # The rules
//
// Messages are identified across the sides by their Message-ID and size
// (a message without a Message-ID by its size, Date and Subject). A
// message is known in sync ("paired") once a run has seen or made it on
// both sides.
//
//   - New messages: a message on one side that is not paired is copied to
//     the other, with its flags and received time. A message that is on
//     both sides already (the same Message-ID, preferring the same size)
//     is paired, not copied: a first sync of two stores that hold the same
//     mail, for example after mbsync, copies nothing.
//   - Flags are merged flag by flag against the flags each side had when
//     last in sync: a flag added on one side and untouched on the other is
//     added; a removal likewise; a flag neither side changed is left as it
//     is on each side (so a flag one store cannot keep does not undo the
//     other's). When both sides changed the same flag differently, the
//     side Options.FlagConflict (A by default) wins; Summary.Conflicts
//     counts these. A newly paired message gets the union of its flags.
//   - Deletions: a paired message deleted on one side is deleted on the
//     other, or moved to Options.Trash there when set (except from the
//     trash mailbox itself).
//   - Moves: a paired message that vanished from one mailbox and appeared
//     in another mailbox of the same side (same Message-ID and size) is
//     moved likewise on the other side (MoveMessages), not copied and
//     deleted. When both sides moved it to different mailboxes, the
//     FlagConflict side's destination wins. A message moved to a mailbox
//     that is not synced is a deletion.
//   - Folders: a mailbox new on one side is created on the other. A
//     mailbox deleted on one side is deleted on the other, its messages
//     first (to the trash when set), unless the other side holds messages
//     that arrived since the last run, or it is the inbox: then it is made
//     again on the side that deleted it, with everything. A renamed
//     mailbox is a new mailbox, moves, and a deleted mailbox, so its
//     messages are moved, not copied again.
//   - Identity changes: when a store's ids change (an IMAP UIDVALIDITY
//     change, a Maildir file renamed by another program), the pairs are
//     found again by Message-ID and size, without copying or deleting
//     anything that is still there; after a UIDVALIDITY change (the
//     store's diff asks for a full list) the mailbox's flags are merged as
//     for new pairs (the union), and a message found again under a new id
//     likewise.
//   - Options.MaxSize: larger messages are left out, counted in
//     Summary.Skipped at every run.
//   - Options.DryRun: the run plans and counts, and changes nothing, the
//     state file included.
//   - Options.Direction AToB (BToA likewise): A's new messages, flag
//     changes, deletions, moves and folders are made on B; nothing is
//     made on A. B's own messages are left alone, B's flag changes are
//     kept unless A changes the same flag, and a message deleted on B is
//     not copied again.
//   - Mailboxes: Options.Mailboxes and Options.Exclude are patterns on A's
//     names (see [Match]); Options.Names maps A's names to B's
//     ([DefaultNames], [PrefixMap]).
//
// # State and crashes
//
// The state of a pair (the pairs with their flags when last in sync, each
// side's diff state and view) is one file of tab-separated text lines,
// versioned (version 2; a version-1 JSON file is read and written again in
// version 2 by the next run), written to a temporary file in the same
// directory, synced, renamed over the old one, and the directory synced.
// A file that cannot be read (damaged, truncated, of an unknown version)
// fails the run with ErrCorruptState rather than starting afresh.
//
// A run killed at any point and run again neither loses nor duplicates a
// message. Before each batch of uploads the state records them as intended
// (and an upload's id only once the store said it is durable: for a
// MessagesAdder, once its whole batch is);
// an upload that went through is found again by the id the store returned
// (when recorded) or by Message-ID and size in the target mailbox, and is
// not sent twice. Everything else a run does is found again the same way:
// a deletion made but not recorded leaves the message gone from both sides
// (the pair is dropped), a move made but not recorded leaves it new on
// both sides in the destination (paired, not copied), a flag change made
// leaves both sides agreeing.
//
// After changing flags on a side, the engine takes what the side reports
// in one closing diff as that side's flags in sync (a store may refuse a
// keyword); a flag changed by someone else in that instant is taken as
// the engine's own and not propagated.
//
// # Continuous mode
//
// [Engine.Run] syncs, then watches both sides (client.Watcher on the synced
// mailboxes, or on Options.Watch, Options.WatchMailboxes) and syncs again
// when a burst of changes has been quiet for Options.Quiet, and at least
// every Options.PollInterval, which also finds new folders and the changes
// of mailboxes not watched.
package mailsync
