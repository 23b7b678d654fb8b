package header

import "sync"

// scratch holds the working buffers of one Scan (or one ParseAddressList).
// They are reused through a pool, so a scan allocates only what it returns:
// the one string every text field slices, and the addresses.
type scratch struct {
	arena []byte     // decoded text of every kept field
	spans []addrSpan // addresses written to arena
	words []addrWord // words of the address-list entry being read
	tmp   []byte     // an address or display name being assembled
	ids   [][2]int   // arena ranges of the message ids of Scan
}

// slowPaths turns off the fast paths that skip work when a value is plain
// (an address without white space or comments, a display name as written,
// a message id without folds), so that the fuzz tests can check that both
// ways give the same summary. Only tests set it.
var slowPaths bool

// maxPooled bounds the buffers a scratch may keep when it goes back to the
// pool, so that one hostile head does not pin memory.
const maxPooled = 64 << 10

var scratchPool = sync.Pool{New: func() any {
	return &scratch{
		arena: make([]byte, 0, 1024),
		spans: make([]addrSpan, 0, 16),
		words: make([]addrWord, 0, 16),
		tmp:   make([]byte, 0, 256),
	}
}}

func getScratch() *scratch {
	sc := scratchPool.Get().(*scratch)
	sc.arena, sc.spans, sc.words, sc.tmp, sc.ids = sc.arena[:0], sc.spans[:0], sc.words[:0], sc.tmp[:0], sc.ids[:0]
	return sc
}

func putScratch(sc *scratch) {
	if cap(sc.arena) > maxPooled || cap(sc.tmp) > maxPooled || cap(sc.spans) > maxPooled/32 || cap(sc.words) > maxPooled/32 || cap(sc.ids) > maxPooled/16 {
		return
	}
	clear(sc.words[:cap(sc.words)]) // they point into the caller's data
	scratchPool.Put(sc)
}
