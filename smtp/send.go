package smtp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// ErrNoRecipients is matched (errors.Is) by the error of a send in which
// the server accepted none of the recipients. The error also unwraps to the
// *Error of the first refusal; the result lists every refusal.
var ErrNoRecipients = errors.New("smtp: no recipient accepted")

type noRecipientsError struct{ first *Error }

func (e *noRecipientsError) Error() string        { return ErrNoRecipients.Error() + ": " + e.first.Error() }
func (e *noRecipientsError) Unwrap() error        { return e.first }
func (e *noRecipientsError) Is(target error) bool { return target == ErrNoRecipients }

// Send returns a machine that submits a raw RFC 5322 message: the envelope
// comes from its headers (EnvelopeFromHeaders, or opts.From and opts.To),
// the Bcc and Resent-Bcc fields are removed from the bytes sent unless
// opts.KeepBcc is set, and the rest goes as SendMail sends it.
func (s *Session) Send(raw []byte, opts email.SendOptions) coroutine.NetMachine[email.SendResult] {
	env, err := EnvelopeFromHeaders(raw, opts)
	if err != nil {
		return coroutine.Done[coroutine.NetReply, coroutine.NetRequest](email.SendResult{}, err)
	}
	if !opts.KeepBcc {
		raw = StripBcc(raw)
	}
	return s.SendMail(env, raw)
}

// SendMail returns a machine that runs one mail transaction (RFC 5321
// section 3.3) for env and the message data, sent as given apart from line
// endings (normalised to CRLF) and dot-stuffing. env.From may be "" for the
// null reverse path.
//
// MAIL FROM carries SIZE when the server offers it, BODY=8BITMIME when the
// data has 8-bit bytes and SMTPUTF8 when the envelope or the header is
// UTF-8 and the server offers it. It fails before sending anything, with an
// error matching email.ErrTooLarge when the data exceeds the server's SIZE,
// and with an error matching email.ErrUnsupported when the data needs
// 8BITMIME, or the envelope SMTPUTF8, and the server lacks it.
//
// With PIPELINING, MAIL, every RCPT and DATA (or BDAT) go in one write. The
// result lists the recipients accepted and those refused: some refusals
// are a partial success (no error); no recipient accepted is an error
// matching ErrNoRecipients, after which the transaction is reset with RSET.
// Any other refusal is an *Error (and the result still lists the
// recipients).
func (s *Session) SendMail(env Envelope, data []byte) coroutine.NetMachine[email.SendResult] {
	o := &sendOp{s: s, env: env, raw: data}
	return newMachine(s, o, func() email.SendResult { return o.res })
}

type sendState int

const (
	sendStart sendState = iota
	sendGroup           // pipelined MAIL, RCPTs, DATA/BDAT
	sendMail            // MAIL alone
	sendRcpt            // one RCPT
	sendData            // DATA alone
	sendFinal           // the reply to the message data
	sendDot             // a lone "." after DATA got 354 with nothing to send
	sendReset           // RSET after a failure
	sendDone
	sendHead // SendStream: reading the header block
)

type sendOp struct {
	s     *Session
	env   Envelope
	raw   []byte
	state sendState

	data    []byte // what follows DATA or BDAT
	bdat    bool
	mailCmd string
	next    int // next recipient to send, in sequential mode
	res     email.SendResult
	err     error // the failure to return after RSET
	first   *Error

	// SendStream: the message comes from the operation's source.
	stream bool
	opts   email.SendOptions
	hint   int64       // the size the caller gave, -1 for unknown
	head   *headReader // the header block read, and what followed it
	eight  bool        // the data may have 8-bit bytes
}

