package email_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestParseFlagClassifies(t *testing.T) {
	cases := []struct {
		raw  string
		want email.IANA
	}{
		{`\Seen`, email.Seen}, {`$seen`, email.Seen}, {`SEEN`, email.Seen}, {`seen`, email.Seen},
		{`\Answered`, email.Answered}, {`\Flagged`, email.Flagged}, {`\Draft`, email.Draft},
		{`\Deleted`, email.Deleted}, {`$Forwarded`, email.Forwarded}, {`\Forwarded`, email.Forwarded},
		{`$Junk`, email.Junk}, {`$NotJunk`, email.NotJunk}, {`$phishing`, email.Phishing},
		{`$Important`, email.Important}, {`$MDNSent`, email.MDNSent},
		{`\\Seen`, email.Custom}, // only one leading marker is removed
		{`$$seen`, email.Custom},
		{`Work`, email.Custom}, {``, email.Custom}, {`\Recent`, email.Custom},
	}
	for _, c := range cases {
		f := email.ParseFlag(c.raw)
		assert.Equal(t, c.want, f.IANA, c.raw)
		assert.Equal(t, c.raw, f.Raw, "raw spelling is kept")
	}
}

func TestFlagEquality(t *testing.T) {
	seen1, seen2, s := email.ParseFlag(`\Seen`), email.ParseFlag(`$seen`), email.ParseFlag("seen")
	assert.True(t, seen1.Equal(seen2))
	assert.True(t, seen1.Equal(s))
	assert.Equal(t, seen1.Key(), seen2.Key())
	assert.Equal(t, 0, seen1.Compare(seen2))

	work, WORK := email.ParseFlag("Work"), email.ParseFlag("WORK")
	assert.True(t, work.Equal(WORK), "custom flags compare ASCII case-insensitively")
	assert.Equal(t, work.Key(), WORK.Key())
	assert.False(t, work.Equal(seen1))
	// A custom keyword spelled like a class key must not equal the class.
	for _, raw := range []string{"\x00seen", "i:seen", "I:SEEN"} {
		odd := email.ParseFlag(raw)
		assert.False(t, odd.Equal(seen1), raw)
		assert.NotEqual(t, seen1.Key(), odd.Key(), raw)
	}
}

func TestFlagOrder(t *testing.T) {
	fs := email.NewFlags(email.ParseFlag("zeta"), email.ParseFlag(`\Deleted`), email.ParseFlag("Alpha"),
		email.ParseFlag(`$seen`), email.ParseFlag(`\Seen`), email.ParseFlag("alpha"))
	require.Len(t, fs, 4, "duplicates removed: %v", fs)
	assert.Equal(t, []string{`$seen`, `\Deleted`, "Alpha", "zeta"}, fs.Raw(), "classified first in class order, then custom by lower-cased spelling; the first spelling wins")
}

func TestFlagSpellings(t *testing.T) {
	f := email.ParseFlag("$SEEN")
	assert.Equal(t, `\Seen`, f.Canonical())
	assert.Equal(t, "$seen", f.Keyword())
	fw := email.ParseFlag(`\forwarded`)
	assert.Equal(t, "$Forwarded", fw.Canonical(), "never an invalid system flag on the wire")
	assert.Equal(t, "$forwarded", fw.Keyword())
	w := email.ParseFlag("Work")
	assert.Equal(t, "Work", w.Canonical())
	assert.Equal(t, "Work", w.Keyword())
	assert.Equal(t, email.FlagSeen, email.FlagOf(email.Seen))
	assert.Equal(t, email.Flag{}, email.FlagOf(email.Custom))
}

func TestFlagsApply(t *testing.T) {
	cur := email.ParseFlags(`\Seen`, "Work")
	add := cur.Apply(email.FlagAdd, email.ParseFlags(`$flagged`, `$seen`))
	assert.Equal(t, []string{`\Seen`, `$flagged`, "Work"}, add.Raw())
	rm := add.Apply(email.FlagRemove, email.ParseFlags("seen", "WORK"))
	assert.Equal(t, []string{`$flagged`}, rm.Raw())
	set := add.Apply(email.FlagSet, email.ParseFlags("Home"))
	assert.Equal(t, []string{"Home"}, set.Raw())
	assert.Equal(t, []string{`\Seen`, "Work"}, cur.Raw(), "Apply does not modify its receiver")
	assert.True(t, email.ParseFlags(`\Seen`, "a").Equal(email.ParseFlags("A", "$seen")))
	assert.True(t, add.HasIANA(email.Flagged))
	assert.False(t, add.HasIANA(email.Custom))
}

func TestFlagJSONReclassifies(t *testing.T) {
	b, err := json.Marshal(email.ParseFlags(`\Seen`, "Work", `$NotJunk`))
	require.NoError(t, err)
	assert.JSONEq(t, `[{"raw":"\\Seen","iana":"seen"},{"raw":"$NotJunk","iana":"not-junk"},{"raw":"Work","iana":null}]`, string(b))

	var got email.Flags
	// The stored "iana" values lie; decoding must derive them from "raw".
	require.NoError(t, json.Unmarshal([]byte(`[{"raw":"\\Seen","iana":null},{"raw":"Work","iana":"seen"},"$flagged"]`), &got))
	require.Len(t, got, 3)
	assert.Equal(t, email.Seen, got[0].IANA)
	assert.Equal(t, email.Custom, got[1].IANA)
	assert.Equal(t, email.Flagged, got[2].IANA)
}

func TestFlagOp(t *testing.T) {
	assert.False(t, email.FlagOp(0).Valid())
	assert.True(t, email.FlagSet.Valid())
	assert.Equal(t, "remove", email.FlagRemove.String())
	assert.Equal(t, "invalid", email.FlagOp(9).String())
}
