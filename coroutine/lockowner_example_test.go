package coroutine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
)

// A machine that finds dovecot-uidlist.lock naming process 4242 of its
// host asks whether that process still runs; the driver answers that it
// is gone, and a script keeps the answer for replays.
func ExampleOwnerAlive() {
	req := coroutine.OwnerAlive("/mail/dovecot-uidlist.lock", 4242)
	fmt.Println(req.Op, req.Path, req.Limit)
	recorded, _ := json.Marshal([]coroutine.FileResult{{Err: fs.ErrNotExist}})
	fmt.Println(string(recorded))
	var replayed []coroutine.FileResult
	if err := json.Unmarshal(recorded, &replayed); err != nil {
		panic(err)
	}
	fmt.Println("gone:", errors.Is(replayed[0].Err, fs.ErrNotExist))
	// Output:
	// alive /mail/dovecot-uidlist.lock 4242
	// [{"err":"not-exist","err-text":"file does not exist"}]
	// gone: true
}
