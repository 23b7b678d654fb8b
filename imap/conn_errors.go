package imap

import "github.com/ioemail/ioemail/imap/internal/wire"

// ErrTruncated is matched when the server closed the stream in the
// middle of a response (the connection failed, or the server cut its
// answer short); it also matches email.ErrProtocol.
var ErrTruncated = wire.ErrTruncated
