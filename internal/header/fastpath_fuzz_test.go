package header

import (
	"reflect"
	"testing"
)

// scanSlow is Scan with the fast paths turned off.
func scanSlow(data []byte) Summary {
	slowPaths = true
	defer func() { slowPaths = false }()
	return Scan(data)
}

// FuzzScanFastPaths checks that the fast paths of Scan and ParseAddressList
// give exactly what the general code gives.
func FuzzScanFastPaths(f *testing.F) {
	for _, b := range addCorpus(f) {
		f.Add(b)
	}
	for _, s := range []string{
		"From: Ann Lee <a@x>\nTo: a b <c@d>, e f g <h@i>\n\n",
		"From: 'Ann' <a@x>\nTo: a  b <c@d>, a\tb <e@f>, a(c)b <g@h>\n\n",
		"To: \"x>y\" <a@b>, <a b@c>, <@r:a@b>, <a(c)@b>, a . b @ c\n\n",
		"Message-ID: <a\r\n b@c>\nIn-Reply-To: <a@b> (c) <d@e>\nReferences: <x y@z>\n\n",
		"To: =?utf-8?q?a?= b <c@d>, a=?utf-8?q?b?= <e@f>, a)b <g@h>\n\n",
		"To: g: a b <c@d>;, \"q\"x <e@f>\n\n",
		"Date: Sat, 18 Nov 2023 10:59:51 +0200 (CEST)\n\n",
		"Message-ID: \t<a@b>  \nReferences: <a@b> <c@d>\n\n",
		"Message-ID: <a@b> x\nMessage-Id: <c@d>\n\n",
		"Message-ID: <a<b@c>\n\n",
		"X-To: a@b\nreceived: x\n\tTo: y\nCC: <c@d>\n\n",
		"Content-Type: text/plain\nCONTENT-DISPOSITION : attachment\nReply\rto: a@b\nReply-To-X: c@d\nto:e@f\n\n",
		"In-Reply-To: <a@b>\nREFERENCES\t: <c@d>\nmessage-ID:<e@f>\nSubject-: x\nSubject: y\nfrom",
		"Date: 29 Feb 2024 23:59:60 -1400\n\n",
		"Date: Wed, 8 Sep 2021 18:00:39 GMT\n\n",
		"Date: Sat, 18 Nov 2023 10:59:51 +0260 (a (b))\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, slow := Scan(data), scanSlow(data)
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("Scan(%q):\nfast %#v\nslow %#v", data, fast, slow)
		}
		v := string(data)
		fastList := ParseAddressList(v)
		slowPaths = true
		slowList := ParseAddressList(v)
		slowPaths = false
		if !reflect.DeepEqual(fastList, slowList) {
			t.Fatalf("ParseAddressList(%q):\nfast %#v\nslow %#v", v, fastList, slowList)
		}
	})
}
