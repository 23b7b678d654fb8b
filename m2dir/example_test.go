package m2dir_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

// The checksum that starts every message id.
func ExampleChecksum() {
	fmt.Println(m2dir.Checksum([]byte("hello world")))
	// Output: CwAAALaRBRpiAgP0
}

// Mailbox names become directory names level by level.
func ExampleEncodeName() {
	parts, _ := m2dir.EncodeName("inbox/.hidden/100%")
	fmt.Println(parts)
	// Output: [INBOX %2Ehidden 100%25]
}

// A machine does no I/O: it asks for batches of file requests and is
// resumed with their results. Here every request succeeds; a real program
// uses client.RunFiles, or client.New().WithM2dir(store).
func ExampleStore_AddMessage() {
	s := m2dir.Store{Root: "/mail", Entropy: bytes.NewReader(make([]byte, 64))}
	m := s.AddMessage("INBOX", []byte("Subject: hi\r\n\r\nhello\r\n"), email.ParseFlags(`\Seen`))
	var in []coroutine.FileResult
	for {
		reqs, done := m.Resume(in)
		if done {
			break
		}
		for _, r := range reqs {
			fmt.Println(strings.TrimSpace(fmt.Sprint(r.Op, " ", r.Path, " ", r.Target)))
		}
		in = make([]coroutine.FileResult, len(reqs))
	}
	id, err := m.Result()
	fmt.Println(id, err)
	// Output:
	// stat /mail/INBOX/.m2dir
	// mkdir /mail/INBOX/.meta
	// create /mail/INBOX/.m2dir.tmp.AAAAAAAA
	// create /mail/INBOX/.meta/.m2dir.tmp.AAAAAAAA.flags
	// rename /mail/INBOX/.meta/.m2dir.tmp.AAAAAAAA.flags /mail/INBOX/.meta/FgAAAJPUuX-KoYo5.AAAAAAAA.flags
	// rename /mail/INBOX/.m2dir.tmp.AAAAAAAA /mail/INBOX/1970-01-01_000000,FgAAAJPUuX-KoYo5.AAAAAAAA
	// syncdir /mail/INBOX
	// syncdir /mail/INBOX/.meta
	// FgAAAJPUuX-KoYo5.AAAAAAAA <nil>
}
