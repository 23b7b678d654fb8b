package mailsync

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// TestApplyDiff checks each kind of change of a diff on a view, and that
// the view comes out sorted by id whatever order it came in.
func TestApplyDiff(t *testing.T) {
	seen := email.ParseFlags(`\Seen`)
	view := []Msg{{ID: "3", Size: 3}, {ID: "1", Size: 1}, {ID: "2", Size: 2}, {ID: "5", Size: 5}}
	d := email.EnvelopeDiff{
		New: []email.Envelope{
			{ID: "2", Size: 20}, // replaces
			{ID: "4", Size: 4},  // added
			{ID: "0", Size: 10}, // added, then flagged below
			{ID: "5", Size: 50}, // vanished and new again: kept, replaced
			{ID: "4", Size: 40}, // the same new id twice: the last wins
			{ID: "6", MessageID: "<x@y>", Size: 6},
		},
		Vanished:    []string{"3", "5", "9"},
		FlagUpdates: []email.FlagUpdate{{ID: "0", Flags: seen}, {ID: "1", Flags: seen}, {ID: "8", Flags: seen}},
	}
	got := applyDiff(view, d)
	var ids []string
	sizes := map[string]int64{}
	flags := map[string]string{}
	for _, m := range got {
		ids, sizes[m.ID], flags[m.ID] = append(ids, m.ID), m.Size, m.Flags.String()
	}
	require.Equal(t, []string{"0", "1", "2", "4", "5", "6"}, ids)
	require.Equal(t, map[string]int64{"0": 10, "1": 1, "2": 20, "4": 40, "5": 50, "6": 6}, sizes)
	require.Equal(t, `\Seen`, flags["0"])
	require.Equal(t, `\Seen`, flags["1"])
	require.Equal(t, "", flags["2"])
	require.Equal(t, "x@y", got[5].MessageID)
	require.Equal(t, "3", view[0].ID, "the view given is left as it was")
	require.Equal(t, got, applyDiff(got, email.EnvelopeDiff{}), "an empty diff changes nothing")
}
