package m2dir

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// ChecksumLen is the length of the checksum part of an id.
const ChecksumLen = 16

// maxNonce bounds the nonce part of an id that readers accept.
const maxNonce = 64

// nonceBytes is how many random bytes a new nonce holds.
const nonceBytes = 6

// Checksum returns the m2dir checksum of a message: base64url of 12 bytes,
// the length as a little-endian uint32 followed by the little-endian
// FNV-1a-64 hash (offset 0xcbf29ce484222325, prime 0x100000001b3) of those
// 4 bytes and the message. The length wraps for messages of 4 GiB or more,
// as in the other implementations.
func Checksum(msg []byte) string {
	var b [12]byte
	binary.LittleEndian.PutUint32(b[:4], uint32(len(msg)))
	h := fnv.New64a()
	h.Write(b[:4])
	h.Write(msg)
	binary.LittleEndian.PutUint64(b[4:], h.Sum64())
	return base64.URLEncoding.EncodeToString(b[:])
}

// ParseID splits an id into its checksum and nonce. It reports false unless
// the id is 16 base64url characters, optionally followed by "." and a nonce
// of 1 to 64 characters from the base64 alphabets (both), "=" padding
// included. The nonce is "" for an id without one.
func ParseID(id string) (checksum, nonce string, ok bool) {
	if len(id) < ChecksumLen {
		return "", "", false
	}
	for i := 0; i < ChecksumLen; i++ {
		if !isB64URL(id[i]) {
			return "", "", false
		}
	}
	checksum, rest := id[:ChecksumLen], id[ChecksumLen:]
	if rest == "" {
		return checksum, "", true
	}
	if rest[0] != '.' || len(rest) < 2 || len(rest) > maxNonce+1 {
		return "", "", false
	}
	nonce = rest[1:]
	for i := 0; i < len(nonce); i++ {
		if c := nonce[i]; !isB64URL(c) && c != '=' && c != '+' {
			return "", "", false
		}
	}
	return checksum, nonce, true
}

func isB64URL(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// ParseFileName returns the id of a message file name "<human part>,<id>":
// the text after the last comma. It reports false for names starting with
// "." and for names whose id ParseID refuses; those are not messages.
func ParseFileName(name string) (id string, ok bool) {
	if name == "" || name[0] == '.' {
		return "", false
	}
	i := strings.LastIndexByte(name, ',')
	if i < 0 || strings.IndexByte(name, '/') >= 0 {
		return "", false
	}
	id = name[i+1:]
	if _, _, ok := ParseID(id); !ok {
		return "", false
	}
	return id, true
}

// checkID returns a *IDError when id is not a valid message id.
func checkID(id string) error {
	if _, _, ok := ParseID(id); !ok {
		return &IDError{ID: id}
	}
	return nil
}

// IDError reports a malformed message id; it matches email.ErrInvalidID.
type IDError struct {
	// ID is the id as given.
	ID string
}

// Error implements error.
func (e *IDError) Error() string { return fmt.Sprintf("m2dir: invalid message id %q", e.ID) }

// Is makes errors.Is(err, email.ErrInvalidID) true.
func (e *IDError) Is(target error) bool { return target == email.ErrInvalidID }

// newNonce draws a nonce from r: base64url of nonceBytes random bytes.
func newNonce(r io.Reader) (string, error) {
	var b [nonceBytes]byte
	if r == nil {
		return "", fmt.Errorf("m2dir: no entropy source: %w", email.ErrInvalidArgument)
	}
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("m2dir: reading entropy: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// tempName returns a fresh temporary file name from r.
func tempName(r io.Reader) (string, error) {
	n, err := newNonce(r)
	if err != nil {
		return "", err
	}
	return TempPrefix + n, nil
}

// humanPart builds the human-centric part of a file name from the header
// date (UTC, else the fallback time) and sender: "2006-01-02_150405_user@host",
// free of ":", "/", "\", "," and control bytes so it is safe on every file
// system. Readers never parse it.
func humanPart(s headerInfo) string {
	var b strings.Builder
	b.WriteString(s.date.UTC().Format("2006-01-02_150405"))
	if s.from != "" {
		b.WriteByte('_')
		for i := 0; i < len(s.from) && b.Len() < 64; i++ {
			c := s.from[i]
			if isB64URL(c) || c == '@' || c == '.' || c == '+' {
				b.WriteByte(c)
			} else {
				b.WriteByte('_')
			}
		}
	}
	return b.String()
}
