//go:build !unix

package client

import "github.com/ioemail/ioemail/coroutine"

func (w *fileWorker) readHead(p string, r coroutine.FileRequest) coroutine.FileResult {
	res := readFile(p, r.Limit)
	if r.Digest != nil && res.Err == nil {
		res.Digest = r.Digest(res.Data, res.Size)
	}
	return res
}

func (w *fileWorker) close() {}
