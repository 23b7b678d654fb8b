package imap

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// heapCost runs f and returns the bytes it allocated in total and the
// growth of the live heap it leaves behind (keep is kept alive).
func heapCost(f func() any) (total, live uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep := f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	live = 0
	if after.HeapAlloc > before.HeapAlloc {
		live = after.HeapAlloc - before.HeapAlloc
	}
	return after.TotalAlloc - before.TotalAlloc, live
}

// A hostile CAPABILITY line of 2.4 MB costs a small multiple of its size,
// in work (bytes allocated while handling it, the driver's own copy of
// the chunks included) and in what stays live. Before the bounds on lists
// and the doubling read buffer it allocated 52 times its size.
func TestHostileHugeCapabilityLine(t *testing.T) {
	line := "* CAPABILITY IMAP4rev1" + strings.Repeat(" A", 1200000) + "\r\n"
	server := []string{"* OK hi\r\n", line + "A1 OK caps\r\n"}
	total, live := heapCost(func() any {
		s := NewSession(true, Limits{})
		_, _, err := hostileDrive(Open(s, OpenOptions{}), server, 64<<10)
		assert.NoError(t, err)
		return s
	})
	t.Logf("line %d bytes: allocated %d, live %d", len(line), total, live)
	assert.Less(t, total, uint64(5*len(line)), "bytes allocated")
	assert.Less(t, live, uint64(len(line)), "bytes kept")
}
