package email_test

import (
	"fmt"

	"github.com/ioemail/ioemail/email"
)

// Flags from different backends compare as one logical flag.
func ExampleParseFlag() {
	imap := email.ParseFlag(`\Seen`)
	jmap := email.ParseFlag("$seen")
	fmt.Println(imap.Equal(jmap), imap.IANA, jmap.Canonical())
	// Output: true seen \Seen
}

// Apply computes what StoreFlags does to a message's flags.
func ExampleFlags_Apply() {
	cur := email.ParseFlags(`\Seen`, "Work")
	next := cur.Apply(email.FlagAdd, email.Flags{email.FlagFlagged})
	fmt.Println(next.Raw())
	// Output: [\Seen \Flagged Work]
}
