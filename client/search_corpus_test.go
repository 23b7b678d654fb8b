package client_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/ioemail/ioemail/email"
)

// corpusMessage is one generated message with the ground truth of its
// envelope, which the generator knows without parsing anything.
type corpusMessage struct {
	raw   []byte
	env   email.Envelope // ID holds the Message-ID; Date the true date or zero
	flags email.Flags
}

type person struct {
	name, addr string
	header     string // the header form, encoded where needed
}

var corpusFrom = []person{
	{"Alice Martin", "alice@example.org", "Alice Martin <alice@example.org>"},
	{"Zoé Dupré", "zoe@example.fr", "=?ISO-8859-1?Q?Zo=E9_Dupr=E9?= <zoe@example.fr>"},
	{"Иван Петров", "ivan@example.ru", "=?KOI8-R?B?" + koi8("Иван Петров") + "?= <ivan@example.ru>"},
	{"田中太郎", "tanaka@example.jp", mime.BEncoding.Encode("utf-8", "田中太郎") + " <tanaka@example.jp>"},
	{"", "bob@example.net", "bob@example.net"},
	{"O'Brien, Pat", "pat@example.ie", `"O'Brien, Pat" <pat@example.ie>`},
	{"Carol", "carol@example.com", "Carol <carol@example.com>"},
	{"Dave Smith", "dave@example.com", "\"Dave Smith\" <dave@example.com>"},
}

var corpusTo = []person{
	{"Team", "team@example.org", "Team <team@example.org>"},
	{"", "bob@example.net", "bob@example.net"},
	{"Ünal Öztürk", "unal@example.tr", mime.QEncoding.Encode("utf-8", "Ünal Öztürk") + " <unal@example.tr>"},
	{"Marie", "marie@example.fr", "Marie <marie@example.fr>"},
	{"Mallory", "mallory@example.com", "Mallory <mallory@example.com>"},
}

// Subjects with the way each is written in the header.
var corpusSubjects = []struct{ text, enc string }{
	{"Quarterly report", "plain"},
	{"Réunion du lundi", "q-latin1"},
	{"Встреча в пятницу", "b-koi8r"},
	{"会議の議題", "b-utf8"},
	{"Lunch plans", "plain"},
	{"Invoice 2026-001", "plain"},
	{"Naïve café menu", "q-utf8"},
	{"Deadline extension", "plain"},
	{"Photos from the trip", "plain"},
	{"Ünïcödé test", "b-utf8"},
}

var latinWords = []string{"invoice", "meeting", "lunch", "café", "naïve", "deadline", "budget", "garçon", "report", "holiday"}

var corpusOffsets = []int{-12 * 60, -8 * 60, -5 * 60, -3*60 - 30, 0, 60, 2 * 60, 5*60 + 30, 9 * 60, 14 * 60}

func koi8(s string) string {
	b, err := charmap.KOI8R.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString([]byte(b))
}

func latin1(s string) []byte {
	b, err := charmap.ISO8859_1.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return []byte(b)
}

