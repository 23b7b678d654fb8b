package compose_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/ioemail/ioemail/compose"
	"github.com/ioemail/ioemail/email"
)

// fixed returns Options with a fixed clock and fixed entropy, so that the
// output below is always the same. A program passes time.Now and
// crypto/rand.Reader instead.
func fixed() compose.Options {
	return compose.Options{
		Clock:   func() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) },
		Entropy: strings.NewReader("fixed entropy for the examples: a program passes crypto/rand.Reader"),
	}
}

// printCRLF prints a message with its CRLF line endings shown as "\n".
func printCRLF(b []byte) { fmt.Print(strings.ReplaceAll(string(b), "\r\n", "\n")) }

func Example() {
	m := &compose.Message{
		From:    []email.Address{{Name: "Zoë Martin", Email: "zoe@example.org"}},
		To:      []email.Address{{Email: "bob@example.net"}},
		Bcc:     []email.Address{{Email: "archive@example.org"}},
		Subject: "Quarterly figures",
		Text:    "Hello Bob,\nthe figures are attached.\n",
		HTML:    "<p>Hello Bob,<br>the figures are attached.</p>\n",
		Attachments: []compose.Attachment{
			{Filename: "q1.csv", ContentType: "text/csv; charset=utf-8", Body: strings.NewReader("month,total\njan,12\n")},
		},
	}
	var buf bytes.Buffer
	if err := compose.Write(&buf, m, fixed()); err != nil {
		fmt.Println(err)
		return
	}
	printCRLF(buf.Bytes())
	// The Bcc address is in the envelope only: send with
	// email.SendOptions{To: m.Recipients()}.
	fmt.Println(m.Recipients())
	// Output:
	// From: =?utf-8?q?Zo=C3=AB_Martin?= <zoe@example.org>
	// To: <bob@example.net>
	// Subject: Quarterly figures
	// Date: Sat, 14 Mar 2026 09:26:53 +0000
	// Message-Id: <7920666f7220746865206578616d706c@example.org>
	// Mime-Version: 1.0
	// Content-Type: multipart/mixed; boundary="=_M666978656420656e74726f70"
	//
	// --=_M666978656420656e74726f70
	// Content-Type: multipart/alternative; boundary="=_A65733a20612070726f677261"
	//
	// --=_A65733a20612070726f677261
	// Content-Type: text/plain; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// Hello Bob,
	// the figures are attached.
	//
	// --=_A65733a20612070726f677261
	// Content-Type: text/html; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// <p>Hello Bob,<br>the figures are attached.</p>
	//
	// --=_A65733a20612070726f677261--
	//
	// --=_M666978656420656e74726f70
	// Content-Type: text/csv; charset=utf-8
	// Content-Disposition: attachment; filename=q1.csv
	// Content-Transfer-Encoding: base64
	//
	// bW9udGgsdG90YWwKamFuLDEyCg==
	// --=_M666978656420656e74726f70--
	// [bob@example.net archive@example.org]
}

func ExampleReply() {
	original := "From: Bob <bob@example.net>\r\n" +
		"To: zoe@example.org, carol@example.com\r\n" +
		"Subject: Re: lunch?\r\n" +
		"Message-ID: <2@example.net>\r\n" +
		"References: <1@example.org>\r\n" +
		"\r\n" +
		"Thursday?\r\n"
	p, err := compose.ReadParent(strings.NewReader(original))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := compose.ReplyAll(p, email.Address{Email: "zoe@example.org"})
	m.Text = "Thursday is fine.\n"
	var buf bytes.Buffer
	if err := compose.Write(&buf, m, fixed()); err != nil {
		fmt.Println(err)
		return
	}
	printCRLF(buf.Bytes())
	// Output:
	// From: <zoe@example.org>
	// To: "Bob" <bob@example.net>
	// Cc: <carol@example.com>
	// Subject: Re: lunch?
	// Date: Sat, 14 Mar 2026 09:26:53 +0000
	// Message-Id: <666978656420656e74726f707920666f@example.org>
	// In-Reply-To: <2@example.net>
	// References: <1@example.org> <2@example.net>
	// Mime-Version: 1.0
	// Content-Type: text/plain; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// Thursday is fine.
}

func ExampleForward() {
	original := "From: bob@example.net\r\nSubject: Fwd: slides\r\nMessage-ID: <7@example.net>\r\n\r\nHere.\r\n"
	p, err := compose.ReadParent(strings.NewReader(original))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := compose.Forward(p, strings.NewReader(original), email.Address{Email: "zoe@example.org"})
	m.To = []email.Address{{Email: "erin@example.com"}}
	m.Text = "See below.\n"
	var buf bytes.Buffer
	if err := compose.Write(&buf, m, fixed()); err != nil {
		fmt.Println(err)
		return
	}
	printCRLF(buf.Bytes())
	// Output:
	// From: <zoe@example.org>
	// To: <erin@example.com>
	// Subject: Fwd: slides
	// Date: Sat, 14 Mar 2026 09:26:53 +0000
	// Message-Id: <7920666f7220746865206578616d706c@example.org>
	// Mime-Version: 1.0
	// Content-Type: multipart/mixed; boundary="=_M666978656420656e74726f70"
	//
	// --=_M666978656420656e74726f70
	// Content-Type: text/plain; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// See below.
	//
	// --=_M666978656420656e74726f70
	// Content-Type: message/rfc822
	// Content-Disposition: attachment; filename="Fwd: slides.eml"
	// Content-Transfer-Encoding: 8bit
	//
	// From: bob@example.net
	// Subject: Fwd: slides
	// Message-ID: <7@example.net>
	//
	// Here.
	//
	// --=_M666978656420656e74726f70--
}
