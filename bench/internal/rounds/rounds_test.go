package rounds

import (
	"strings"
	"testing"
)

func TestRatios(t *testing.T) {
	r := Ratios{Name: "list", Unit: "wall"}
	if r.Median() != 0 || r.Min() != 0 || r.Max() != 0 {
		t.Fatal("empty ratios must report 0")
	}
	if got := r.Add(2, 0); got != 0 || r.Len() != 0 {
		t.Fatalf("anchor 0 recorded a ratio: %v, len %d", got, r.Len())
	}
	for _, p := range [][2]float64{{3, 2}, {1, 1}, {2, 4}} {
		r.Add(p[0], p[1])
	}
	if r.Median() != 1 || r.Min() != 0.5 || r.Max() != 1.5 {
		t.Fatalf("median %v min %v max %v", r.Median(), r.Min(), r.Max())
	}
	r.Add(4, 2)
	if r.Median() != 1.25 {
		t.Fatalf("even median %v, want 1.25", r.Median())
	}
	want := "list (wall): rounds 1.50 1.00 0.50 2.00 -> median 1.25 [0.50-2.00]"
	if r.String() != want {
		t.Fatalf("got %q\nwant %q", r.String(), want)
	}
	if !strings.Contains(Settings(), "GOMAXPROCS=") {
		t.Fatal(Settings())
	}
}
