// Package cleanup holds what the local stores share when they remove
// leftovers of interrupted writes.
package cleanup

import (
	"errors"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
)

// Removed counts the removals of a batch that succeeded. A removal that
// found nothing (another cleaner was first) is not counted and is no
// failure; failed is the index of the first other failure, or -1.
func Removed(in []coroutine.FileResult) (n, failed int) {
	failed = -1
	for i, r := range in {
		switch {
		case r.Err == nil:
			n++
		case !errors.Is(r.Err, fs.ErrNotExist) && failed < 0:
			failed = i
		}
	}
	return n, failed
}
