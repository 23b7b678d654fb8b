package maildir

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// uniqueKey mints the key of a new message file (storage-formats 1.2):
//
//	<secs>.R<16 hex random>M<usecs>P<pid>Q<seq>.<host>,S=<size>
//
// from the injected clock, entropy and host name. The 64 random bits are
// the real guarantee of uniqueness (containers share host names and pids);
// the time, pid and sequence number make names readable and sortable. The
// host name is escaped as the Maildir specification says ("/" as \057, ":"
// as \072), and so are ";", ",", "\" and bytes outside printable ASCII, so
// that no separator or size field can be forged through it. ",S=" is
// Courier's and Dovecot's size field; readers use it to skip a stat.
//
// A negative size leaves the ",S=" field out.
func (s Store) uniqueKey(seq int, size int) (string, error) {
	var rnd [8]byte
	if _, err := io.ReadFull(s.Entropy, rnd[:]); err != nil {
		return "", fmt.Errorf("maildir: reading entropy: %v: %w", err, email.ErrInvalidArgument)
	}
	now := s.Clock()
	var b strings.Builder
	b.Grow(96)
	b.WriteString(strconv.FormatInt(now.Unix(), 10))
	b.WriteString(".R")
	b.WriteString(hex.EncodeToString(rnd[:]))
	b.WriteByte('M')
	b.WriteString(strconv.Itoa(now.Nanosecond() / 1000))
	if s.Pid > 0 {
		b.WriteByte('P')
		b.WriteString(strconv.Itoa(s.Pid))
	}
	b.WriteByte('Q')
	b.WriteString(strconv.Itoa(seq))
	b.WriteByte('.')
	b.WriteString(escapeHost(s.Hostname))
	if size >= 0 {
		b.WriteString(",S=")
		b.WriteString(strconv.Itoa(size))
	}
	return b.String(), nil
}

// randomHex returns 16 hex digits of entropy, for temporary names.
func (s Store) randomHex() (string, error) {
	var rnd [8]byte
	if _, err := io.ReadFull(s.Entropy, rnd[:]); err != nil {
		return "", fmt.Errorf("maildir: reading entropy: %v: %w", err, email.ErrInvalidArgument)
	}
	return hex.EncodeToString(rnd[:]), nil
}

// escapeHost escapes a host name for a unique name; "" becomes
// "localhost" and the result is at most 255 bytes.
func escapeHost(h string) string {
	if h == "" {
		return "localhost"
	}
	var b strings.Builder
	for i := 0; i < len(h) && b.Len() < 255; i++ {
		c := h[i]
		if c <= ' ' || c >= 0x7f || c == '/' || c == ':' || c == ';' || c == ',' || c == '\\' {
			fmt.Fprintf(&b, `\%03o`, c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
