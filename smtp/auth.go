package smtp

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/emersion/go-sasl"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Auth returns a machine that authenticates with the SASL mechanism c (RFC
// 4954): AUTH with the initial response when c has one, then one base64
// line for each 334 challenge, until 235. A mechanism that fails on a
// challenge cancels the exchange with "*", and the error then matches
// email.ErrProtocol (go-sasl's sasl.ErrUnexpectedServerChallenge
// included). A refusal (535, 5.7.8) matches email.ErrAuthFailed. On success the extensions are
// refreshed with a new EHLO, as they may change after authentication.
//
// The machine refuses to run over a clear link unless allowPlaintext is set
// (the error matches email.ErrInsecure), and fails with an error matching
// email.ErrUnsupported when the server does not offer c's mechanism. No
// error it returns contains a credential: neither the initial response nor
// any response is ever quoted.
func (s *Session) Auth(c sasl.Client, allowPlaintext bool) coroutine.NetMachine[struct{}] {
	a := &authOp{s: s, c: c, allowPlain: allowPlaintext}
	return newMachine(s, a, func() struct{} { return struct{}{} })
}

// ErrAuthInsecure is returned when authentication would go over a clear
// link and the caller did not allow it. It matches email.ErrInsecure.
var ErrAuthInsecure = errorsJoin("smtp: refusing to authenticate over an unencrypted link", email.ErrInsecure)

// failer is implemented by mechanisms (XOAUTH2, OAUTHBEARER) that answer a
// server's error challenge with a dummy response and keep the server's
// error details for the caller.
type failer interface{ Failure() error }

// completer is implemented by mechanisms that authenticate the server too
// (SCRAM): Complete returns an error until the server has proved itself,
// and a success reply before that is a failure.
type completer interface{ Complete() error }

type authOp struct {
	s          *Session
	c          sasl.Client
	allowPlain bool
	mech       string
	state      int // 0 start, 1 exchanging, 2 cancelled, 3 re-EHLO, 4 done
	steps      int
	ir         []byte // an initial response held back for the first challenge
	cancelErr  error
	hello      *helloOp
}

func (a *authOp) advance(replies []Reply) (*exchange, error) {
	switch a.state {
	case 0:
		if a.c == nil {
			return nil, fmt.Errorf("smtp: AUTH without a mechanism: %w", email.ErrInvalidArgument)
		}
		if !a.s.secure && !a.allowPlain {
			return nil, ErrAuthInsecure
		}
		mech, ir, err := a.c.Start()
		if err != nil {
			return nil, fmt.Errorf("smtp: AUTH: starting the mechanism: %w", err)
		}
		a.mech = mech
		if !a.s.ext.HasAuth(mech) {
			return nil, fmt.Errorf("smtp: AUTH: the server does not offer %q (it offers %v): %w", mech, a.s.ext.Auth, email.ErrUnsupported)
		}
		line := "AUTH " + mech
		if ir != nil && a.s.cfg.NoInitialResponse {
			a.ir, ir = ir, nil
		}
		if ir != nil {
			if len(ir) == 0 {
				line += " ="
			} else {
				line += " " + base64.StdEncoding.EncodeToString(ir)
			}
		}
		a.state = 1
		return cmd("AUTH", line), nil
	case 1:
		r := replies[0]
		switch {
		case r.Code == 235 || r.Class() == 2:
			if c, ok := a.c.(completer); ok {
				if err := c.Complete(); err != nil {
					a.state = 4
					return nil, a.s.broken(fmt.Errorf("smtp: AUTH %s: server said success: %w", a.mech, err))
				}
			}
			a.s.authed = true
			a.state = 3
			a.hello = &helloOp{s: a.s}
			return a.hello.advance(nil)
		case r.Code == 334:
			a.steps++
			if a.steps > a.s.cfg.MaxAuthSteps {
				return a.cancel(&ProtocolError{Reason: "too many AUTH challenges", Err: email.ErrTooLarge})
			}
			text := ""
			if len(r.Lines) > 0 {
				text = r.Lines[0]
			}
			chal, err := base64.StdEncoding.DecodeString(text)
			if err != nil {
				return a.cancel(protoErr("AUTH challenge is not base64"))
			}
			if a.ir != nil && len(chal) == 0 {
				ir := a.ir
				a.ir = nil
				return cmd("AUTH", base64.StdEncoding.EncodeToString(ir)), nil
			}
			a.ir = nil
			resp, err := a.c.Next(chal)
			if err != nil {
				// The mechanism cannot answer this challenge (go-sasl's
				// ErrUnexpectedServerChallenge...): the server broke it.
				return a.cancel(fmt.Errorf("smtp: AUTH %s: %w: %w", a.mech, err, email.ErrProtocol))
			}
			return cmd("AUTH", base64.StdEncoding.EncodeToString(resp)), nil
		case r.Class() == 4 || r.Class() == 5:
			a.state = 4
			e := r.Err("AUTH")
			if f, ok := a.c.(failer); ok && f.Failure() != nil {
				return nil, errors.Join(e, f.Failure())
			}
			return nil, e
		}
		return nil, a.s.broken(unexpected("AUTH", r))
	case 2:
		// The reply to "*" is normally 501; anything but a success is
		// fine. A success would leave the session in an unknown state.
		a.state = 4
		if replies[0].Class() == 2 || replies[0].Class() == 3 {
			return nil, a.s.broken(a.cancelErr)
		}
		return nil, a.cancelErr
	case 3:
		ex, err := a.hello.advance(replies)
		if ex == nil {
			a.state = 4
		}
		return ex, err
	}
	return nil, nil
}

// cancel aborts the exchange with "*" (RFC 4954 section 4) and ends with
// err once the server answered.
func (a *authOp) cancel(err error) (*exchange, error) {
	a.state, a.cancelErr = 2, err
	return cmd("AUTH", "*"), nil
}
