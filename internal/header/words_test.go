package header

import (
	"mime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestDecodeWords(t *testing.T) {
	tests := map[string]string{
		"plain":                                "plain",
		"  trimmed  ":                          "trimmed",
		"folded\r\n line":                      "folded line",
		"folded \r\n\t line":                   "folded line",
		"=?utf-8?q?caf=C3=A9?=":                "café",
		"=?UTF-8?Q?caf=C3=A9?=":                "café",
		"=?utf-8?b?Y2Fmw6k=?=":                 "café",
		"=?utf-8?b?Y2Fmw6k?=":                  "café", // no padding
		"=?utf-8?q?a_b?=":                      "a b",
		"=?utf-8?q?a b?=":                      "a b", // a space where '_' belongs
		"=?utf-8?q?a?= =?utf-8?q?b?=":          "ab",  // RFC 2047 section 6.2
		"=?utf-8?q?a?=\r\n =?utf-8?q?b?=":      "ab",
		"=?utf-8?q?a?= b =?utf-8?q?c?=":        "a b c",
		"x =?utf-8?q?a?= y":                    "x a y",
		"x=?utf-8?q?a?=y":                      "xay", // touching other text
		"=?utf-8?q?a?==?utf-8?q?b?=":           "ab",
		"=?utf-8*en?q?a?=":                     "a", // RFC 2231 language
		"=?us-ascii?q?plain?=":                 "plain",
		"=?iso-8859-1?q?caf=E9?=":              "café",
		"=?ISO-8859-1?B?Y2Fm6Q==?=":            "café",
		"=?windows-1252?q?=80_=93q=94?=":       "€ “q”",
		"=?iso-8859-15?q?=A4?=":                "€", // via go-message's charset package
		"=?koi8-r?b?8NLJ18XU?=":                "Привет",
		"=?windows-1251?b?z/Do4uXy?=":          "Привет",
		"=?gb2312?b?xOO6ww==?=":                "你好",
		"=?shift_jis?b?g26DjYFb?=":             "ハロー",
		"=?utf-8?b?4oI=?= =?utf-8?b?rA==?=":    "€", // a character split across words
		"=?utf-8?q?=E2=82?= =?utf-8?q?=AC?=":   "€",
		"=?utf-8?q?=E2?= =?iso-8859-1?q?=E9?=": "\uFFFDé", // a split character cannot cross charsets
		"=?x-unknown?q?abc?=":                  "abc",     // unknown charset: bytes as UTF-8
		"=?x-unknown?q?=FF?=":                  "\uFFFD",
		"=?utf-8?q?=FF?=":                      "\uFFFD",
		"=?utf-8?x?abc?=":                      "=?utf-8?x?abc?=", // unknown encoding kept
		"=?utf-8?q?unterminated":               "=?utf-8?q?unterminated",
		"=??q?empty charset?=":                 "=??q?empty charset?=",
		"=?utf-8?b?not base64!?=":              "=?utf-8?b?not base64!?=",
		"=?utf-8?q?=ZZ?=":                      "=ZZ", // broken escape kept
		"a =? b ?= c":                          "a =? b ?= c",
		"raw ümlaut":                           "raw ümlaut",
		"raw \xe9":                             "raw é", // raw 8-bit: Windows-1252
		"=?utf-8?q?x?= raw \xff":               "x raw ÿ",
		"":                                     "",
	}
	for in, want := range tests {
		assert.Equal(t, want, DecodeWords(in), "%q", in)
	}
}

// TestDecodeWordsAgreesWithStdlib checks well-formed input against
// mime.WordDecoder.
func TestDecodeWordsAgreesWithStdlib(t *testing.T) {
	d := mime.WordDecoder{}
	for _, s := range []string{
		mime.QEncoding.Encode("utf-8", "Grüße aus München"),
		mime.BEncoding.Encode("utf-8", "会議の議事録 — notes"),
		mime.QEncoding.Encode("utf-8", strings.Repeat("long ünïcödé text ", 20)),
		"Re: " + mime.BEncoding.Encode("utf-8", "ça va?") + " (fwd)",
	} {
		want, err := d.DecodeHeader(s)
		assert.NoError(t, err)
		assert.Equal(t, want, DecodeWords(s), "%q", s)
	}
}

func TestDecodeWordsHuge(t *testing.T) {
	in := "=?utf-8?b?" + strings.Repeat("w6k=", 1<<16) + "?="
	out := DecodeWords(in)
	assert.Equal(t, strings.Repeat("é", 1<<16), out, "padding inside a word is tolerated")
	out = DecodeWords(strings.Repeat("=?utf-16?b?AAA?= ", 1<<12))
	assert.True(t, utf8.ValidString(out))
}
