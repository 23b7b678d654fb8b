package client

import "errors"

var errIsDir = errors.New("is a directory")

// arenaChunk is the size of the blocks head reads are copied into.
const arenaChunk = 256 << 10

// maxDirs is how many directory descriptors a worker keeps open during a
// batch for opening files relative to them.
const maxDirs = 8

// fileWorker is the state one goroutine of the file driver keeps during a
// batch: a scratch buffer for reads, an arena the reads whose bytes the
// machine keeps are copied into, and the directories it opened, so that a
// head read opens its file relative to its directory (openat) instead of
// walking the whole path again. close releases the directories.
type fileWorker struct {
	scratch []byte
	arena   []byte
	dirs    []openDir
}

// openDir is a directory a worker opened, or failed to open (fd < 0).
type openDir struct {
	path string
	fd   int
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
