// Package maildir is the Maildir backend: step machines that read and
// write a tree of maildirs (D. J. Bernstein's format, with the Maildir++
// folder layout of Courier and Dovecot, or nested "fs" folders) without
// doing any I/O themselves.
//
// A Store describes the tree. Each operation is a method returning a
// coroutine.FileMachine that asks for batches of file requests (list a
// directory, read the head of a file, create a file exclusively and sync
// it, link, rename without replacing, remove, make a directory, sync a
// directory, ask whether a lock's owner still runs) and is resumed with
// their results. The client package runs
// them on the real file system; tests and users' harnesses can answer them
// from a script (coroutine.ReplayFiles). Requests of one batch are
// independent, so a driver may run them in parallel.
//
// # Ids and names
//
// A message's id is its unique key: the file name up to the first
// separator (':' by default, ';' on request), so "1700000000.R1a2bM5P7Q1.host,S=42"
// for the file "1700000000.R1a2bM5P7Q1.host,S=42:2,FS". Ids are matched
// exactly, never as prefixes. Ids change when a message is copied or moved
// (new unique names), never when its flags change.
//
// Mailbox names are "/"-separated UTF-8; "INBOX" (any case) is the root
// maildir. Mailbox.ID from ListMailboxes is that same name and is accepted
// by every other operation. Names are stored as they are (UTF-8, no
// modified UTF-7: Dovecot's default mUTF-7 directory names show up in
// their encoded form). Children of INBOX ("INBOX/x") are refused in both
// layouts: Maildir++ has no agreed spelling for them (mbsync writes "..x",
// which other readers take for an empty level), so use the top-level "x",
// which IMAP servers on Maildir++ present as INBOX.x. In the fs layout
// only the exact names cur, new and tmp are refused (New, Tmp and
// Archive/Tmp are ordinary folders). A folder another program made is
// listed and usable even where CreateMailbox would refuse its name; see
// Store.ValidateName for the rules and Store.ListMailboxes for the few
// directories no name can stand for.
//
// # Flags
//
// The info "2,<letters>" carries the flags: D draft, F flagged, P passed
// (email.Forwarded), R replied (email.Answered), S seen, T trashed
// (email.Deleted), always written in ASCII order. Every other flag (the
// other IANA keywords such as $Junk, and custom keywords) is a Dovecot
// keyword letter a-z, mapped by the folder's dovecot-keywords file.
// $Forwarded is written both ways, as P (which mblaze and mbsync read) and
// as its keyword letter (Dovecot ignores P), and either alone reads as the
// flag; removing it clears both. A dovecot-keywords line whose name is not
// an IMAP atom (a control character, a space, one of ( ) { % * " \ ]) is
// kept aside: it is no flag, it is written back unchanged, and its letter
// is never given to another keyword. Bytes this package does not
// understand, and a Dovecot ",<extra>" tail, are kept when flags change.
// Only the info is read for flags: fields of the key such as ",S=<size>"
// never are.
//
// # Writing safely
//
// New messages are written to tmp/ with an exclusive create and a sync,
// then published into cur/ by a hard link that never replaces a file (or,
// where hard links are refused, a rename that never replaces one), then
// the tmp/ name is removed and cur/ is synced. A crash leaves at worst a
// complete file in tmp/, never a partial message in cur/ or new/. Unique
// names hold 64 random bits from the Store's Entropy besides the time, pid
// and escaped host name. Store.AddMessages does the same for a batch with
// one sync of cur/: every tmp/ file is written and synced, then each is
// published by a rename that never replaces a file, then cur/ is synced
// once before the ids are returned. Moves are single renames that never
// replace a file. Listing never moves, renames or opens anything but the files it
// reads.
//
// # Concurrency
//
// Several processes may use one tree at once: deliveries never clash,
// listings tolerate files renamed or removed under them (scanning new/
// before cur/, detecting directory changes, and locating a vanished file
// again once), and operations that rename a message locate it again when
// another process renamed it first. An operation that writes keyword
// letters takes dovecot-uidlist.lock, as Dovecot does, before it reads and
// extends dovecot-keywords and keeps it until its message files are in
// place. The lock holds Store.LockOwner, "<pid>:<host>", as Dovecot's
// dotlocks do, and appears with it whole (written to tmp/, then renamed
// to the lock without replacing one), so each understands the other's: a lock naming a process of
// this host that no longer runs (the driver answers a
// coroutine.FileOwnerAlive request) is taken at once, a lock of a live
// process of this host is respected however old, and any other lock (an
// empty one, another host's, one naming this very process) is taken as
// stale once it is two minutes old by the Store's clock. While the lock is
// held and not stale the operation waits, up to ten seconds, then fails
// with ErrLocked. As in every Maildir implementation, two concurrent flag
// changes of one message may lose one of them (the last rename wins).
package maildir
