package imap

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// StartTLSMode says whether Open upgrades a plain connection with STARTTLS
// (RFC 3501 section 6.2.1).
type StartTLSMode uint8

// The STARTTLS modes.
const (
	// StartTLSNever leaves the link as it is (implicit TLS, or a clear
	// link the caller accepted).
	StartTLSNever StartTLSMode = iota
	// StartTLSIfOffered upgrades when the server offers STARTTLS.
	StartTLSIfOffered
	// StartTLSRequired upgrades, and fails with email.ErrInsecure when the
	// server does not offer STARTTLS.
	StartTLSRequired
)

// OpenOptions configures Open.
type OpenOptions struct {
	// StartTLS says whether to upgrade a plain connection.
	StartTLS StartTLSMode
	// Auth authenticates the session. Any go-sasl client works: Open sends
	// AUTHENTICATE with its mechanism when the server offers it (with the
	// initial response inline under SASL-IR, RFC 4959). A PLAIN client is
	// also accepted by servers that only know LOGIN: its credentials then
	// go in a LOGIN command. nil skips authentication (PREAUTH servers).
	// A refused login fails with a *CommandError matching
	// email.ErrAuthFailed; a mechanism that cannot answer a challenge
	// cancels the exchange and fails with an error matching
	// email.ErrProtocol.
	Auth sasl.Client
	// AllowInsecureAuth allows authenticating on a link that is not
	// encrypted. Without it Open fails with email.ErrInsecure instead of
	// sending credentials in clear.
	AllowInsecureAuth bool
	// ID, when non-nil, is sent with the ID command (RFC 2971) after
	// authentication if the server offers ID; an empty map sends ID NIL.
	ID map[string]string
	// NoEnable skips ENABLE. By default Open enables CONDSTORE, QRESYNC
	// (RFC 7162) and UTF8=ACCEPT (RFC 6855) when the server offers them.
	NoEnable bool
}

// OpenResult describes the opened session.
type OpenResult struct {
	// Greeting is the text of the server greeting.
	Greeting string
	// PreAuth reports a PREAUTH greeting (RFC 3501 section 7.1.4).
	PreAuth bool
	// ServerID holds the server's ID response, when ID was sent.
	ServerID map[string]string
	// Caps lists the capabilities once the session is open (after STARTTLS
	// and authentication), as Session.Capabilities gives them.
	Caps []string
}

// ErrAuthMechanism is matched when the server offers neither the
// mechanism of the SASL client nor a fallback; it also matches
// email.ErrUnsupported.
var ErrAuthMechanism = fmt.Errorf("imap: authentication mechanism not offered by the server: %w", email.ErrUnsupported)

type openState uint8

const (
	openGreeting openState = iota
	openCaps
	openStartTLS
	openCapsAfterTLS
	openAuth
	openEnable
	openID
	openDone
)

type opener struct {
	s     *Session
	opts  OpenOptions
	state openState
	out   OpenResult

	// authentication
	ir        []byte
	irPending bool
	authErr   error
	capsAfter bool
	// pending names the command whose status the next advance checks.
	pending string
	// secrets are the credentials sent, in every form they went out in,
	// removed from the server's answer before it becomes an error.
	secrets []string
}

// Open returns the machine that opens a session on a fresh connection:
// it reads the greeting (OK, PREAUTH or BYE), learns the capabilities
// (from response codes when the server sends them, else with CAPABILITY),
// upgrades with STARTTLS when asked, authenticates, enables CONDSTORE,
// QRESYNC and UTF8=ACCEPT when offered, and sends ID when asked.
func Open(s *Session, opts OpenOptions) coroutine.NetMachine[OpenResult] {
	return newMachine[OpenResult](s, "open", &opener{s: s, opts: opts})
}

func (o *opener) result() OpenResult {
	out := o.out
	out.Caps = o.s.Capabilities()
	return out
}

