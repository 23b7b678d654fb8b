package main

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestSendDemo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := sendDemo(ctx, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"RCPT TO:<dave@example.test>", "RCPT TO:<bob@example.test>", "RCPT TO:<carol@example.test>", "no Bcc header arrived", "| Subject: Lunch on Friday?"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if bytes.Contains(bytes.ToLower(out.Bytes()), []byte("| bcc:")) {
		t.Errorf("Bcc printed:\n%s", out.String())
	}
}
