package jmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCanonicalMessage(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"a\r\nb\r\n":    "a\r\nb\r\n",
		"a\nb\n":        "a\r\nb\r\n",
		"\n":            "\r\n",
		"a\r\nb\nc\r\n": "a\r\nb\r\nc\r\n",
		"From x Mon Jan  1 2024\nSubject: s\n\nb\n": "Subject: s\r\n\r\nb\r\n",
		"From x\r\nSubject: s\r\n\r\n":              "Subject: s\r\n\r\n",
		"From: a@b\n\nx":                            "From: a@b\r\n\r\nx",
		"a\rb\n":                                    "a\rb\r\n",
	} {
		assert.Equal(t, want, string(CanonicalMessage([]byte(in))), "%q", in)
	}
	same := []byte("a\r\n")
	assert.Equal(t, &same[0], &CanonicalMessage(same)[0], "no copy when nothing changes")
}
