package header_test

import (
	"fmt"
	"time"

	"github.com/ioemail/ioemail/internal/header"
)

func ExampleScan() {
	msg := []byte("From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>\r\n" +
		"To: Team: \"Stone, Bob\" <bob@example.com>, ann@example.com (Ann);\r\n" +
		"Subject: =?utf-8?b?R3LDvMOfZQ==?= from\r\n Munich\r\n" +
		"Date: Tue, 1 Jul 2003 10:52:37 +0200 (CEST)\r\n" +
		"Message-ID: <abc@example.de>\r\n" +
		"\r\n" +
		"Hello!\r\n")
	s := header.Scan(msg)
	fmt.Println(s.Subject)
	fmt.Println(s.From[0].Name, s.From[0].Email)
	for _, a := range s.To {
		fmt.Printf("%q <%s>\n", a.Name, a.Email)
	}
	fmt.Println(s.Date.Format(time.RFC3339))
	fmt.Println(s.MessageID, s.HasAttachment)
	fmt.Printf("body: %q\n", msg[s.BodyOffset:])
	// Output:
	// Grüße from Munich
	// Jörg joerg@example.de
	// "Stone, Bob" <bob@example.com>
	// "Ann" <ann@example.com>
	// 2003-07-01T10:52:37+02:00
	// abc@example.de false
	// body: "Hello!\r\n"
}

func ExampleParseDate() {
	for _, v := range []string{
		"Tue, 1 Jul 2003 10:52:37 +0200",
		"Wed, 2 Jul 97 10:52:37 EST",
		"Thu Jul  3 10:52:37 2003",
	} {
		d, err := header.ParseDate(v)
		fmt.Println(d.Format(time.RFC3339), err)
	}
	_, err := header.ParseDate("30 Feb 2003 10:00 +0000")
	fmt.Println(err)
	// Output:
	// 2003-07-01T10:52:37+02:00 <nil>
	// 1997-07-02T10:52:37-05:00 <nil>
	// 2003-07-03T10:52:37Z <nil>
	// email: invalid argument: unparseable date "30 Feb 2003 10:00 +0000"
}

func ExampleParseAddressList() {
	for _, a := range header.ParseAddressList(`"Lee, Ann" <ann@example.com>, bob@example.com (Bob), undisclosed-recipients:;`) {
		fmt.Printf("%q %s\n", a.Name, a.Email)
	}
	// Output:
	// "Lee, Ann" ann@example.com
	// "Bob" bob@example.com
	// "undisclosed-recipients"
}

func ExampleDecodeWords() {
	fmt.Println(header.DecodeWords("=?iso-8859-1?q?R=E9union?= =?utf-8?b?4oCU?= budget"))
	// Output:
	// Réunion— budget
}

func ExampleFields() {
	head := []byte("Subject: hi\r\nX-Folded: a\r\n b\r\n\r\nbody")
	for f := range header.Fields(head) {
		fmt.Printf("%s=%q\n", f.Name, f.Value)
	}
	fmt.Println(header.End(head))
	// Output:
	// Subject=" hi"
	// X-Folded=" a\r\n b"
	// 32
}
