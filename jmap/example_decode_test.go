package jmap_test

import (
	"fmt"

	"github.com/ioemail/ioemail/jmap"
)

// DecodeEmails reads the answer to an Email/get of the envelope
// properties, here a body as a server sends it.
func ExampleDecodeEmails() {
	body := []byte(`{"methodResponses":[["Email/get",{"state":"7","list":[
		{"id":"M1","keywords":{"$seen":true},"size":415,
		 "header:From:asRaw:all":[" Ann <ann@example.org>"],
		 "header:Subject:asRaw:all":[" =?UTF-8?Q?caf=C3=A9?="],
		 "header:Date:asRaw:all":[" Thu, 04 Jan 2024 02:59:00 +0100"]}],"notFound":[]},"g"]],"sessionState":"0"}`)
	emails, err := jmap.DecodeEmails(body, "g")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range emails {
		env := e.Envelope()
		fmt.Println(env.ID, env.From[0].Email, env.Subject, env.Date.Format("2006-01-02 15:04 -0700"), env.Size)
	}
	_, err = jmap.DecodeEmails([]byte(`{"methodResponses":[["error",{"type":"serverFail"},"g"]]}`), "g")
	fmt.Println(err)
	fmt.Println(len(jmap.EnvelopeProperties()), "properties")
	// Output:
	// M1 ann@example.org café 2024-01-04 02:59 +0100 415
	// jmap: Email/get: serverFail
	// 19 properties
}
