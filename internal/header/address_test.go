package header

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ioemail/ioemail/email"
)

func TestParseAddressList(t *testing.T) {
	type A = email.Address
	tests := map[string][]A{
		"":                               nil,
		"a@b":                            {{Email: "a@b"}},
		" a@b ":                          {{Email: "a@b"}},
		"<a@b>":                          {{Email: "a@b"}},
		"Ann <a@b>":                      {{Name: "Ann", Email: "a@b"}},
		"Ann Lee <a@b>, c@d":             {{Name: "Ann Lee", Email: "a@b"}, {Email: "c@d"}},
		`"Lee, Ann" <a@b>`:               {{Name: "Lee, Ann", Email: "a@b"}},
		`"Ann \"Q\" Lee" <a@b>`:          {{Name: `Ann "Q" Lee`, Email: "a@b"}},
		`"" <a@b>`:                       {{Email: "a@b"}},
		"'Ann Lee' <a@b>":                {{Name: "Ann Lee", Email: "a@b"}},
		"a@b (Ann Lee)":                  {{Name: "Ann Lee", Email: "a@b"}},
		"a@b (Ann (the) Lee)":            {{Name: "Ann (the) Lee", Email: "a@b"}},
		"Ann <a@b> (work)":               {{Name: "Ann", Email: "a@b"}},
		"<a@b> (Ann)":                    {{Name: "Ann", Email: "a@b"}},
		"Ann <a (x) @ b>":                {{Name: "Ann", Email: "a@b"}},
		"a @ b":                          {{Email: "a@b"}},
		"a.b @ c.d":                      {{Email: "a.b@c.d"}},
		"Ann a@b":                        {{Name: "Ann", Email: "a@b"}}, // no brackets
		"<@relay1,@relay2:a@b>":          {{Email: "a@b"}},
		`"a b"@c`:                        {{Email: `"a b"@c`}},
		`Ann <"a b"@c>`:                  {{Name: "Ann", Email: `"a b"@c`}},
		"a@[192.0.2.1]":                  {{Email: "a@[192.0.2.1]"}},
		"Team: a@b, Ann <c@d>;":          {{Email: "a@b"}, {Name: "Ann", Email: "c@d"}},
		"Team: a@b;, e@f":                {{Email: "a@b"}, {Email: "e@f"}},
		"undisclosed-recipients:;":       {{Name: "undisclosed-recipients"}},
		"undisclosed-recipients: ;, a@b": {{Name: "undisclosed-recipients"}, {Email: "a@b"}},
		"a@b, undisclosed-recipients:;":  {{Email: "a@b"}, {Name: "undisclosed-recipients"}},
		"=?utf-8?q?Gr=C3=BCn?=:;":        {{Name: "Grün"}},
		"Team:;, Crew: a@b;":             {{Name: "Team"}, {Email: "a@b"}},
		":;":                             nil,
		"a@b,,, ,c@d,":                   {{Email: "a@b"}, {Email: "c@d"}},
		"Ann":                            {{Name: "Ann"}}, // no address: the text is kept
		"Ann Lee":                        {{Name: "Ann Lee"}},
		"<>":                             nil,
		"Ann <>":                         {{Name: "Ann"}},
		"(Ann)":                          {{Name: "Ann"}},
		"()":                             nil,
		"=?koi8-r?B?6dfBziDwxdTSz9c=?=":  {{Name: "Иван Петров"}}, // a bare encoded word
		"vondruch at redhat.com (=?UTF-8?Q?V=C3=ADt_Ondruch?=)": {{Name: "Vít Ondruch", Email: "vondruch@redhat.com"}},
		"jdoe AT example.com":         {{Email: "jdoe@example.com"}},
		"meet at noon":                {{Name: "meet at noon"}}, // no dot: not an address
		"Ann at home (x)":             {{Name: "Ann at home"}},
		"<postmaster>":                {{Email: "postmaster"}}, // one half only
		"=?utf-8?q?J=C3=B6rg?= <j@x>": {{Name: "Jörg", Email: "j@x"}},
		"=?utf-8?q?J=C3=B6rg?= =?utf-8?q?_M=C3=BCller?= <j@x>": {{Name: "Jörg Müller", Email: "j@x"}},
		`"=?utf-8?q?J=C3=B6rg?=" <j@x>`:                        {{Name: "Jörg", Email: "j@x"}}, // encoded inside quotes
		"=?iso-8859-1?q?Fran=E7ois?= <f@x>":                    {{Name: "François", Email: "f@x"}},
		"j@x (=?utf-8?q?J=C3=B6rg?=)":                          {{Name: "Jörg", Email: "j@x"}},
		"Zoë <z@x>":                                            {{Name: "Zoë", Email: "z@x"}},
		"山田 <t@例え.jp>":                                         {{Name: "山田", Email: "t@例え.jp"}},
		"\xff <a@b>":                                           {{Name: "ÿ", Email: "a@b"}}, // raw 8-bit: Windows-1252
		"Ann\r\n <a@b>,\r\n\tc@d":                              {{Name: "Ann", Email: "a@b"}, {Email: "c@d"}},
		// Broken entries do not spoil their neighbours.
		"a@b, Ann <unclosed":        {{Email: "a@b"}, {Name: "Ann", Email: "unclosed"}},
		`a@b, "unclosed <c@d>, e@f`: {{Email: "a@b"}, {Name: "unclosed <c@d>, e@f"}},
		"a@b, (unclosed c@d":        {{Email: "a@b"}, {Name: "unclosed c@d"}},
		"a@b, Ann <c@d>>, e@f":      {{Email: "a@b"}, {Name: "Ann", Email: "c@d"}, {Email: "e@f"}},
		"a@b, Ann <c@d> <e@f>":      {{Email: "a@b"}, {Name: "Ann", Email: "c@d"}},
		"@b":                        {{Email: "@b"}},
		"john.@example.com":         {{Email: "john.@example.com"}},
		"mailto:a@b":                {{Email: "a@b"}},
	}
	for in, want := range tests {
		got := ParseAddressList(in)
		assert.Equal(t, want, got, "%q", in)
	}
}

func TestParseAddressListLarge(t *testing.T) {
	in := strings.Repeat("Ann <a@b>, ", 10000)
	got := ParseAddressList(in)
	assert.Len(t, got, 10000)
	assert.Equal(t, email.Address{Name: "Ann", Email: "a@b"}, got[9999])
}
