package main

import (
	"fmt"
	"math/rand/v2"
	"mime"
	"strings"
	"time"
)

// A person is a display name and an address; some names need RFC 2047
// encoding, some need quoting.
type person struct{ name, addr string }

var people = []person{
	{"Alice Example", "alice@example.test"},
	{"Bob Builder", "bob@example.test"},
	{"José Martínez", "jose.martinez@correo.example.es"},
	{"Zoë Brontë", "zoe@literature.example.org"},
	{"Łukasz Nowak", "l.nowak@poczta.example.pl"},
	{"田中 太郎", "tanaka@example.jp"},
	{"Müller, Hans", "hans.mueller@example.de"},
	{"", "noreply@notifications.example.com"},
	{"GitHub", "notifications@github.example.com"},
	{"Dr. Ann O'Neil", "ann.oneil@hospital.example.ie"},
	{"Søren Kierkegaard", "soren@example.dk"},
	{"Ivan Petrov", "ivan@example.ru"},
	{"Иван Петров", "ivan.petrov@example.ru"},
	{"The \"Quoted\" Team", "team@example.net"},
	{"Mailing List", "list-owner@lists.example.org"},
	{"Chloé Dubois", "chloe.dubois@example.fr"},
	{"Sam Smith", "sam@example.co.uk"},
	{"Renée Zellweger", "renee@example.com"},
	{"Ops Alerts", "alerts+prod@ops.example.com"},
	{"Kim Lee", "kim.lee@example.kr"},
}

var subjects = []string{
	"Quarterly report: numbers for Q%d",
	"Meeting notes %d",
	"Lunch on Thursday?",
	"Your invoice #%d is ready",
	"Réunion de l'équipe n°%d",
	"Build failed: main (#%d)",
	"Zażółć gęślą jaźń — wersja %d",
	"Re: Ticket %d: password reset does not work on mobile",
	"[announce] Release %d.0 is out, with a long list of changes that makes this subject line fold",
	"Фото с отпуска %d",
	"会議の議事録 %d",
	"Fwd: travel plans",
	"Happy birthday!",
	"Contract draft v%d (please review before Friday)",
}

var zones = []*time.Location{
	time.UTC,
	time.FixedZone("", -7*3600),
	time.FixedZone("", 2*3600),
	time.FixedZone("", 5*3600+1800),
	time.FixedZone("", 9*3600),
	time.FixedZone("", -3*3600),
}

// message is one generated message with what APPEND needs beside it.
type message struct {
	raw   []byte
	flags []string
	date  time.Time
}

// encodeWord encodes s as RFC 2047 when it is not ASCII, alternating B and
// Q encodings and UTF-8 and ISO-8859-1 where the text allows it.
func encodeWord(r *rand.Rand, s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	if r.IntN(2) == 0 {
		return mime.BEncoding.Encode("UTF-8", s)
	}
	if latin, ok := toLatin1(s); ok && r.IntN(2) == 0 {
		return mime.QEncoding.Encode("ISO-8859-1", latin)
	}
	return mime.QEncoding.Encode("UTF-8", s)
}

// toLatin1 returns s in ISO-8859-1 bytes, or false when s has runes
// beyond U+00FF.
func toLatin1(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, c := range s {
		if c > 0xff {
			return "", false
		}
		b = append(b, byte(c))
	}
	return string(b), true
}

func formatPerson(r *rand.Rand, p person) string {
	switch {
	case p.name == "":
		return p.addr
	case strings.ContainsAny(p.name, ",\".'") && isASCII(p.name):
		return fmt.Sprintf("%q <%s>", p.name, p.addr)
	default:
		return encodeWord(r, p.name) + " <" + p.addr + ">"
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// generate returns n realistic messages, the same ones for the same seed:
// varied senders (RFC 2047 words in UTF-8 and ISO-8859-1, quoted names),
// one to three recipients, sometimes Cc and In-Reply-To, subjects in
// several scripts, dates over two years in several zones, bodies of 0.35
// to 7.3 KB, and the flags of a typical mailbox.
func generate(n int, seed uint64) []message {
	r := rand.New(rand.NewPCG(seed, 0x696d6170))
	base := time.Date(2024, 11, 1, 8, 0, 0, 0, time.UTC)
	out := make([]message, n)
	for i := range out {
		date := base.Add(time.Duration(i)*97*time.Minute + time.Duration(r.IntN(3600))*time.Second).In(zones[r.IntN(len(zones))])
		from := people[r.IntN(len(people))]
		var b strings.Builder
		fmt.Fprintf(&b, "Return-Path: <%s>\r\n", from.addr)
		fmt.Fprintf(&b, "Date: %s\r\n", date.Format(time.RFC1123Z))
		fmt.Fprintf(&b, "From: %s\r\n", formatPerson(r, from))
		var to []string
		for range 1 + r.IntN(3) {
			to = append(to, formatPerson(r, people[r.IntN(len(people))]))
		}
		fmt.Fprintf(&b, "To: %s\r\n", strings.Join(to, ",\r\n "))
		if r.IntN(4) == 0 {
			fmt.Fprintf(&b, "Cc: %s\r\n", formatPerson(r, people[r.IntN(len(people))]))
		}
		subj := subjects[r.IntN(len(subjects))]
		if strings.Contains(subj, "%d") {
			subj = fmt.Sprintf(subj, 1+r.IntN(5000))
		}
		if r.IntN(5) == 0 && !strings.HasPrefix(subj, "Re:") {
			subj = "Re: " + subj
			fmt.Fprintf(&b, "In-Reply-To: <%x.%d@mail.example.test>\r\n", r.Uint64(), i/2)
		}
		fmt.Fprintf(&b, "Subject: %s\r\n", encodeWord(r, subj))
		fmt.Fprintf(&b, "Message-ID: <%x.%d@mail.example.test>\r\n", r.Uint64(), i)
		b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		lines := 5 + r.IntN(100)
		for l := range lines {
			fmt.Fprintf(&b, "Line %d of a message body, with enough words to look like prose.\r\n", l)
		}
		var flags []string
		if r.IntN(10) < 7 {
			flags = append(flags, `\Seen`)
		}
		if r.IntN(10) == 0 {
			flags = append(flags, `\Answered`)
		}
		if r.IntN(20) == 0 {
			flags = append(flags, `\Flagged`)
		}
		if r.IntN(30) == 0 {
			flags = append(flags, `$Forwarded`)
		}
		out[i] = message{raw: []byte(b.String()), flags: flags, date: date}
	}
	return out
}
