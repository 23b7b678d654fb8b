package m2dir_test

import (
	"fmt"
	"io/fs"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/m2dir"
)

// The message of the examples below, under its m2dir id.
var (
	exampleRaw = "Subject: hi\r\n\r\nhello\r\n"
	exampleID  = m2dir.Checksum([]byte(exampleRaw)) + ".AAAAAAAA"
)

// exampleFolder answers file requests from a table standing in for the
// folder /mail/INBOX holding exampleRaw, flagged \Seen.
func exampleFolder(reqs []coroutine.FileRequest) []coroutine.FileResult {
	files := map[string]string{
		"/mail/INBOX/1970-01-01_000000," + exampleID: exampleRaw,
		"/mail/INBOX/.meta/" + exampleID + ".flags":  "\\Seen\n",
	}
	out := make([]coroutine.FileResult, len(reqs))
	for i, r := range reqs {
		switch {
		case r.Op == coroutine.FileList && r.Path == "/mail/INBOX":
			out[i].Entries = []coroutine.DirEntry{{Name: ".m2dir"}, {Name: ".meta", IsDir: true}, {Name: "1970-01-01_000000," + exampleID}}
		case r.Op == coroutine.FileList:
			out[i].Entries = []coroutine.DirEntry{{Name: exampleID + ".flags"}}
		case r.Op == coroutine.FileRead:
			f, ok := files[r.Path]
			if !ok {
				out[i].Err = fs.ErrNotExist
				continue
			}
			out[i] = coroutine.FileResult{Data: []byte(f), Size: int64(len(f)), ModTime: time.Unix(0, 0)}
		}
	}
	return out
}

// Stream a folder's envelopes: after each step, Envelopes hands over those
// of the chunk just read, flags included.
func ExampleStore_EachEnvelope() {
	m := m2dir.Store{Root: "/mail"}.EachEnvelope("INBOX")
	var in []coroutine.FileResult
	for {
		reqs, done := m.Resume(in)
		for _, e := range m.Envelopes() {
			fmt.Println(e.ID == exampleID, e.Subject, e.Flags.Raw(), e.Size)
		}
		if done {
			break
		}
		in = exampleFolder(reqs)
	}
	n, err := m.Result()
	fmt.Println(n, err)
	// Output:
	// true hi [\Seen] 22
	// 1 <nil>
}

// Locate many messages with one listing, then check a message's bytes
// against its id as the caller's read of it ends.
func ExampleStore_LocateMessages() {
	m := m2dir.Store{Root: "/mail"}.LocateMessages("INBOX", []string{exampleID, "AAAAAAAAAAAAAAAA.gone"})
	var in []coroutine.FileResult
	for {
		reqs, done := m.Resume(in)
		if done {
			break
		}
		in = exampleFolder(reqs)
	}
	found, err := m.Result()
	for _, f := range found.Files {
		h := f.Read.Hash(int64(len(exampleRaw))) // what a driver does as it copies
		h.Write([]byte(exampleRaw))
		fmt.Println(f.Read.Op, f.Read.Path == "/mail/INBOX/1970-01-01_000000,"+exampleID, f.Verify("INBOX", h.Sum(nil)))
	}
	fmt.Println("missing:", found.Missing, err)
	// Output:
	// copyout true <nil>
	// missing: [AAAAAAAAAAAAAAAA.gone] <nil>
}