func (o *opener) advance(r *runner) ([]*wire.Command, bool, error) {
	s := o.s
	if r.err != nil {
		if o.authErr != nil {
			return nil, false, o.authErr
		}
		return nil, false, redact(r.err, o.secrets)
	}
	if name := o.pending; name != "" {
		o.pending = ""
		if o.authErr != nil {
			return nil, false, o.authErr
		}
		// A NO to ENABLE or ID does not stop the session.
		if err := statusErr(name, r.status[0]); err != nil && name != "ENABLE" && name != "ID" {
			return nil, false, redact(err, o.secrets)
		}
		switch name {
		case "AUTHENTICATE", "LOGIN":
			// A mechanism that authenticates the server too (SCRAM) must
			// have verified it before the OK counts (RFC 5802 section 5).
			if c, ok := o.opts.Auth.(interface{ Complete() error }); ok && name == "AUTHENTICATE" {
				if err := c.Complete(); err != nil {
					return nil, false, fmt.Errorf("imap: server accepted the login without proving itself: %w", err)
				}
			}
			s.State = StateAuthenticated
			if r.status[0].Code != "CAPABILITY" && !o.capsAfter {
				o.pending = "CAPABILITY"
				return one(s.command("CAPABILITY"))
			}
		}
	}
	for {
		switch o.state {
		case openGreeting:
			o.state = openCaps
			r.greet = true
			return nil, false, nil
		case openCaps:
			g := r.greeting
			o.out.Greeting = g.Text
			if g.Type == wire.PREAUTH {
				o.out.PreAuth = true
				s.State = StateAuthenticated
			}
			o.state = openStartTLS
			if len(s.caps) == 0 {
				o.pending = "CAPABILITY"
				return one(s.command("CAPABILITY"))
			}
		case openStartTLS:
			o.state = openAuth
			if o.opts.StartTLS == StartTLSNever || s.Secure {
				continue
			}
			if !s.hasRaw(imap.CapStartTLS) {
				if o.opts.StartTLS == StartTLSRequired {
					return nil, false, fmt.Errorf("imap: server does not offer STARTTLS: %w", email.ErrInsecure)
				}
				continue
			}
			if s.State != StateNotAuthenticated {
				// STARTTLS is only valid before authentication; a PREAUTH
				// server cannot be upgraded.
				return nil, false, fmt.Errorf("imap: PREAUTH server cannot start TLS: %w", email.ErrInsecure)
			}
			o.state = openCapsAfterTLS
			o.pending = "STARTTLS"
			r.startTLS = true
			return one(s.command("STARTTLS"))
		case openCapsAfterTLS:
			o.state = openAuth
			o.pending = "CAPABILITY"
			return one(s.command("CAPABILITY"))
		case openAuth:
			o.state = openEnable
			// RFC 3501 section 6.1.1 / RFC 9051 section 6.1.1: an IMAP server
			// lists IMAP4rev1 or IMAP4rev2. Anything else is not spoken to,
			// and gets no credentials.
			if !s.hasRaw("IMAP4REV1") && !s.hasRaw("IMAP4REV2") { // caps are kept upper-cased
				return nil, false, protoErr("server lists neither IMAP4rev1 nor IMAP4rev2 in its capabilities")
			}
			if o.opts.Auth == nil || s.State != StateNotAuthenticated {
				continue
			}
			return o.authenticate(r)
		case openEnable:
			o.state = openID
			if o.opts.NoEnable || !s.has(imap.CapEnable) {
				continue
			}
			e := s.command("ENABLE")
			n := 0
			for _, c := range []imap.Cap{imap.CapCondStore, imap.CapQResync, imap.CapUTF8Accept} {
				if s.hasRaw(c) {
					e.SP().Raw(string(c))
					n++
				}
			}
			if n == 0 {
				continue
			}
			o.pending = "ENABLE"
			return one(e)
		case openID:
			o.state = openDone
			if o.opts.ID == nil || !s.hasRaw(imap.CapID) {
				continue
			}
			r.onData = func(resp *wire.Response) error {
				if resp.Kind == wire.KindID {
					o.out.ServerID = resp.ID
				}
				return nil
			}
			e := s.command("ID").SP()
			if len(o.opts.ID) == 0 {
				e.Raw("NIL")
			} else {
				e.Raw("(")
				for i, k := range sortedKeys(o.opts.ID) {
					if i > 0 {
						e.SP()
					}
					e.Quoted(k).SP().Quoted(o.opts.ID[k])
				}
				e.Raw(")")
			}
			o.pending = "ID"
			return one(e)
		case openDone:
			if s.State == StateNotAuthenticated && o.opts.Auth != nil {
				return nil, false, errors.New("imap: not authenticated")
			}
			return nil, true, nil
		}
	}
}

