// Package gen writes the generated mailboxes the bench programs measure:
// the messages (shared, so the Maildir and m2dir figures are taken on the
// same mail) and the marker that lets a second run reuse a tree.
package gen

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// markerFile records how many messages a generated tree holds, so a
// second run with the same -n reuses it.
const markerFile = ".bench-messages"

// Ensure makes dir a tree of n generated messages and says on standard
// output whether it reused it or how long generating took: when the marker
// says dir already is such a tree it is reused; otherwise Ensure removes
// dir, calls fill to write the tree, and writes the marker.
func Ensure(dir string, n int, fill func() error) error {
	if b, err := os.ReadFile(filepath.Join(dir, markerFile)); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(n) {
		fmt.Printf("reusing %s (%d messages)\n", dir, n)
		return nil
	}
	start := time.Now()
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := fill(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, markerFile), []byte(strconv.Itoa(n)+"\n"), 0o600); err != nil {
		return err
	}
	fmt.Printf("generated %s (%d messages) in %v\n", dir, n, time.Since(start).Round(time.Millisecond))
	return nil
}

// The pools the generator draws names, subjects, zones and words from.
var (
	firstNames = []string{"Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Jörg", "Zoë", "François", "Ingrid", "Søren", "Małgorzata", "Takeshi", "Ana", "Luis"}
	lastNames  = []string{"Martin", "Stone", "Jones", "Miller", "Park", "Wu", "O'Neil", "Müller", "Ångström", "Lefèvre", "Nowak", "Yamada", "Ruiz", "Smith"}
	domains    = []string{"example.com", "example.org", "example.net", "lists.example.org", "mail.example.de", "corp.example.jp"}
	subjects   = []string{"Lunch on Thursday?", "Re: Project kickoff", "Invoice %d", "[dev-list] Release notes draft", "Grüße aus München", "Réunion de l'équipe – budget", "会議の議事録", "Build #%d passed", "Re: Re: Fwd: quarterly numbers", "Your order %d has shipped", "Ça marche — à demain"}
	zones      = []string{"+0000", "+0200", "-0700", "+0900", "-0400 (EDT)", "+0100 (CET)", "+0530", "GMT", "-0500"}
	words      = strings.Fields("the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part")
)

// person returns a random display name and its address.
func person(rng *rand.Rand) (name, addr string) {
	f, l := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
	addr = strings.ToLower(asciiOnly(f)+"."+asciiOnly(l)) + "@" + domains[rng.IntN(len(domains))]
	return f + " " + l, addr
}

// asciiOnly returns s without its non-ASCII runes and apostrophes.
func asciiOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && r != '\'' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// encodeName writes a display name the way mail clients do: plain, quoted,
// or RFC 2047 encoded when it is not ASCII.
func encodeName(rng *rand.Rand, name, addr string) string {
	if asciiOnly(name) != strings.ReplaceAll(name, "'", "") {
		if rng.IntN(2) == 0 {
			return mime.BEncoding.Encode("UTF-8", name) + " <" + addr + ">"
		}
		return mime.QEncoding.Encode("utf-8", name) + " <" + addr + ">"
	}
	if strings.ContainsAny(name, "'.,") || rng.IntN(3) == 0 {
		return `"` + name + `" <` + addr + ">"
	}
	return name + " <" + addr + ">"
}

// WriteMessage appends to b message i of a generated mailbox: a 2-4 KB
// plain-text message with the header a delivered message carries
// (Received, often DKIM-Signature, From, To, sometimes Cc and List-Id),
// names and subjects in several scripts, plain, quoted or RFC 2047
// encoded, and dates in several zones. The same rng state and i give the
// same bytes.
func WriteMessage(b *bytes.Buffer, rng *rand.Rand, i int) {
	fromName, from := person(rng)
	date := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(5 * 365 * 24 * time.Hour))))
	zone := zones[rng.IntN(len(zones))]
	mx := fmt.Sprintf("mx%d.%s", rng.IntN(9), domains[rng.IntN(len(domains))])
	fmt.Fprintf(b, "Return-Path: <%s>\r\nDelivered-To: bob@example.com\r\n", from)
	for r := range 3 + rng.IntN(4) {
		t := date.Add(time.Duration(6-r) * time.Second)
		fmt.Fprintf(b, "Received: from %s (%s [192.0.2.%d])\r\n\tby mail%d.example.com (Postfix) with ESMTPS id %X\r\n\tfor <bob@example.com>; %s\r\n",
			mx, mx, rng.IntN(254)+1, r, rng.Uint64(), t.Format("Mon, 2 Jan 2006 15:04:05 -0700 (MST)"))
	}
	if rng.IntN(2) == 0 {
		sig := make([]byte, 192)
		for k := range sig {
			sig[k] = byte(rng.Uint32())
		}
		s := base64.StdEncoding.EncodeToString(sig)
		fmt.Fprintf(b, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=s1;\r\n\tt=%d; h=from:to:subject:date:message-id;\r\n\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n\tb=%s\r\n\t %s\r\n\t %s\r\n",
			domains[rng.IntN(len(domains))], date.Unix(), s[:86], s[86:172], s[172:])
	}
	fmt.Fprintf(b, "From: %s\r\n", encodeName(rng, fromName, from))
	fmt.Fprintf(b, "To: ")
	for k := range 1 + rng.IntN(3) {
		if k > 0 {
			b.WriteString(",\r\n ")
		}
		n, a := person(rng)
		b.WriteString(encodeName(rng, n, a))
	}
	b.WriteString("\r\n")
	if rng.IntN(3) == 0 {
		n, a := person(rng)
		fmt.Fprintf(b, "Cc: %s\r\n", encodeName(rng, n, a))
	}
	subj := subjects[rng.IntN(len(subjects))]
	if strings.Contains(subj, "%d") {
		subj = fmt.Sprintf(subj, 1000+i)
	}
	if asciiOnly(subj) != subj {
		switch rng.IntN(3) {
		case 0:
			subj = mime.BEncoding.Encode("UTF-8", subj)
		case 1:
			subj = mime.QEncoding.Encode("utf-8", subj)
		default:
			// raw 8-bit UTF-8 (RFC 6532)
		}
	}
	fmt.Fprintf(b, "Subject: %s\r\n", subj)
	fmt.Fprintf(b, "Date: %s %s\r\n", date.Format("Mon, 2 Jan 2006 15:04:05"), zone)
	fmt.Fprintf(b, "Message-ID: <%x.%d@%s>\r\n", rng.Uint64(), i, domains[rng.IntN(len(domains))])
	b.WriteString("MIME-Version: 1.0\r\n")
	if rng.IntN(5) == 0 {
		fmt.Fprintf(b, "List-Id: Developers <dev-list.lists.example.org>\r\nList-Unsubscribe: <mailto:dev-list-leave@lists.example.org>\r\n")
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	// A body that brings the message to 2-4 KB.
	target := 2048 + rng.IntN(2048)
	col := 0
	for b.Len() < target {
		w := words[rng.IntN(len(words))]
		if col+len(w) > 72 {
			b.WriteString("\r\n")
			col = 0
		}
		b.WriteString(w)
		b.WriteByte(' ')
		col += len(w) + 1
	}
	b.WriteString("\r\n")
}
