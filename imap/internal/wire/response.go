package wire

import (
	"github.com/emersion/go-imap/v2"
)

// Kind says what a Response holds.
type Kind uint8

// The response kinds.
const (
	KindOther        Kind = iota // an untagged response this package does not decode; Name is set
	KindContinuation             // "+ text": Text is set
	KindStatus                   // tagged or untagged OK, NO, BAD, BYE, PREAUTH: Status is set
	KindCapability               // CAPABILITY: Caps
	KindList                     // LIST or LSUB: List
	KindStatusData               // STATUS: StatusData
	KindFlags                    // FLAGS: Flags
	KindSearch                   // SEARCH: Nums (and ModSeq)
	KindSort                     // SORT: Nums
	KindESearch                  // ESEARCH: ESearch
	KindEnabled                  // ENABLED: Caps
	KindID                       // ID: ID
	KindExists                   // n EXISTS: Num
	KindRecent                   // n RECENT: Num
	KindExpunge                  // n EXPUNGE: Num
	KindFetch                    // n FETCH: Fetch
	KindVanished                 // VANISHED: Vanished
)

// Response is one decoded server response. Byte slices in it (Text,
// BodySection.Data) alias the Reader's buffer and are valid until the next
// Feed; strings are copies.
type Response struct {
	Kind Kind
	// Tag is the tag of a tagged status response, "" when untagged.
	Tag string
	// Name is the response keyword of a KindOther response, upper case.
	Name string
	// Text is the text of a continuation request.
	Text []byte

	Status     *Status
	Caps       []imap.Cap
	List       *imap.ListData
	StatusData *imap.StatusData
	Flags      []imap.Flag
	Nums       []uint32
	ModSeq     uint64 // SEARCH (MODSEQ n) per RFC 7162
	ESearch    *ESearch
	ID         map[string]string
	Num        uint32
	Fetch      *Fetch
	Vanished   *Vanished
}

// StatusType is the condition of a status response.
type StatusType string

// The status conditions of RFC 3501 section 7.1.
const (
	OK      StatusType = "OK"
	NO      StatusType = "NO"
	BAD     StatusType = "BAD"
	BYE     StatusType = "BYE"
	PREAUTH StatusType = "PREAUTH"
)

// Status is a status response and its response code (RFC 3501 section
// 7.1, RFC 4315, RFC 7162).
type Status struct {
	Type StatusType
	// Code is the response code atom, upper case ("" when none).
	Code imap.ResponseCode
	// Text is the human-readable text.
	Text string

	// Decoded code arguments, set according to Code.
	Caps           []imap.Cap     // CAPABILITY
	PermanentFlags []imap.Flag    // PERMANENTFLAGS
	UIDValidity    uint32         // UIDVALIDITY, APPENDUID, COPYUID
	UIDNext        imap.UID       // UIDNEXT
	HighestModSeq  uint64         // HIGHESTMODSEQ
	Unseen         uint32         // UNSEEN
	AppendUID      imap.UID       // APPENDUID (first UID when several)
	AppendUIDs     imap.UIDSet    // APPENDUID (MULTIAPPEND)
	Copy           *imap.CopyData // COPYUID
	Modified       imap.UIDSet    // MODIFIED (RFC 7162 section 3.1.3)
	Arg            string         // the raw argument text of any other code

	// BadCode is the response code whose argument did not parse (Code is
	// then ""), and CodeErr the syntax error.
	BadCode imap.ResponseCode
	CodeErr error
}

// ESearch is an ESEARCH response (RFC 4731, RFC 9051 section 7.3.4).
type ESearch struct {
	Tag    string
	UID    bool
	Min    uint32
	Max    uint32
	Count  *uint32
	All    imap.UIDSet // for UID searches; sequence numbers otherwise, as UIDs
	ModSeq uint64
}

// Vanished is a VANISHED response (RFC 7162 section 3.2.10).
type Vanished struct {
	Earlier bool
	UIDs    imap.UIDSet
}

// BodySection is one BODY[...] or BINARY[...] item of a FETCH response.
type BodySection struct {
	// Section is the section specifier as sent, upper case, without the
	// brackets ("" for the whole message, "HEADER", "1.2.MIME", ...).
	Section string
	// Partial is the origin octet of a partial fetch, -1 when absent.
	Partial int64
	// Data is the content, nil for NIL. It aliases the reader's buffer.
	Data []byte
	// Binary marks a BINARY[] item.
	Binary bool
}

// Fetch is the message data of one FETCH response. Items the server did
// not send are left zero; Has* fields say which were present.
type Fetch struct {
	Seq           uint32
	UID           imap.UID
	Flags         []imap.Flag
	HasFlags      bool
	Envelope      *imap.Envelope
	Size          int64
	HasSize       bool
	InternalDate  string // raw; see ParseDateTime
	ModSeq        uint64
	BodyStructure imap.BodyStructure
	Sections      []BodySection
	// Errs holds one error per item that could not be decoded; the other
	// items are still filled.
	Errs []error
}
