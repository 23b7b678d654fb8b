package coroutine

// CopyOut returns a FileCopyOut request copying p to the operation's sink,
// refusing a file larger than limit (no limit when 0).
func CopyOut(p string, limit int64) FileRequest {
	return FileRequest{Op: FileCopyOut, Path: p, Limit: limit}
}

// CopyIn returns a FileCopyIn request creating p from the operation's
// source, refusing more than limit bytes (no limit when 0) and keeping the
// first head bytes in the result's Data.
func CopyIn(p string, limit, head int64) FileRequest {
	return FileRequest{Op: FileCopyIn, Path: p, Limit: limit, Head: head}
}

// Sink returns a NetSink request handing chunk to the operation's sink.
func Sink(chunk []byte) NetRequest { return NetRequest{Op: NetSink, Data: chunk} }

// Source returns a NetSource request for the next chunk of the operation's
// source, at most max bytes (driver's choice when 0).
func Source(max int) NetRequest { return NetRequest{Op: NetSource, Max: max} }
