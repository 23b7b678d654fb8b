package imap

import (
	"errors"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/email"
)

func TestCapabilities(t *testing.T) {
	s := NewSession(true, Limits{})
	s.caps = imap.CapSet{"IMAP4rev1": {}, "IDLE": {}, "AUTH=PLAIN": {}}
	got := s.Capabilities()
	want := []string{"AUTH=PLAIN", "IDLE", "IMAP4REV1"}
	if len(got) != len(want) {
		t.Fatalf("Capabilities() = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Capabilities() = %q, want %q", got, want)
		}
	}
	if !s.HasCapability("idle") || !s.HasCapability("IDLE") || s.HasCapability("MOVE") {
		t.Errorf("HasCapability: idle %v, IDLE %v, MOVE %v", s.HasCapability("idle"), s.HasCapability("IDLE"), s.HasCapability("MOVE"))
	}
	if len(s.EnabledCapabilities()) != 0 {
		t.Errorf("EnabledCapabilities() = %q on a fresh session", s.EnabledCapabilities())
	}
}

func TestCommandErrorCodeIsOurs(t *testing.T) {
	var err error = &CommandError{Command: "SELECT", Type: "NO", Code: "TRYCREATE", Text: "no such mailbox"}
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Code != "TRYCREATE" || !errors.Is(err, email.ErrNotFound) {
		t.Fatalf("errors.As %v, code %q, ErrNotFound %v", ce != nil, ce.Code, errors.Is(err, email.ErrNotFound))
	}
	if want := "imap: SELECT: NO [TRYCREATE] no such mailbox"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}
