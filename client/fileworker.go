package client

import "errors"

var errIsDir = errors.New("is a directory")

// arenaChunk is the size of the blocks head reads are copied into.
const arenaChunk = 256 << 10

// fileWorker is the state one goroutine of the file driver keeps between
// requests: a scratch buffer for reads and an arena their results are
// copied into.
type fileWorker struct {
	scratch []byte
	arena   []byte
}

// keep copies b into the arena and returns the copy, whose capacity ends
// at its length so that appending to it never overwrites a neighbour.
func (w *fileWorker) keep(b []byte) []byte {
	if len(b) == 0 {
		return []byte{}
	}
	if cap(w.arena)-len(w.arena) < len(b) {
		w.arena = make([]byte, 0, max(arenaChunk, len(b)))
	}
	start := len(w.arena)
	w.arena = append(w.arena, b...)
	return w.arena[start:len(w.arena):len(w.arena)]
}
