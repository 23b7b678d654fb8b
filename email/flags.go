package email

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Flags is a set of flags kept in Compare order without duplicates. The
// methods never modify the receiver's backing array; they return new sets.
type Flags []Flag

// NewFlags returns the set holding fs, sorted and without duplicates.
func NewFlags(fs ...Flag) Flags {
	out := make(Flags, 0, len(fs))
	for _, f := range fs {
		if f.Raw == "" && f.IANA == Custom {
			continue
		}
		out = append(out, f)
	}
	slices.SortStableFunc(out, Flag.Compare)
	return slices.CompactFunc(out, Flag.Equal)
}

// ParseFlags classifies each raw spelling with ParseFlag and returns the set.
func ParseFlags(raw ...string) Flags {
	fs := make([]Flag, len(raw))
	for i, r := range raw {
		fs[i] = ParseFlag(r)
	}
	return NewFlags(fs...)
}

// Has reports whether the set holds a flag equal to f.
func (s Flags) Has(f Flag) bool {
	return slices.ContainsFunc(s, f.Equal)
}

// HasIANA reports whether the set holds the classified flag c.
func (s Flags) HasIANA(c IANA) bool {
	for _, f := range s {
		if f.IANA == c && c != Custom {
			return true
		}
	}
	return false
}

// Union returns the flags in s or in t. Where both hold a flag, the spelling
// of s is kept.
func (s Flags) Union(t Flags) Flags {
	out := make([]Flag, 0, len(s)+len(t))
	out = append(out, s...)
	out = append(out, t...)
	return NewFlags(out...)
}

// Minus returns the flags of s that t does not hold.
func (s Flags) Minus(t Flags) Flags {
	out := make(Flags, 0, len(s))
	for _, f := range s {
		if !t.Has(f) {
			out = append(out, f)
		}
	}
	return NewFlags(out...)
}

// Equal reports whether s and t hold the same logical flags.
func (s Flags) Equal(t Flags) bool {
	a, b := NewFlags(s...), NewFlags(t...)
	return slices.EqualFunc(a, b, Flag.Equal)
}

// Apply returns the result of changing s by op with the flags fs.
func (s Flags) Apply(op FlagOp, fs Flags) Flags {
	switch op {
	case FlagAdd:
		return s.Union(fs)
	case FlagRemove:
		return s.Minus(fs)
	case FlagSet:
		return NewFlags(fs...)
	}
	return NewFlags(s...)
}

// Raw returns the raw spellings in set order.
func (s Flags) Raw() []string {
	out := make([]string, len(s))
	for i, f := range s {
		out[i] = f.Raw
	}
	return out
}

// FlagOp says how StoreFlags combines the given flags with a message's
// current flags.
type FlagOp uint8

// The flag operations. The zero FlagOp is invalid so that a forgotten field
// is caught.
const (
	FlagAdd    FlagOp = iota + 1 // union: add the flags
	FlagRemove                   // difference: remove the flags
	FlagSet                      // replacement: the flags become exactly these
)

// String returns "add", "remove", "set", or "invalid".
func (op FlagOp) String() string {
	switch op {
	case FlagAdd:
		return "add"
	case FlagRemove:
		return "remove"
	case FlagSet:
		return "set"
	}
	return "invalid"
}

// Valid reports whether op is one of FlagAdd, FlagRemove, FlagSet.
func (op FlagOp) Valid() bool { return op >= FlagAdd && op <= FlagSet }

// MarshalText encodes op as its String, so that JSON carries "add",
// "remove" or "set". An invalid op fails with ErrInvalidArgument.
func (op FlagOp) MarshalText() ([]byte, error) {
	if !op.Valid() {
		return nil, fmt.Errorf("email: FlagOp %d: %w", uint8(op), ErrInvalidArgument)
	}
	return []byte(op.String()), nil
}

// UnmarshalText decodes "add", "remove" or "set" (ASCII case ignored).
// Anything else fails with ErrInvalidArgument.
func (op *FlagOp) UnmarshalText(b []byte) error {
	for v := FlagAdd; v <= FlagSet; v++ {
		if strings.EqualFold(string(b), v.String()) {
			*op = v
			return nil
		}
	}
	return fmt.Errorf("email: unknown FlagOp %q: %w", b, ErrInvalidArgument)
}

// UnmarshalJSON decodes the text form written by MarshalText, and the
// number 1, 2 or 3 that earlier versions wrote.
func (op *FlagOp) UnmarshalJSON(b []byte) error {
	var n uint8
	if err := json.Unmarshal(b, &n); err == nil {
		if v := FlagOp(n); v.Valid() {
			*op = v
			return nil
		}
		return fmt.Errorf("email: FlagOp %d: %w", n, ErrInvalidArgument)
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("email: FlagOp is neither a string nor a number: %w", ErrInvalidArgument)
	}
	return op.UnmarshalText([]byte(s))
}
