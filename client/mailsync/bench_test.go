package mailsync

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkNothingChanged10k measures a run with nothing changed on a
// pair of in-memory stores of 10,000 messages: the engine's own cost
// (state file, planner), the stores' diffs being nearly free.
func BenchmarkNothingChanged10k(b *testing.B) {
	sa, sb := newMemStore("a"), newMemStore("b")
	for i := range 10000 {
		sa.put("INBOX", fmt.Sprintf("m%d@bench", i))
	}
	e, err := New(sa, sb, filepath.Join(b.TempDir(), "state.json"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.Once(context.Background()); err != nil {
		b.Fatal(err)
	}
	path := e.path
	b.ResetTimer()
	for b.Loop() {
		// A new engine each time, as each run of a command: the state
		// file is read again.
		e, err := New(sa, sb, path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Once(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlan10k measures the planner alone on one mailbox of 10,000
// paired messages with 100 changes on each side.
func BenchmarkPlan10k(b *testing.B) {
	var in BoxInput
	in.Name, in.Exists, in.Known = [2]string{"INBOX", "INBOX"}, [2]bool{true, true}, true
	for i := range 10000 {
		m := Msg{ID: fmt.Sprint(i), MessageID: fmt.Sprintf("m%d@bench", i), Size: 1000}
		p := pairOf(m)
		p.ID = [2]string{m.ID, m.ID}
		p.Known = [2]bool{true, true}
		in.Pairs = append(in.Pairs, p)
		ma, mb := m, m
		if i < 100 {
			ma.Flags = flagList(propFlags[:1])
		} else if i < 200 {
			mb.Flags = flagList(propFlags[1:2])
		}
		in.View[A] = append(in.View[A], ma)
		in.View[B] = append(in.View[B], mb)
	}
	for b.Loop() {
		p := MakePlan([]BoxInput{in}, Rules{})
		if len(p.Boxes[0].Flags[A]) != 100 {
			b.Fatal(len(p.Boxes[0].Flags[A]))
		}
	}
}
