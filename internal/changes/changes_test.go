package changes

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestStateRoundTrip(t *testing.T) {
	snap := Snapshot{}
	for i := range 1000 {
		snap[fmt.Sprintf("1700000000.R%016xM1P2Q%d.host", i*7919, i)] = Item{Hash: uint64(i) * 31, Stamp: uint64(i % 3)}
	}
	st := Encode('m', "/a", snap)
	assert.Less(t, len(st), 1000*12, "compact: %d bytes for 1000 messages", len(st))
	back, ok := Decode('m', "/a", st)
	require.True(t, ok)
	require.Len(t, back, len(snap))
	for id, it := range snap {
		assert.Equal(t, it.Hash, back[id].Hash)
		assert.Equal(t, it.Stamp, back[id].Stamp)
	}
	_, ok = Decode('2', "/a", st)
	assert.False(t, ok, "another backend's state")
	_, ok = Decode('m', "/b", st)
	assert.False(t, ok, "another folder's state")
	_, ok = Decode('m', "/a", nil)
	assert.False(t, ok)
	empty, ok := Decode('m', "/a", Encode('m', "/a", nil))
	assert.True(t, ok)
	assert.Empty(t, empty)
}

func TestFlagsHash(t *testing.T) {
	assert.Equal(t, FlagsHash(email.ParseFlags(`\Seen`, "Work")), FlagsHash(email.ParseFlags("work", "$seen")))
	assert.NotEqual(t, FlagsHash(email.ParseFlags(`\Seen`)), FlagsHash(nil))
}

func TestCompareAndEvents(t *testing.T) {
	seen, work := email.ParseFlags(`\Seen`), email.ParseFlags(`\Seen`, "Work")
	old := Snapshot{"a": {Hash: FlagsHash(seen), Flags: seen}, "b": {Hash: FlagsHash(work), Flags: work}, "gone": {}}
	cur := Snapshot{"a": {Hash: FlagsHash(work), Flags: work}, "b": {Hash: FlagsHash(work), Flags: work}, "new": {}}
	d := Compare(old, cur)
	assert.Equal(t, Delta{Added: []string{"new"}, Vanished: []string{"gone"}, Changed: []string{"a"}}, d)
	evs := Events("INBOX", d, old, cur, []email.Envelope{{ID: "new"}})
	require.Len(t, evs, 3)
	assert.Equal(t, email.EnvelopeRemoved, evs[0].Kind)
	assert.Equal(t, email.FlagsAdded, evs[1].Kind)
	assert.Equal(t, []string{"Work"}, evs[1].Flags.Raw())
	assert.Equal(t, "new", evs[2].Envelope.ID)
}

func TestFolders(t *testing.T) {
	st := EncodeFolders('2', "/r", []Folder{{"INBOX", 1}, {"Sent", 2}, {"Old", 3}})
	d, ok := DiffFolders('2', "/r", st, []Folder{{"INBOX", 1}, {"Sent", 5}, {"New", 1}})
	require.True(t, ok)
	assert.Equal(t, []string{"New"}, d.Created)
	assert.Equal(t, []string{"Sent"}, d.Updated)
	assert.Equal(t, []string{"Old"}, d.Deleted)
	_, ok = DiffFolders('2', "/r", Encode('2', "/r", nil), nil)
	assert.False(t, ok, "an envelope state is not a mailbox state")
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(Encode('m', "", Snapshot{"a": {Hash: 1}, "ab": {Hash: 2, Stamp: 9}})))
	f.Add([]byte(Encode('m', "", nil)))
	f.Add([]byte("ioem\x01garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		snap, ok := Decode('m', "", b)
		if !ok {
			return
		}
		again, ok := Decode('m', "", Encode('m', "", snap))
		if !ok || len(again) != len(snap) {
			t.Fatalf("re-encoding lost entries: %d != %d", len(again), len(snap))
		}
	})
}
