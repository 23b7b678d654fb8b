package maildir

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestDir(t *testing.T) {
	pp := Store{Root: "/m"}
	fs := Store{Root: "/m/", Layout: LayoutFS}
	for _, c := range []struct {
		s          Store
		name, want string
	}{
		{pp, "", "/m"}, {pp, "INBOX", "/m"}, {pp, "inBox", "/m"}, {pp, "Sent", "/m/.Sent"},
		{pp, "Lists/Go", "/m/.Lists.Go"}, {pp, "Été", "/m/.Été"}, {pp, "a b", "/m/.a b"},
		{fs, "Inbox", "/m"}, {fs, "Lists/Go", "/m/Lists/Go"}, {fs, "a.b", "/m/a.b"},
	} {
		got, err := c.s.Dir(c.name)
		require.NoError(t, err, c.name)
		assert.Equal(t, c.want, got, c.name)
	}
}

func TestHostileNames(t *testing.T) {
	both := []string{
		"..", "../etc", "a/../b", "a/..", ".", "/abs", "a/", "a//b", "\x00", "a\x00b", "a\rb", "a\nb",
		"a\tb", "\x7f", "\xff\xfe", "INBOX/child", "inbox/x",
		strings.Repeat("x", 256), strings.Repeat("a/", 70) + "a",
	}
	ppOnly := []string{".hidden", "a.b", "Lists.Go", "a/.b"}
	fsOnly := []string{"cur", "new", "tmp", "a/cur", "x/tmp", "New/new"}
	check := func(s Store, names []string) {
		for _, n := range names {
			_, err := s.Dir(n)
			var ne *email.NameError
			require.True(t, errors.As(err, &ne), "%s: %q accepted", s.Layout, n)
			assert.ErrorIs(t, err, email.ErrInvalidName)
			assert.NotEmpty(t, ne.Reason)
			// Every operation refuses it before any I/O.
			m := s.CreateMailbox(n)
			_, done := m.Resume(nil)
			assert.True(t, done)
			_, err = m.Result()
			assert.ErrorIs(t, err, email.ErrInvalidName)
			_, done = s.ListEnvelopes(n, email.ListOptions{}).Resume(nil)
			assert.True(t, done)
		}
	}
	pp := Store{Root: "/m"}
	fs := Store{Root: "/m", Layout: LayoutFS}
	check(pp, both)
	check(fs, both)
	check(pp, ppOnly)
	check(fs, fsOnly)
	// Names another program may have made: usable, but not created.
	for _, c := range []struct {
		s     Store
		names []string
	}{
		{pp, []string{"~user", "a/~b", `a\b`}},
		{fs, []string{"~user", "a/~b", `a\b`, ".hidden", "a/.b"}},
	} {
		for _, n := range c.names {
			_, err := c.s.Dir(n)
			require.NoError(t, err, "%s: %q", c.s.Layout, n)
			assert.ErrorIs(t, c.s.ValidateName(n), email.ErrInvalidName, "%s: %q", c.s.Layout, n)
			_, done := c.s.CreateMailbox(n).Resume(nil)
			assert.True(t, done, "%s: CreateMailbox(%q) did I/O", c.s.Layout, n)
		}
	}
	_, err := pp.Dir(strings.Repeat("abcdefgh/", 30) + "x")
	assert.ErrorIs(t, err, email.ErrInvalidName, "flattened Maildir++ name over 255 bytes")
}

func TestStoreSettings(t *testing.T) {
	_, err := Store{}.Dir("INBOX")
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	_, err = Store{Root: "/m", Separator: '!'}.Dir("INBOX")
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	_, err = Store{Root: "/m", Layout: 7}.Dir("INBOX")
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	// Writing needs a clock and entropy.
	_, done := Store{Root: "/m"}.AddMessage("INBOX", []byte("x"), nil).Resume(nil)
	assert.True(t, done)
}

func TestBadIDs(t *testing.T) {
	s := Store{Root: "/m"}
	for _, id := range []string{"", ".x", "a/b", "a:2,S", "a\x00"} {
		_, err := s.GetMessage("INBOX", id).Result()
		// The machine is already done: Result is valid without a Resume.
		assert.ErrorIs(t, err, email.ErrInvalidID, "%q", id)
		_, err = s.DeleteMessages("INBOX", []string{"ok", id}).Result()
		assert.ErrorIs(t, err, email.ErrInvalidID, "%q", id)
	}
}
