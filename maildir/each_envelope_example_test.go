package maildir_test

import (
	"fmt"
	"io/fs"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/maildir"
)

// exampleDisk answers file requests from a table standing in for a
// Maildir: a directory listing, a stat, a head read.
func exampleDisk(reqs []coroutine.FileRequest) []coroutine.FileResult {
	disk := map[string][]coroutine.DirEntry{
		"/home/me/Mail/new": {{Name: "1700000000.M1P1.host"}},
		"/home/me/Mail/cur": {{Name: "1690000000.M2P2.host,S=61:2,FS"}},
	}
	files := map[string]string{
		"/home/me/Mail/new/1700000000.M1P1.host":           "Subject: fresh\r\n\r\nhi\r\n",
		"/home/me/Mail/cur/1690000000.M2P2.host,S=61:2,FS": "Subject: older\r\n\r\nhello\r\n",
	}
	out := make([]coroutine.FileResult, len(reqs))
	for i, r := range reqs {
		switch r.Op {
		case coroutine.FileList:
			out[i] = coroutine.FileResult{Entries: disk[r.Path]}
		case coroutine.FileStat:
			out[i] = coroutine.FileResult{IsDir: true}
		case coroutine.FileRead:
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

// Stream a mailbox's envelopes: after each step, Envelopes hands over
// those of the chunk just read, so a large mailbox is never held whole.
func ExampleStore_EachEnvelope() {
	m := maildir.Store{Root: "/home/me/Mail"}.EachEnvelope("INBOX")
	var in []coroutine.FileResult
	for {
		reqs, done := m.Resume(in)
		for _, e := range m.Envelopes() {
			fmt.Println(e.ID, e.Subject, e.Flags.Raw())
		}
		if done {
			break
		}
		in = exampleDisk(reqs)
	}
	n, err := m.Result()
	fmt.Println(n, err)
	// Output:
	// 1700000000.M1P1.host fresh []
	// 1690000000.M2P2.host,S=61 older [\Seen \Flagged]
	// 2 <nil>
}

// Locate many messages with one scan; the caller then performs each
// file's Read (client.MaildirClient.GetMessages reads them ahead in
// parallel).
func ExampleStore_LocateMessages() {
	m := maildir.Store{Root: "/home/me/Mail"}.LocateMessages("INBOX", []string{"1690000000.M2P2.host,S=61", "gone", "1700000000.M1P1.host"})
	var in []coroutine.FileResult
	for {
		reqs, done := m.Resume(in)
		if done {
			break
		}
		in = exampleDisk(reqs)
	}
	found, err := m.Result()
	for _, f := range found.Files {
		fmt.Println(f.ID, f.Read.Op, f.Read.Path)
	}
	fmt.Println("missing:", found.Missing, err)
	// Output:
	// 1690000000.M2P2.host,S=61 copyout /home/me/Mail/cur/1690000000.M2P2.host,S=61:2,FS
	// 1700000000.M1P1.host copyout /home/me/Mail/new/1700000000.M1P1.host
	// missing: [gone] <nil>
}
