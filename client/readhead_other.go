//go:build !unix

package client

import "github.com/ioemail/ioemail/coroutine"

func (w *fileWorker) readHead(p string, limit int64) coroutine.FileResult {
	return readFile(p, limit)
}
