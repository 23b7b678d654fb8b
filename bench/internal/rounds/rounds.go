// Package rounds reports a comparison the way every bench program does:
// the ratio of ours to the anchor for each round, then the median and the
// spread, so that a README figure can be checked against a rerun.
package rounds

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
)

// Ratios collects one ratio (ours / anchor) per round of one comparison.
type Ratios struct {
	// Name names the comparison on its summary line.
	Name string
	// Unit names what is compared ("wall", "CPU", "heap").
	Unit string
	vals []float64
}

// Add records one round's figures, ours and the anchor's, and returns the
// ratio. An anchor of 0 records no ratio and returns 0.
func (r *Ratios) Add(ours, anchor float64) float64 {
	if anchor == 0 {
		return 0
	}
	v := ours / anchor
	r.vals = append(r.vals, v)
	return v
}

// Len is how many rounds were recorded.
func (r *Ratios) Len() int { return len(r.vals) }

// Median is the median ratio (the mean of the middle two for an even
// count); 0 with no rounds.
func (r *Ratios) Median() float64 {
	if len(r.vals) == 0 {
		return 0
	}
	s := slices.Clone(r.vals)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Min and Max are the smallest and largest ratios; 0 with no rounds.
func (r *Ratios) Min() float64 {
	if len(r.vals) == 0 {
		return 0
	}
	return slices.Min(r.vals)
}

// Max is the largest ratio; 0 with no rounds.
func (r *Ratios) Max() float64 {
	if len(r.vals) == 0 {
		return 0
	}
	return slices.Max(r.vals)
}

// String is the summary line: every round's ratio, then the median and the
// range, as "name (wall): rounds 1.02 0.97 1.10 -> median 1.02 [0.97-1.10]".
func (r *Ratios) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): rounds", r.Name, r.Unit)
	for _, v := range r.vals {
		fmt.Fprintf(&b, " %.2f", v)
	}
	fmt.Fprintf(&b, " -> median %.2f [%.2f-%.2f]", r.Median(), r.Min(), r.Max())
	return b.String()
}

// Print writes the summary line to w.
func (r *Ratios) Print(w io.Writer) { fmt.Fprintln(w, r.String()) }

// Settings is the line every program prints first: the Go version, the
// GOMAXPROCS in effect and the CPU count, so that a figure taken under
// special settings is labelled by its own output.
func Settings() string {
	note := "default"
	if runtime.GOMAXPROCS(0) != runtime.NumCPU() {
		note = "NOT the default"
	}
	return fmt.Sprintf("%s, GOMAXPROCS=%d (%s; %d CPUs)", runtime.Version(), runtime.GOMAXPROCS(0), note, runtime.NumCPU())
}