func encodeSubject(text, enc string) string {
	switch enc {
	case "q-latin1":
		var b strings.Builder
		b.WriteString("=?ISO-8859-1?Q?")
		for _, c := range latin1(text) {
			switch {
			case c == ' ':
				b.WriteByte('_')
			case c >= 0x80 || c == '=' || c == '?' || c == '_':
				fmt.Fprintf(&b, "=%02X", c)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteString("?=")
		return b.String()
	case "b-koi8r":
		return "=?KOI8-R?B?" + koi8(text) + "?="
	case "b-utf8":
		return mime.BEncoding.Encode("utf-8", text)
	case "q-utf8":
		return mime.QEncoding.Encode("utf-8", text)
	}
	return text
}

func qp(b []byte) string {
	var out bytes.Buffer
	w := quotedprintable.NewWriter(&out)
	w.Write(b)
	w.Close()
	return strings.ReplaceAll(strings.ReplaceAll(out.String(), "\r\n", "\n"), "\n", "\r\n")
}

func b64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return out.String() + s + "\r\n"
}

// dateForms are the Date header spellings the corpus uses.
func formatDate(t time.Time, form int) string {
	switch form {
	case 1:
		return t.Format("2 Jan 2006 15:04:05 -0700")
	case 2:
		return t.Format("Mon, 2 Jan 2006 15:04 -0700")
	case 3:
		return t.Format("Mon, 02 Jan 2006 15:04:05 -0700") + " (zone)"
	case 4:
		if _, off := t.Zone(); off == 0 {
			return t.Format("Mon, 02 Jan 2006 15:04:05") + " GMT"
		}
	}
	return t.Format("Mon, 02 Jan 2006 15:04:05 -0700")
}

// genCorpus builds n messages deterministically: non-ASCII subjects in
// encoded words of several charsets, five Date spellings (and a few
// messages without a usable date), bodies in quoted-printable and base64,
// UTF-8, ISO-8859-1 and KOI8-R, plain, multipart/alternative and
// multipart/mixed with an attachment, and a mix of flags.
func genCorpus(n int) []corpusMessage {
	rng := rand.New(rand.NewPCG(2026, 6))
	base := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	out := make([]corpusMessage, 0, n)
	for i := range n {
		subj := corpusSubjects[rng.IntN(len(corpusSubjects))]
		subjText, subjHeader := subj.text, encodeSubject(subj.text, subj.enc)
		switch rng.IntN(5) {
		case 0:
			subjText, subjHeader = "Re: "+subjText, "Re: "+subjHeader
		case 1:
			subjText, subjHeader = "[team] "+subjText, "[team] "+subjHeader
		}
		subjText += fmt.Sprintf(" #%d", i)
		subjHeader += fmt.Sprintf(" #%d", i)

		from := corpusFrom[rng.IntN(len(corpusFrom))]
		tos := []person{corpusTo[rng.IntN(len(corpusTo))]}
		if rng.IntN(3) == 0 {
			tos = append(tos, corpusTo[rng.IntN(len(corpusTo))])
		}
		var toHeader []string
		var toAddrs []email.Address
		for _, p := range tos {
			toHeader = append(toHeader, p.header)
			toAddrs = append(toAddrs, email.Address{Name: p.name, Email: p.addr})
		}

		// Unique instants 5h13m apart, so no two dated messages tie.
		off := corpusOffsets[rng.IntN(len(corpusOffsets))]
		date := base.Add(time.Duration(i) * (5*time.Hour + 13*time.Minute)).In(time.FixedZone("", off*60))
		dateHeader := "Date: " + formatDate(date, rng.IntN(5)) + "\r\n"
		switch {
		case i%67 == 13:
			dateHeader, date = "", time.Time{}
		case i%67 == 40:
			dateHeader, date = "Date: sometime last week\r\n", time.Time{}
		}

		var flags []string
		if rng.IntN(2) == 0 {
			flags = append(flags, `\Seen`)
		}
		if rng.IntN(5) == 0 {
			flags = append(flags, `\Flagged`)
		}
		if rng.IntN(6) == 0 {
			flags = append(flags, `\Answered`)
		}
		if rng.IntN(8) == 0 {
			flags = append(flags, "$Forwarded")
		}
		if rng.IntN(7) == 0 {
			flags = append(flags, "Work")
		}

		words := []string{latinWords[rng.IntN(len(latinWords))], latinWords[rng.IntN(len(latinWords))]}
		text := fmt.Sprintf("Hello,\n\nThis message number %d is about %s and %s. It has a long line so that quoted-printable needs soft line breaks somewhere in the middle of it.\n\nRegards\n", i, words[0], words[1])
		mid := fmt.Sprintf("<m%03d@corpus.example>", i)
		var h strings.Builder
		h.WriteString("From: " + from.header + "\r\nTo: " + strings.Join(toHeader, ", ") + "\r\nSubject: " + subjHeader + "\r\n" + dateHeader + "Message-ID: " + mid + "\r\nMIME-Version: 1.0\r\n")
		var body string
		switch rng.IntN(7) {
		case 0: // UTF-8 quoted-printable
			h.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n")
			body = qp([]byte(text))
		case 1: // ISO-8859-1 quoted-printable
			h.WriteString("Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n")
			body = qp(latin1(text))
		case 2: // UTF-8 base64, with a Japanese word
			text += "会議は明日です。\n"
			h.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n")
			body = b64([]byte(text))
		case 3: // KOI8-R base64, with Cyrillic words
			text = strings.NewReplacer("café", "cafe", "naïve", "naive", "garçon", "garcon").Replace(text) + "Привет! Отчёт готов.\n"
			enc, _ := charmap.KOI8R.NewEncoder().String(text)
			h.WriteString("Content-Type: text/plain; charset=\"koi8-r\"\r\nContent-Transfer-Encoding: base64\r\n")
			body = b64([]byte(enc))
		case 4: // multipart/alternative
			h.WriteString("Content-Type: multipart/alternative; boundary=\"alt-" + fmt.Sprint(i) + "\"\r\n")
			body = "--alt-" + fmt.Sprint(i) + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp([]byte(text)) +
				"\r\n--alt-" + fmt.Sprint(i) + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
				b64([]byte("<html><body><p>"+strings.ReplaceAll(text, "\n", "<br>")+"</p></body></html>")) + "--alt-" + fmt.Sprint(i) + "--\r\n"
		case 5: // multipart/mixed with an attachment
			h.WriteString("Content-Type: multipart/mixed; boundary=mix" + fmt.Sprint(i) + "\r\n")
			blob := make([]byte, 300)
			for j := range blob {
				blob[j] = byte(rng.IntN(256))
			}
			body = "--mix" + fmt.Sprint(i) + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + strings.NewReplacer("café", "cafe", "naïve", "naive", "garçon", "garcon").Replace(strings.ReplaceAll(text, "\n", "\r\n")) +
				"\r\n--mix" + fmt.Sprint(i) + "\r\nContent-Type: application/octet-stream; name=data.bin\r\nContent-Disposition: attachment; filename=data.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(blob) +
				"--mix" + fmt.Sprint(i) + "--\r\n"
		default: // 8-bit UTF-8, no transfer encoding
			h.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n")
			body = strings.ReplaceAll(text, "\n", "\r\n")
		}
		raw := []byte(h.String() + "\r\n" + body)
		fl := email.ParseFlags(flags...)
		out = append(out, corpusMessage{
			raw:   raw,
			flags: fl,
			env: email.Envelope{
				ID: strings.Trim(mid, "<>"), MessageID: strings.Trim(mid, "<>"), Flags: fl, Subject: subjText,
				From: []email.Address{{Name: from.name, Email: from.addr}}, To: toAddrs, Date: date,
				Size: int64(len(raw)),
			},
		})
	}
	return out
}
