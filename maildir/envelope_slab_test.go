package maildir

import (
	"slices"
	"testing"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
)

// TestEnvelopeSlabOwnership checks that envelopes built from one slab do
// not share what a caller may change: appending to or writing into one
// envelope's Flags, or through its HasAttachment, leaves the others as
// they were, and the flags match Name.FlagSet.
func TestEnvelopeSlabOwnership(t *testing.T) {
	var b envelopeSlab
	kw := &Keywords{}
	var envs []email.Envelope
	for i, info := range []string{"RS", "S", "RS", "", "FS"} {
		n, err := ParseName("1700000000.M1P1Q"+string(rune('a'+i))+".host:2,"+info, ':')
		if err != nil {
			t.Fatal(err)
		}
		e := Entry{Sub: "cur", File: n.Key, Name: n}
		envs = append(envs, b.envelope(e, header.Summary{HasAttachment: i%2 == 0}, coroutine.FileResult{Size: 10}, kw))
		if want := n.FlagSet(kw); !envs[i].Flags.Equal(want) {
			t.Fatalf("flags of %q = %v, want %v", info, envs[i].Flags, want)
		}
	}
	before := slices.Clone(envs[2].Flags)
	envs[0].Flags = append(envs[0].Flags, email.FlagOf(email.Draft))
	envs[0].Flags[0] = email.FlagOf(email.Deleted)
	*envs[0].HasAttachment = false
	if got := envs[2].Flags; !slices.Equal(got, before) {
		t.Errorf("changing the first envelope's flags changed the third's: %s, was %s", got, before)
	}
	if !envs[1].Flags.Has(email.FlagOf(email.Seen)) || len(envs[1].Flags) != 1 {
		t.Errorf("second envelope's flags = %v", envs[1].Flags)
	}
	if !*envs[2].HasAttachment || !*envs[4].HasAttachment || *envs[1].HasAttachment {
		t.Error("HasAttachment values are shared or wrong")
	}
	if envs[3].Flags == nil || len(envs[3].Flags) != 0 {
		t.Errorf("no flags should be an empty set, got %#v", envs[3].Flags)
	}
}
