package mailsync

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

var propFlags = []email.Flag{email.FlagSeen, email.FlagFlagged, email.FlagAnswered, email.ParseFlag("work")}
var propBoxes = []string{"INBOX", "Archive", "Lists/Go"}

// history makes random outside changes on one store and returns the
// Message-IDs it added, and those it deleted or moved (which the
// properties cannot expect in place).
type history struct {
	rng     *rand.Rand
	seq     int
	added   map[string]bool
	touched map[string]bool
}

func (h *history) msgids(m *memStore, box string) []string {
	var out []string
	for _, l := range m.content()[box] {
		id, _, _ := cutSpace(l)
		out = append(out, id)
	}
	return out
}

func cutSpace(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func (h *history) change(t *testing.T, m *memStore, allowReset bool) {
	ctx := context.Background()
	boxes := slices.Sorted(maps.Keys(m.boxes))
	box := boxes[h.rng.IntN(len(boxes))]
	ids := h.msgids(m, box)
	switch k := h.rng.IntN(12); {
	case k < 4 || len(ids) == 0: // new message
		h.seq++
		id := fmt.Sprintf("%s-%d@prop", m.name, h.seq)
		var fs []email.Flag
		if h.rng.IntN(2) == 0 {
			fs = append(fs, propFlags[h.rng.IntN(len(propFlags))])
		}
		m.put(box, id, fs...)
		h.added[id] = true
	case k < 7: // flag toggle
		msgid := ids[h.rng.IntN(len(ids))]
		f := propFlags[h.rng.IntN(len(propFlags))]
		op := email.FlagAdd
		if h.rng.IntN(2) == 0 {
			op = email.FlagRemove
		}
		require.NoError(t, m.StoreFlags(ctx, box, []string{m.where(msgid)[box]}, op, email.Flags{f}))
	case k < 9: // delete
		msgid := ids[h.rng.IntN(len(ids))]
		require.NoError(t, m.DeleteMessages(ctx, box, []string{m.where(msgid)[box]}))
		t.Logf("%s: delete %s %s", m.name, msgid, box)
		h.touched[msgid] = true
	case k < 10: // move to another mailbox, created when missing
		msgid := ids[h.rng.IntN(len(ids))]
		to := propBoxes[h.rng.IntN(len(propBoxes))]
		if to == box {
			return
		}
		if m.boxes[to] == nil {
			m.boxes[to] = newMemBox(1)
		}
		_, err := m.MoveMessages(ctx, box, to, []string{m.where(msgid)[box]})
		require.NoError(t, err)
		t.Logf("%s: move %s %s -> %s", m.name, msgid, box, to)
		h.touched[msgid] = true
	case k < 11 && allowReset: // UIDVALIDITY change
		m.reset(box)
		t.Logf("%s: reset %s", m.name, box)
	default: // a new mailbox with a message
		to := propBoxes[h.rng.IntN(len(propBoxes))]
		if m.boxes[to] == nil {
			m.boxes[to] = newMemBox(1)
		}
		h.seq++
		id := fmt.Sprintf("%s-%d@prop", m.name, h.seq)
		m.put(to, id)
		h.added[id] = true
	}
}

// TestPropertyConverges runs random two-sided histories: after every run
// the sides are equal, a second run changes nothing, every message added
// on either side is on both, and no Message-ID is on a side twice.
func TestPropertyConverges(t *testing.T) {
	for seed := range uint64(60) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 15))
			a, b := newMemStore("a"), newMemStore("b")
			e, err := New(a, b, filepath.Join(t.TempDir(), "state.json"), Options{FlagConflict: Side(seed % 2)})
			require.NoError(t, err)
			ha := &history{rng: rng, added: map[string]bool{}, touched: map[string]bool{}}
			hb := &history{rng: rng, added: map[string]bool{}, touched: map[string]bool{}}
			hb.seq = 1000
			for round := range 12 {
				before := present(a, b)
				for range rng.IntN(8) {
					ha.change(t, a, true)
				}
				for range rng.IntN(8) {
					hb.change(t, b, true)
				}
				once(t, e)
				ca, cb := a.content(), b.content()
				require.Equal(t, ca, cb, "round %d: sides differ", round)
				require.Zero(t, changes(once(t, e)), "round %d: a second run changes something", round)
				after := present(a, b)
				for id := range ha.added {
					require.True(t, after[id] || ha.touched[id], "round %d: %s added on A is lost", round, id)
				}
				for id := range hb.added {
					require.True(t, after[id] || hb.touched[id], "round %d: %s added on B is lost", round, id)
				}
				for id := range before {
					if !ha.touched[id] && !hb.touched[id] {
						require.True(t, after[id], "round %d: %s untouched is lost", round, id)
					}
				}
				noDuplicates(t, a)
				noDuplicates(t, b)
				clear(ha.added)
				clear(hb.added)
				clear(ha.touched)
				clear(hb.touched)
			}
		})
	}
}

// present returns the Message-IDs on either store.
func present(ms ...*memStore) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for _, lines := range m.content() {
			for _, l := range lines {
				id, _, _ := cutSpace(l)
				out[id] = true
			}
		}
	}
	return out
}

func noDuplicates(t *testing.T, m *memStore) {
	t.Helper()
	seen := map[string]string{}
	for box, lines := range m.content() {
		for _, l := range lines {
			id, _, _ := cutSpace(l)
			require.Empty(t, seen[id], "%s: %s in %s and %s", m.name, id, seen[id], box)
			seen[id] = box
		}
	}
}
