package sasl

import (
	"errors"
	"strings"
)

// NewLoginClient returns a LOGIN client (draft-murchison-sasl-login) that
// is lenient about prompts: it sends no initial response (some servers
// refuse one), answers a prompt mentioning "user" with the username and one
// mentioning "pass" with the password, and any other prompt with the
// username first and the password second. A third challenge is an error.
func NewLoginClient(username, password string) Client {
	return &loginClient{user: username, pass: password}
}

type loginClient struct {
	user, pass string
	sentUser   bool
	sentPass   bool
}

var errLoginSteps = errors.New("sasl: LOGIN: unexpected challenge after the username and the password")

func (c *loginClient) Start() (string, []byte, error) { return Login, nil, nil }

func (c *loginClient) Next(challenge []byte) ([]byte, error) {
	p := strings.ToLower(string(challenge))
	switch {
	case c.sentUser && c.sentPass:
		return nil, errLoginSteps
	case strings.Contains(p, "pass") && !c.sentPass:
		c.sentPass = true
		return []byte(c.pass), nil
	case strings.Contains(p, "user") && !c.sentUser:
		c.sentUser = true
		return []byte(c.user), nil
	case !c.sentUser:
		c.sentUser = true
		return []byte(c.user), nil
	case !c.sentPass:
		c.sentPass = true
		return []byte(c.pass), nil
	}
	return nil, errLoginSteps
}
