package wire

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Lists of tiny items cost a small multiple of the line (the read buffer
// is about 3.5 times it, fed in 64 KiB chunks), and keep at most MaxCaps
// or MaxFlags items; a search result, kept whole, costs its size once more
// (4 bytes per 2-byte number).
func TestHugeListsBounded(t *testing.T) {
	for _, c := range []struct {
		name, line string
		n          func(*Response) int
		max        int
		factor     int
	}{
		{"capability", "* CAPABILITY IMAP4rev1" + strings.Repeat(" A", 1200000) + "\r\n", func(r *Response) int { return len(r.Caps) }, MaxCaps, 5},
		{"flags", "* FLAGS (" + strings.Repeat("a ", 1200000) + ")\r\n", func(r *Response) int { return len(r.Flags) }, MaxFlags, 5},
		{"search", "* SEARCH" + strings.Repeat(" 7", 1200000) + "\r\n", func(r *Response) int { return len(r.Nums) }, 1200000, 6},
		{"fetch flags", "* 1 FETCH (UID 1 FLAGS (" + strings.Repeat("\\x ", 800000) + "))\r\n", func(r *Response) int { return len(r.Fetch.Flags) }, MaxFlags, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			var resp *Response
			var err error
			n := allocated(func() {
				var rd Reader
				for i := 0; i < len(c.line); i += 64 << 10 {
					rd.Feed([]byte(c.line[i:min(len(c.line), i+64<<10)]))
				}
				raw, _ := rd.Next()
				resp, err = Parse(raw)
			})
			require.NoError(t, err)
			assert.Equal(t, c.max, c.n(resp))
			t.Logf("%d-byte line: %d bytes allocated", len(c.line), n)
			assert.Less(t, n, uint64(c.factor*len(c.line)))
		})
	}
}

// A literal size that overflows 63 bits is a limit error that says so,
// not "a literal of -1 bytes".
func TestLiteralSizeOverflow(t *testing.T) {
	var rd Reader
	rd.Feed([]byte("* 1 FETCH (BODY[] {99999999999999999999999}\r\n"))
	_, err := rd.Next()
	require.ErrorIs(t, err, email.ErrTooLarge)
	var le *LimitError
	require.True(t, errors.As(err, &le))
	assert.True(t, le.Overflow)
	assert.NotContains(t, err.Error(), "-1")
	assert.Contains(t, err.Error(), "2^62")
}

// An unterminated section inside a skipped value stops at the end of the
// input (found by FuzzStateName: it used to run past it and panic).
func TestSkipValueUnterminatedSection(t *testing.T) {
	for _, raw := range []string{"* 0 FETCH (0000%[0000", "* 0 FETCH (X-ITEM a[b\r\n", "* 1 FETCH (UID 1 X a[b\n"} {
		assert.NotPanics(t, func() { Parse([]byte(raw)) }, "%q", raw)
	}
}
