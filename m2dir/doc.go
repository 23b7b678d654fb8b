// Package m2dir reads and writes mail stored in the m2dir layout
// (https://man.sr.ht/~bitfehler/m2dir/, a draft), with one I/O-free step
// machine per operation.
//
// # Layout
//
// An m2store is a root directory holding an empty marker file ".m2store" and
// any number of folders. A folder (an m2dir) is a directory holding a marker
// file ".m2dir", a ".meta" directory for per-message metadata, and the
// messages themselves as files named "<human part>,<id>". Folders nest as
// plain directories: the mailbox "INBOX/Lists" lives in "<root>/INBOX/Lists".
// Every name starting with "." is ignored by readers (markers, ".meta",
// temporary files, folders being deleted).
//
// Mailbox names use "/" as the hierarchy separator. As the spec asks of a
// store that mirrors IMAP, INBOX is the folder "<root>/INBOX" (the name is
// case-insensitive, RFC 3501 section 5.1); the root itself is never a
// mailbox and messages placed there are not listed. Mailbox ids are the
// names. io-m2dir also percent-encodes non-ASCII bytes ("Entw%C3%BCrfe"
// where this package writes "Entwürfe"): such a folder is listed under its
// decoded name, and an operation on a name with non-ASCII characters first
// stats both spellings' markers and uses the one that exists (ours when
// both or neither do). Each name component is
// written to disk percent-encoded as the storage-formats notes recommend:
// "%", "\", control bytes and a leading "." become "%XX"; other UTF-8 is kept
// verbatim. Reading decodes any "%XX".
//
// # Messages, ids and flags
//
// A message id is "<checksum>.<nonce>": the checksum is 16 base64url
// characters of 12 bytes (the message length as a little-endian uint32,
// then the little-endian FNV-1a-64 hash of those 4 bytes followed by the
// message), see Checksum. Writers here use a 6-byte random nonce (8
// base64url characters) drawn from the store's injected entropy; readers
// accept every nonce form seen in the wild: 4-character (vomit-m2dir),
// 8-character padded (io-m2dir), ".1" counters of older spec revisions, and
// no nonce at all. File names never change: flags live in
// ".meta/<id>.flags", one per line (see ParseFlagsFile, FormatFlagsFile).
//
// # Machines
//
// Every operation is a coroutine.FileMachine built from a Store value:
// ListMailboxes, CreateMailbox, DeleteMailbox, ListEnvelopes, GetMessage,
// AddMessage, CopyMessages, MoveMessages, DeleteMessages and StoreFlags;
// and, for change tracking, DiffEnvelopes and DiffMailboxes (with opaque,
// compact states) and WatchMailbox (one wake of a watch per machine).
// They ask for batches of independent file requests and never touch the
// file system, the clock or randomness themselves; client.M2dirClient drives
// them on the real file system.
//
// Errors are *email.OpError values (backend "m2dir") around errors that
// match the email sentinels: email.ErrNotFound, ErrInvalidName,
// ErrInvalidID, ErrExists, ErrRefused, ErrTooLarge, ErrInvalidArgument;
// and ErrChecksum (a *ChecksumError) for a message whose content does not
// match its id, a *FlagsFileError for a flags file holding garbage.
//
// Writes are crash-safe: new files are written under a dot-temp name with
// an exclusive, synced create and published by a no-clobber rename; flag
// sidecars are replaced by rename; a message is removed before its metadata
// and a moved message's flags reach the target before the message does, so
// a crash never leaves a message without its flags.
package m2dir
