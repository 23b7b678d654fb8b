package email

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzParseFlag checks the flag classification and its JSON form:
// ParseFlag keeps the raw spelling, its class survives the canonical and
// the keyword spellings, a flag round-trips through MarshalJSON and
// UnmarshalJSON, and UnmarshalJSON of any bytes either fails or yields
// the flag ParseFlag gives for the raw spelling it read (a stored "iana"
// is never trusted).
func FuzzParseFlag(f *testing.F) {
	for _, s := range []string{`\Seen`, "$seen", "SEEN", `\\Seen`, "$Junk", "$NotJunk", "Work", "", `\`, "$", `\*`, "$MDNSent", "\xff"} {
		f.Add(s, []byte(`"`+s+`"`))
	}
	f.Add("x", []byte(`{"raw":"$junk","iana":"seen"}`))
	f.Add("x", []byte(`{"raw":1}`))
	f.Add("x", []byte(`null`))
	f.Fuzz(func(t *testing.T, raw string, js []byte) {
		fl := ParseFlag(raw)
		if fl.Raw != raw {
			t.Fatalf("ParseFlag(%q).Raw = %q", raw, fl.Raw)
		}
		if c := ParseFlag(fl.Canonical()); c.IANA != fl.IANA {
			t.Fatalf("%q is %v, its canonical %q is %v", raw, fl.IANA, fl.Canonical(), c.IANA)
		}
		if k := ParseFlag(fl.Keyword()); k.IANA != fl.IANA {
			t.Fatalf("%q is %v, its keyword %q is %v", raw, fl.IANA, fl.Keyword(), k.IANA)
		}
		if utf8.ValidString(raw) {
			b, err := json.Marshal(fl)
			if err != nil {
				t.Fatal(err)
			}
			var back Flag
			if err := json.Unmarshal(b, &back); err != nil || back != fl {
				t.Fatalf("%q: %s reads back as %+v (%v)", raw, b, back, err)
			}
		}
		var got Flag
		if err := got.UnmarshalJSON(js); err != nil {
			return
		}
		if want := ParseFlag(got.Raw); got != want {
			t.Fatalf("%s: %+v, not ParseFlag(%q) %+v", js, got, got.Raw, want)
		}
	})
}