func (o *sendOp) advance(replies []Reply) (*exchange, error) {
	switch o.state {
	case sendHead:
		if o.head == nil {
			o.head = &headReader{}
			return &exchange{stream: o.head}, nil
		}
		if err := o.fromHead(); err != nil {
			o.state = sendDone
			return nil, err
		}
		o.state = sendStart
		fallthrough
	case sendStart:
		if err := o.prepare(); err != nil {
			o.state = sendDone
			return nil, err
		}
		ext := o.s.ext
		if ext.Pipelining && !o.s.cfg.NoPipelining {
			return o.group(), nil
		}
		o.state = sendMail
		return cmd("MAIL", o.mailCmd), nil
	case sendGroup:
		return o.onGroup(replies)
	case sendMail:
		r := replies[0]
		if err := expect("MAIL", r, 2); err != nil {
			return nil, o.s.broken(err)
		}
		if r.Class() != 2 {
			o.state = sendDone
			return nil, r.Err("MAIL")
		}
		o.state = sendRcpt
		return cmd("RCPT", "RCPT TO:<"+o.env.To[0]+">"), nil
	case sendRcpt:
		r := replies[0]
		if err := expect("RCPT", r, 2); err != nil {
			return nil, o.s.broken(err)
		}
		o.record(o.env.To[o.next], r)
		o.next++
		if o.next < len(o.env.To) {
			return cmd("RCPT", "RCPT TO:<"+o.env.To[o.next]+">"), nil
		}
		if len(o.res.Accepted) == 0 {
			return o.fail(&noRecipientsError{first: o.first})
		}
		if o.bdat {
			o.state = sendFinal
			if o.stream {
				return &exchange{stream: o.dataStream()}, nil
			}
			return &exchange{writes: [][]byte{o.bdatLine(), o.data}, cmds: []string{"BDAT"}}, nil
		}
		o.state = sendData
		return cmd("DATA", "DATA"), nil
	case sendData:
		r := replies[0]
		if err := expect("DATA", r, 3); err != nil {
			return nil, o.s.broken(err)
		}
		if r.Code != 354 {
			return o.fail(r.Err("DATA"))
		}
		o.state = sendFinal
		return o.dataExchange(), nil
	case sendFinal:
		r := lastReply(replies)
		name := "DATA"
		if o.bdat {
			name = "BDAT"
		}
		if err := expect(name, r, 2); err != nil {
			return nil, o.s.broken(err)
		}
		if r.Class() != 2 {
			if o.bdat {
				return o.fail(r.Err(name))
			}
			o.state = sendDone
			return nil, r.Err(name)
		}
		o.state = sendDone
		return nil, nil
	case sendDot:
		r := replies[0]
		if err := expect("DATA", r, 2); err != nil {
			return nil, o.s.broken(err)
		}
		return o.fail(o.err)
	case sendReset:
		o.state = sendDone
		r := replies[0]
		if r.Class() != 2 {
			o.s.broken(r.Err("RSET"))
		}
		return nil, o.err
	}
	return nil, nil
}

// prepare checks the envelope against the extensions and builds the
// commands and the data.
func (o *sendOp) prepare() error {
	ext := o.s.ext
	if len(o.env.To) == 0 {
		return fmt.Errorf("smtp: no recipient: %w", email.ErrInvalidArgument)
	}
	// Format every address as a path (quoting a local part that needs
	// it), without touching the caller's slice.
	env := Envelope{To: make([]string, len(o.env.To))}
	if o.env.From != "" {
		p, err := Path(o.env.From)
		if err != nil {
			return err
		}
		env.From = p
	}
	utf8Env := has8bitString(env.From)
	for i, to := range o.env.To {
		p, err := Path(to)
		if err != nil {
			return err
		}
		env.To[i] = p
		utf8Env = utf8Env || has8bitString(p)
	}
	o.env = env
	if utf8Env && !ext.SMTPUTF8 {
		return fmt.Errorf("smtp: the envelope has UTF-8 addresses and the server does not offer SMTPUTF8: %w", email.ErrUnsupported)
	}
	eight := has8bit(o.raw) || o.eight
	if eight && !ext.EightBitMIME {
		return fmt.Errorf("smtp: the message has 8-bit data and the server does not offer 8BITMIME: %w", email.ErrUnsupported)
	}
	o.bdat = ext.Chunking && !o.s.cfg.NoChunking
	size := int64(-1)
	if o.stream {
		size = o.hint
		eight = eight || ext.EightBitMIME
	} else {
		o.data = normalize(o.raw, !o.bdat)
		size = int64(len(o.data))
		if !o.bdat {
			size -= 3 // the ".\r\n" terminator; dot-stuffing counts, as in RFC 1870's estimate
		}
	}
	if ext.Size > 0 && size > ext.Size {
		return fmt.Errorf("smtp: the message is %d bytes and the server accepts at most %d: %w", size, ext.Size, email.ErrTooLarge)
	}
	var b strings.Builder
	b.WriteString("MAIL FROM:<" + o.env.From + ">")
	if ext.HasSize && size >= 0 {
		b.WriteString(" SIZE=" + strconv.FormatInt(size, 10))
	}
	if eight {
		b.WriteString(" BODY=8BITMIME")
	}
	if ext.SMTPUTF8 && (utf8Env || has8bit(headerOf(o.raw))) {
		b.WriteString(" SMTPUTF8")
	}
	o.mailCmd = b.String()
	return nil
}