// authenticate starts AUTHENTICATE (RFC 3501 section 6.2.2, RFC 4959), or
// LOGIN for a PLAIN client when the server lacks AUTH=PLAIN.
func (o *opener) authenticate(r *runner) ([]*wire.Command, bool, error) {
	s := o.s
	if !s.Secure && !o.opts.AllowInsecureAuth {
		return nil, false, fmt.Errorf("imap: refusing to authenticate on an unencrypted link: %w", email.ErrInsecure)
	}
	mech, ir, err := o.opts.Auth.Start()
	if err != nil {
		return nil, false, fmt.Errorf("imap: SASL: %w", err)
	}
	r.onData = func(resp *wire.Response) error {
		if resp.Kind == wire.KindCapability {
			o.capsAfter = true
		}
		return nil
	}
	r.scrub = func(err error) error { return redact(err, o.secrets) }
	o.remember(ir)
	if s.hasRaw(imap.AuthCap(mech)) {
		e := s.command("AUTHENTICATE").SP().Atom(mech)
		if ir != nil {
			if s.hasRaw(imap.CapSASLIR) {
				e.SP()
				if len(ir) == 0 {
					e.Raw("=")
				} else {
					b64 := base64.StdEncoding.EncodeToString(ir)
					o.secrets = append(o.secrets, b64)
					e.Raw(b64)
				}
			} else {
				o.ir, o.irPending = ir, true
			}
		}
		r.onCont = o.saslStep
		o.pending = "AUTHENTICATE"
		return one(e)
	}
	if (mech == "PLAIN" || mech == "plain") && ir != nil && !s.hasRaw(imap.CapLoginDisabled) {
		parts := bytes.Split(ir, []byte{0})
		if len(parts) == 3 && (len(parts[0]) == 0 || bytes.Equal(parts[0], parts[1])) {
			o.pending = "LOGIN"
			// The password as it goes out quoted, with escapes, is a
			// secret too (remember has its plain form).
			o.secrets = append(o.secrets, quoteEscaper.Replace(string(parts[2])))
			return one(s.command("LOGIN").SP().String(string(parts[1])).SP().String(string(parts[2])))
		}
	}
	return nil, false, ErrAuthMechanism
}

// saslStep answers one AUTHENTICATE continuation. A challenge that is not
// base64 (RFC 3501 section 6.2.2) is answered with "*", which cancels the
// exchange, before anything of the credentials goes out, the initial
// response of a client-first mechanism included.
func (o *opener) saslStep(text []byte) ([]byte, error) {
	if o.authErr != nil {
		return nil, o.authErr
	}
	chal, err := base64.StdEncoding.DecodeString(string(text))
	if err != nil {
		o.irPending = false
		o.authErr = protoErr("AUTHENTICATE challenge is not base64")
		return []byte("*\r\n"), nil
	}
	if o.irPending {
		o.irPending = false
		return o.line64(o.ir), nil
	}
	resp, err := o.opts.Auth.Next(chal)
	if err != nil {
		// The mechanism cannot answer this challenge (go-sasl's
		// ErrUnexpectedServerChallenge...): the server broke it.
		o.authErr = fmt.Errorf("imap: SASL: %w: %w", err, email.ErrProtocol)
		return []byte("*\r\n"), nil // cancel (RFC 3501 section 6.2.2)
	}
	o.remember(resp)
	return o.line64(resp), nil
}

// line64 encodes one SASL response line, remembering it as a secret.
func (o *opener) line64(b []byte) []byte {
	out := base64.StdEncoding.AppendEncode(nil, b)
	if len(out) > 0 {
		o.secrets = append(o.secrets, string(out))
	}
	return append(out, '\r', '\n')
}

// remember records the parts of a SASL response that may be secret: each
// NUL-separated field of 3 bytes or more (the password of PLAIN, the
// answers of LOGIN; the user name goes with them).
func (o *opener) remember(resp []byte) {
	for _, f := range bytes.Split(resp, []byte{0}) {
		if len(f) >= 3 {
			o.secrets = append(o.secrets, string(f))
		}
	}
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// redact removes every secret from the server text an error carries (a
// NO, BAD or BYE), for servers that echo the command they refused.
func redact(err error, secrets []string) error {
	var text *string
	var ce *CommandError
	var be *ByeError
	switch {
	case len(secrets) == 0:
		return err
	case errors.As(err, &ce):
		text = &ce.Text
	case errors.As(err, &be):
		text = &be.Text
	default:
		return err
	}
	// Longest first, so that a secret holding another goes whole.
	sorted := slices.Clone(secrets)
	slices.SortFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	for _, sec := range sorted {
		*text = strings.ReplaceAll(*text, sec, "[redacted]")
	}
	return err
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
