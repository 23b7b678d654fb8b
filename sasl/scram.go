package sasl

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxScramIterations bounds the iteration count a server may ask for, so
// that a hostile server cannot make the client spin.
const MaxScramIterations = 1 << 22

// NewScramSHA256Client returns a SCRAM-SHA-256 client (RFC 7677, RFC 5802)
// without channel binding. random supplies the client nonce; nil means
// crypto/rand. The server's signature is verified: a server that does not
// know the password is detected, and Complete reports an error until it has
// been verified.
//
// The username and password are prepared with a subset of SASLprep (RFC
// 4013): non-ASCII spaces become spaces, characters mapped to nothing are
// removed and control characters are refused, but Unicode normalisation
// (NFKC) is not applied; ASCII and already-normalised strings, the usual
// case, are unaffected.
func NewScramSHA256Client(username, password string, random io.Reader) Client {
	return &scramClient{mech: ScramSHA256, h: sha256.New, user: username, pass: password, random: random}
}

// NewScramSHA1Client returns a SCRAM-SHA-1 client (RFC 5802), as
// NewScramSHA256Client.
func NewScramSHA1Client(username, password string, random io.Reader) Client {
	return &scramClient{mech: ScramSHA1, h: sha1.New, user: username, pass: password, random: random}
}

type scramClient struct {
	mech       string
	h          func() hash.Hash
	user, pass string
	random     io.Reader
	nonce      string // client nonce; set by tests before Start

	step        int
	clientFirst string // client-first-message-bare
	serverSig   []byte
	verified    bool
}

var errScramNotVerified = errors.New("sasl: SCRAM: the server's signature was not verified")

func (c *scramClient) Start() (string, []byte, error) {
	user, err := saslprep(c.user)
	if err != nil {
		return "", nil, fmt.Errorf("sasl: %s: username: %w", c.mech, err)
	}
	if c.nonce == "" {
		r := c.random
		if r == nil {
			r = rand.Reader
		}
		b := make([]byte, 24)
		if _, err := io.ReadFull(r, b); err != nil {
			return "", nil, fmt.Errorf("sasl: %s: reading the nonce: %w", c.mech, err)
		}
		c.nonce = base64.RawStdEncoding.EncodeToString(b)
	}
	name := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(user)
	c.clientFirst = "n=" + name + ",r=" + c.nonce
	c.step = 1
	return c.mech, []byte("n,," + c.clientFirst), nil
}

func (c *scramClient) Next(challenge []byte) ([]byte, error) {
	switch c.step {
	case 1:
		c.step = 2
		return c.final(string(challenge))
	case 2:
		c.step = 3
		msg := string(challenge)
		if e, ok := strings.CutPrefix(msg, "e="); ok {
			return nil, fmt.Errorf("sasl: %s: server error %q", c.mech, clip(e))
		}
		v, ok := strings.CutPrefix(msg, "v=")
		if !ok {
			return nil, fmt.Errorf("sasl: %s: malformed server-final-message", c.mech)
		}
		if i := strings.IndexByte(v, ','); i >= 0 {
			v = v[:i]
		}
		sig, err := base64.StdEncoding.DecodeString(v)
		if err != nil || !hmac.Equal(sig, c.serverSig) {
			return nil, fmt.Errorf("sasl: %s: wrong server signature (the server does not know the password)", c.mech)
		}
		c.verified = true
		return []byte{}, nil
	}
	return nil, fmt.Errorf("sasl: %s: unexpected challenge", c.mech)
}

// final answers the server-first-message (RFC 5802 section 3).
func (c *scramClient) final(serverFirst string) ([]byte, error) {
	var nonce, salt64, iter string
	for _, attr := range strings.Split(serverFirst, ",") {
		k, v, ok := strings.Cut(attr, "=")
		if !ok || len(k) != 1 {
			return nil, fmt.Errorf("sasl: %s: malformed server-first-message", c.mech)
		}
		switch k {
		case "m":
			return nil, fmt.Errorf("sasl: %s: server requires an unsupported extension", c.mech)
		case "e":
			return nil, fmt.Errorf("sasl: %s: server error %q", c.mech, clip(v))
		case "r":
			nonce = v
		case "s":
			salt64 = v
		case "i":
			iter = v
		}
	}
	if !strings.HasPrefix(nonce, c.nonce) || len(nonce) == len(c.nonce) {
		return nil, fmt.Errorf("sasl: %s: server nonce does not extend the client nonce", c.mech)
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil || len(salt) == 0 {
		return nil, fmt.Errorf("sasl: %s: malformed salt", c.mech)
	}
	n, err := strconv.Atoi(iter)
	if err != nil || n < 1 || n > MaxScramIterations {
		return nil, fmt.Errorf("sasl: %s: iteration count %q out of range", c.mech, clip(iter))
	}
	pass, err := saslprep(c.pass)
	if err != nil {
		return nil, fmt.Errorf("sasl: %s: password: %w", c.mech, err)
	}
	salted, err := pbkdf2.Key(c.h, pass, salt, n, c.h().Size())
	if err != nil {
		return nil, fmt.Errorf("sasl: %s: deriving the key failed", c.mech)
	}
	clientKey := c.hmac(salted, "Client Key")
	sum := c.h()
	sum.Write(clientKey)
	storedKey := sum.Sum(nil)
	withoutProof := "c=biws,r=" + nonce
	authMsg := c.clientFirst + "," + serverFirst + "," + withoutProof
	proof := c.hmac(storedKey, authMsg)
	for i := range proof {
		proof[i] ^= clientKey[i]
	}
	c.serverSig = c.hmac(c.hmac(salted, "Server Key"), authMsg)
	return []byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

func (c *scramClient) hmac(key []byte, msg string) []byte {
	m := hmac.New(c.h, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// Complete returns nil once the server's signature has been verified.
func (c *scramClient) Complete() error {
	if c.verified {
		return nil
	}
	return errScramNotVerified
}

// saslprep applies the subset of RFC 4013 documented on
// NewScramSHA256Client.
func saslprep(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("not valid UTF-8")
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 || s[i] == 0x7f {
			ascii = false
			break
		}
	}
	if ascii {
		return s, nil
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 0xAD || r == 0x34F || r == 0x1806 || (r >= 0x180B && r <= 0x180D) || (r >= 0x200B && r <= 0x200D) || r == 0x2060 || (r >= 0xFE00 && r <= 0xFE0F) || r == 0xFEFF:
			continue // RFC 3454 table B.1: mapped to nothing
		case r != ' ' && unicode.Is(unicode.Zs, r):
			b.WriteByte(' ') // table C.1.2
		case unicode.IsControl(r), unicode.Is(unicode.Co, r), unicode.Is(unicode.Cs, r), r >= 0xFFFE && r <= 0xFFFF:
			return "", errors.New("prohibited character")
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
