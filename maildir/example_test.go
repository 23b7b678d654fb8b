package maildir_test

import (
	"fmt"
	"io/fs"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// Drive a step machine by hand: resume it with the results of the file
// requests it asks for. Here the answers come from a tiny table standing in
// for the disk; a real driver performs them (client.RunFiles does, running
// each batch in parallel).
func Example() {
	store := maildir.Store{Root: "/home/me/Mail"}
	disk := map[string][]coroutine.DirEntry{
		"/home/me/Mail/new": {{Name: "1700000000.M1P1.host"}},
		"/home/me/Mail/cur": {{Name: "1690000000.M2P2.host,S=61:2,FS"}, {Name: ".hidden"}},
	}
	heads := map[string]string{
		"/home/me/Mail/new/1700000000.M1P1.host":           "Subject: fresh\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n\r\nhi\r\n",
		"/home/me/Mail/cur/1690000000.M2P2.host,S=61:2,FS": "Subject: older\r\nDate: Sat, 22 Jul 2023 04:26:40 +0000\r\n\r\nhello\r\n",
	}

	m := store.ListEnvelopes("INBOX", email.ListOptions{})
	var in []coroutine.FileResult
	for {
		reqs, done := m.Resume(in)
		if done {
			break
		}
		in = make([]coroutine.FileResult, len(reqs))
		for i, r := range reqs {
			switch r.Op {
			case coroutine.FileList:
				in[i] = coroutine.FileResult{Entries: disk[r.Path]}
			case coroutine.FileStat:
				in[i] = coroutine.FileResult{IsDir: true}
			case coroutine.FileRead:
				h, ok := heads[r.Path]
				if !ok {
					in[i].Err = fs.ErrNotExist // dovecot-keywords
					continue
				}
				in[i] = coroutine.FileResult{Data: []byte(h), Size: int64(len(h)), ModTime: time.Unix(0, 0)}
			}
		}
	}
	envs, err := m.Result()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range envs {
		fmt.Println(e.ID, e.Subject, e.Date.Format(time.DateOnly), e.Flags.Raw(), e.Size)
	}
	// Output:
	// 1700000000.M1P1.host fresh 2023-11-14 [] 61
	// 1690000000.M2P2.host,S=61 older 2023-07-22 [\Seen \Flagged] 61
}

// Mailbox names map to directories by layout.
func ExampleStore_Dir() {
	pp := maildir.Store{Root: "/m"}
	fsl := maildir.Store{Root: "/m", Layout: maildir.LayoutFS}
	a, _ := pp.Dir("Lists/Go")
	b, _ := fsl.Dir("Lists/Go")
	c, _ := pp.Dir("inbox")
	_, err := pp.Dir("../etc")
	fmt.Println(a, b, c)
	fmt.Println(err)
	// Output:
	// /m/.Lists.Go /m/Lists/Go /m
	// email: invalid mailbox name "../etc": "." and ".." are not names
}

// File names split into key, flags and Dovecot fields.
func ExampleParseName() {
	n, _ := maildir.ParseName("1035478339.27041_118.foo.org,S=1000,W=1030:2,Sa", ':')
	fmt.Println(n.Key, n.Flags, n.Size, n.VSize)
	kw := maildir.ParseKeywords([]byte("0 Work\n"))
	fmt.Println(n.FlagSet(kw).Raw())
	// Output:
	// 1035478339.27041_118.foo.org,S=1000,W=1030 Sa 1000 1030
	// [\Seen Work]
}
