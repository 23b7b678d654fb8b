package imap

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// FuzzParseIDs checks the validation of message ids (comma-separated in
// the input): they are refused with ErrInvalidID or ErrInvalidArgument,
// or each is the canonical decimal of its UID, and the set holds exactly
// those UIDs and reads back from its wire form.
func FuzzParseIDs(f *testing.F) {
	for _, s := range []string{"1", "1,2,3", "4294967295", "4294967296", "0", "01", "+1", "1,1", "", "7, 8", "-1", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids := strings.Split(s, ",")
		uids, set, err := parseIDs(ids)
		if err != nil {
			if !errors.Is(err, email.ErrInvalidID) && !errors.Is(err, email.ErrInvalidArgument) {
				t.Fatalf("%q: untyped error %v", s, err)
			}
			return
		}
		if len(uids) != len(ids) {
			t.Fatalf("%q: %d UIDs of %d ids", s, len(uids), len(ids))
		}
		for i, u := range uids {
			if u == 0 || formatUID(u) != ids[i] || !set.Contains(u) {
				t.Fatalf("%q: id %q read as UID %d (in set %v: %v)", s, ids[i], u, set, set.Contains(u))
			}
		}
		back, err := wire.ParseUIDSet(set.String())
		if err != nil {
			t.Fatalf("%q: set %q does not read back: %v", s, set.String(), err)
		}
		for _, u := range uids {
			if !back.Contains(u) {
				t.Fatalf("%q: %d missing from %q", s, u, set.String())
			}
		}
		if nums, ok := expandSet(set, len(uids)); ok && len(nums) > len(uids) {
			t.Fatalf("%q: the set %v holds %d UIDs, more than the %d ids", s, set, len(nums), len(uids))
		}
	})
}

// FuzzDecodeMailboxState checks the state DiffMailboxes hands out and
// reads back: any bytes are refused or decoded, never panic, and what
// decodes encodes to a state that decodes to the same mailboxes (a state
// the caller stored from an older run keeps its meaning).
func FuzzDecodeMailboxState(f *testing.F) {
	f.Add(string(encodeMailboxState(map[string]string{"INBOX": "5:12:3", "Sent": "1:2:0", "a\tb": "x"})))
	f.Add(string(encodeMailboxState(nil)))
	f.Add(mailboxStateMagic + "sig\tINBOX")
	f.Add(mailboxStateMagic + "no tab\n")
	f.Add("imap-mailboxes-0\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := decodeMailboxState(email.State(s))
		if !ok {
			return
		}
		again, ok := decodeMailboxState(encodeMailboxState(m))
		if !ok || !maps.Equal(m, again) {
			t.Fatalf("%q decodes as %v, re-encoded decodes as %v (%v)", s, m, again, ok)
		}
	})
}
