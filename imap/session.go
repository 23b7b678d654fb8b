package imap

import (
	"strconv"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/imap/internal/wire"
)

// ConnState is the state of an IMAP connection (RFC 3501 section 3).
type ConnState uint8

// The connection states.
const (
	StateNotAuthenticated ConnState = iota
	StateAuthenticated
	StateSelected
	StateLogout
)

// Limits bound what a session buffers from the server. Zero fields take
// the defaults of the codec: 8 MiB for a line (MaxLine), 64 MiB for one
// literal, 256 MiB for one response. Message bodies that GetMessage and
// GetMessages stream are not buffered and not bound by them (their
// callers pass a size limit of their own). Handling a line costs a small multiple of its length whatever
// it holds: the read buffer doubles as a line arrives, and lists of tiny
// items keep at most 1024 capabilities or 4096 flags (the rest is parsed
// and dropped), so a 2.4 MB CAPABILITY line allocates about 4 times its
// size and keeps less than its size.
type Limits struct {
	// MaxLine bounds one line of a response, literals excluded (bytes).
	MaxLine int
	// MaxLiteral bounds one literal, such as a message body (bytes).
	MaxLiteral int64
	// MaxResponse bounds one whole response, its lines and literals
	// together (bytes).
	MaxResponse int64
}

// Session is the state of one IMAP connection that outlives single
// commands: the bytes read but not yet parsed, the tag counter, the
// capabilities, what was enabled, and the selected mailbox. Every machine
// of this package runs on a *Session; run one machine at a time per
// session.
//
// A Session does no I/O: the machines built on it ask their driver to read
// and write. Once a machine has failed in a way that leaves the stream out
// of step (a protocol violation, a closed connection), the session is
// broken and every later machine fails at once with the same error.
type Session struct {
	r    wire.Reader
	tagN uint64
	err  error

	// caps is the server's current capability list, the set the machines
	// consult (with go-imap's IMAP4rev2 implications); enabled is what
	// ENABLE turned on (RFC 5161). Callers read them with Capabilities,
	// HasCapability and EnabledCapabilities, and may hide one with
	// IgnoreCapability.
	caps    imap.CapSet
	enabled imap.CapSet
	// State is the connection state.
	State ConnState
	// Secure reports whether the link is encrypted (implicit TLS, or after
	// STARTTLS). Authentication on an insecure link is refused unless the
	// caller allows it.
	Secure bool

	sel         string // the selected mailbox as the caller named it
	readOnly    bool
	exists      uint32
	uidValidity uint32
	uidNext     imap.UID
	modSeq      uint64
	delim       rune // hierarchy delimiter learned from LIST, 0 when unknown
	// rawNames are wire names that did not decode, used as ids verbatim.
	rawNames map[string]bool
	// validity remembers the UIDVALIDITY last seen per mailbox, to refuse
	// stale ids.
	validity map[string]uint32
}

// NewSession returns the session of a fresh connection. secure says
// whether the link is already encrypted (implicit TLS).
func NewSession(secure bool, lim Limits) *Session {
	s := &Session{Secure: secure, caps: imap.CapSet{}, enabled: imap.CapSet{}, validity: map[string]uint32{}}
	s.r.MaxLine, s.r.MaxLiteral, s.r.MaxResponse = lim.MaxLine, lim.MaxLiteral, lim.MaxResponse
	return s
}

// Fail marks the session broken with err, for a driver that abandoned a
// machine half-way (a cancelled context): the stream is then out of step
// and every later machine fails with err.
func (s *Session) Fail(err error) {
	if s.err == nil && err != nil {
		s.err = err
	}
}

// Err returns the error that broke the session, or nil.
func (s *Session) Err() error { return s.err }

// Selected returns the mailbox currently selected ("" when none).
func (s *Session) Selected() string { return s.sel }

// UIDValidity returns the UIDVALIDITY of the selected mailbox.
func (s *Session) UIDValidity() uint32 { return s.uidValidity }

// Exists returns the number of messages in the selected mailbox.
func (s *Session) Exists() uint32 { return s.exists }

func (s *Session) nextTag() string {
	s.tagN++
	return "A" + strconv.FormatUint(s.tagN, 10)
}

func (s *Session) has(c imap.Cap) bool { return s.caps.Has(c) }

func (s *Session) utf8() bool {
	_, ok := s.enabled[imap.CapUTF8Accept]
	return ok
}

func (s *Session) encodeOptions() wire.EncodeOptions {
	return wire.EncodeOptions{
		LiteralPlus:  s.hasRaw(imap.CapLiteralPlus),
		LiteralMinus: s.has(imap.CapLiteralMinus),
		UTF8:         s.utf8(),
	}
}

// hasRaw checks the capability list without go-imap's implications.
func (s *Session) hasRaw(c imap.Cap) bool {
	_, ok := s.caps[c]
	return ok
}

// command starts encoding a command with a fresh tag.
func (s *Session) command(name string) *wire.Encoder {
	return wire.NewCommand(s.nextTag(), name, s.encodeOptions())
}

func (s *Session) setCaps(caps []imap.Cap) {
	s.caps = imap.CapSet{}
	for _, c := range caps {
		s.caps[c] = struct{}{}
	}
}

func (s *Session) unselect() {
	s.sel, s.exists, s.uidValidity, s.uidNext, s.modSeq = "", 0, 0, 0, 0
	if s.State == StateSelected {
		s.State = StateAuthenticated
	}
}

// decodeName turns a mailbox name from the wire into UTF-8.
func (s *Session) decodeName(name string) (string, error) {
	if s.utf8() {
		return name, nil
	}
	return wire.DecodeUTF7(name)
}