// group builds the pipelined exchange: MAIL, RCPTs and DATA (or BDAT with
// the message) in one flight (RFC 2920 section 3.1).
func (o *sendOp) group() *exchange {
	o.state = sendGroup
	n := len(o.env.To)
	var b []byte
	b = append(b, o.mailCmd...)
	b = append(b, "\r\n"...)
	cmds := make([]string, 0, n+2)
	cmds = append(cmds, "MAIL")
	for _, to := range o.env.To {
		b = append(b, "RCPT TO:<"...)
		b = append(b, to...)
		b = append(b, ">\r\n"...)
		cmds = append(cmds, "RCPT")
	}
	if o.bdat && o.stream {
		return &exchange{writes: [][]byte{b}, cmds: cmds, stream: o.dataStream()}
	}
	if o.bdat {
		b = append(b, o.bdatLine()...)
		cmds = append(cmds, "BDAT")
		return &exchange{writes: [][]byte{b, o.data}, cmds: cmds}
	}
	b = append(b, "DATA\r\n"...)
	cmds = append(cmds, "DATA")
	return &exchange{writes: [][]byte{b}, cmds: cmds}
}

func (o *sendOp) bdatLine() []byte {
	return []byte("BDAT " + strconv.Itoa(len(o.data)) + " LAST\r\n")
}

// onGroup reads the replies of the pipelined group, in order.
func (o *sendOp) onGroup(r []Reply) (*exchange, error) {
	n := len(o.env.To)
	last := lastReply(r[n+1:])
	if err := expect("MAIL", r[0], 2); err != nil {
		return nil, o.s.broken(err)
	}
	for i := 1; i <= n; i++ {
		if err := expect("RCPT", r[i], 2); err != nil {
			return nil, o.s.broken(err)
		}
	}
	lastName, lastClass := "DATA", 3
	if o.bdat {
		lastName, lastClass = "BDAT", 2
	}
	if err := expect(lastName, last, lastClass); err != nil {
		return nil, o.s.broken(err)
	}
	if !o.bdat && last.Class() == 3 && last.Code != 354 {
		return nil, o.s.broken(unexpected("DATA", last))
	}
	for i, to := range o.env.To {
		o.record(to, r[i+1])
	}
	var err error
	switch {
	case r[0].Class() != 2:
		err = r[0].Err("MAIL")
	case len(o.res.Accepted) == 0:
		err = &noRecipientsError{first: o.first}
	}
	if err != nil {
		switch {
		case !o.bdat && last.Code == 354:
			// The server opened DATA although the transaction failed:
			// close it with no content (RFC 2920 section 3.1), then reset.
			o.state, o.err = sendDot, err
			return &exchange{writes: [][]byte{[]byte(".\r\n")}, cmds: []string{"DATA"}}, nil
		case o.bdat && last.Class() == 2:
			return nil, o.s.broken(protoErr("BDAT accepted although the transaction failed"))
		}
		return o.fail(err)
	}
	if last.Class() != 2 && last.Class() != 3 {
		return o.fail(last.Err(lastName))
	}
	if o.bdat {
		o.state = sendDone
		return nil, nil
	}
	o.state = sendFinal
	return o.dataExchange(), nil
}

// record notes the server's answer for one recipient.
func (o *sendOp) record(to string, r Reply) {
	if r.Class() == 2 {
		o.res.Accepted = append(o.res.Accepted, to)
		return
	}
	e := r.Err("RCPT")
	if o.first == nil {
		o.first = e
	}
	o.res.Rejected = append(o.res.Rejected, email.RecipientError{Address: to, Err: e, Reason: e.Error()})
}

// fail resets the transaction, then ends with err.
func (o *sendOp) fail(err error) (*exchange, error) {
	o.state, o.err = sendReset, err
	return cmd("RSET", "RSET"), nil
}

// expect checks that r's class is want, or a failure (4 or 5).
func expect(command string, r Reply, want int) error {
	c := r.Class()
	if c == want || c == 4 || c == 5 {
		return nil
	}
	return unexpected(command, r)
}

// headerOf returns the header section of a message (up to the first empty
// line).
func headerOf(raw []byte) []byte {
	f := headerFields(raw)
	if len(f) == 0 {
		return nil
	}
	return raw[:f[len(f)-1].end]
}
