package email_test

import (
	"testing"

	"github.com/ioemail/ioemail/email"
)

func TestMailboxCounts(t *testing.T) {
	if total, unread, ok := (email.Mailbox{ID: "INBOX"}).Counts(); ok || total != 0 || unread != 0 {
		t.Errorf("no counts: got %d, %d, %v", total, unread, ok)
	}
	if total, unread, ok := (email.Mailbox{Total: email.IntPtr(0), Unread: email.IntPtr(0)}).Counts(); !ok || total != 0 || unread != 0 {
		t.Errorf("empty mailbox: got %d, %d, %v", total, unread, ok)
	}
	if total, unread, ok := (email.Mailbox{Total: email.IntPtr(7), Unread: email.IntPtr(2)}).Counts(); !ok || total != 7 || unread != 2 {
		t.Errorf("counts: got %d, %d, %v", total, unread, ok)
	}
	if _, _, ok := (email.Mailbox{Total: email.IntPtr(7)}).Counts(); ok {
		t.Error("Total alone counts as known")
	}
}
