package imap

import (
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/imap/internal/wire"
)

// FetchError reports FETCH data the operation asked for that the server
// sent broken: an item that does not parse (an ENVELOPE, FLAGS,
// RFC822.SIZE...), or, in the answer to a UID FETCH, a message without
// its UID (RFC 3501 section 6.4.8 requires it). The operation fails with
// it rather than return a message with made-up empty fields or an empty
// page. errors.Is matches email.ErrProtocol.
type FetchError struct {
	// Seq is the message sequence number of the response.
	Seq uint32
	// UID is the message's UID, 0 when the response had none.
	UID imap.UID
	// Item names the broken item ("ENVELOPE"), "UID" when it was missing.
	Item string
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *FetchError) Error() string {
	who := fmt.Sprintf("message %d", e.Seq)
	if e.UID != 0 {
		who = fmt.Sprintf("message UID %d", e.UID)
	}
	return "imap: FETCH of " + who + ": " + e.Item + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *FetchError) Unwrap() error { return e.Err }

// hasItem reports whether f holds the item.
func hasItem(f *wire.Fetch, item string) bool {
	switch item {
	case "ENVELOPE":
		_, ok := envelopeHeaderData(f)
		return f.Envelope != nil || ok
	case "FLAGS":
		return f.HasFlags
	case "RFC822.SIZE":
		return f.HasSize
	case "BODY[]":
		return len(f.Sections) > 0
	}
	return true
}

var errNoUID = protoErr("no UID in the answer to UID FETCH")

// checkFetch returns a *FetchError when f lacks its UID while carrying
// one of the items asked for (a FETCH of flags alone is an unsolicited
// update and passes), or when one of the items asked for (by name, with
// "BODY[]" for any body section) did not parse. A broken ENVELOPE is no
// error when the response carries the envelope's raw header fields
// (envelopeHeaders), which toEnvelope prefers.
func checkFetch(f *wire.Fetch, items ...string) error {
	for _, e := range f.Errs {
		var ie *wire.ItemError
		if !errors.As(e, &ie) {
			continue
		}
		if ie.Item == "ENVELOPE" {
			if _, ok := envelopeHeaderData(f); ok {
				continue // the raw header fields give the envelope (toEnvelope)
			}
		}
		for _, it := range items {
			// A list broken between items fails only when it lost one
			// that was asked for.
			if ie.Item == it || ie.Item == "UID" || (ie.Item == "" && !hasItem(f, it)) {
				return &FetchError{Seq: f.Seq, UID: f.UID, Item: ie.Item, Err: ie.Err}
			}
		}
	}
	if f.UID == 0 && (f.Envelope != nil || f.HasSize || len(f.Sections) > 0 || len(f.Errs) > 0) {
		return &FetchError{Seq: f.Seq, Item: "UID", Err: errNoUID}
	}
	return nil
}
