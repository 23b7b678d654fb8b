package jmap

import (
	"encoding/json"
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// DefaultMaxMessage bounds a downloaded message when GetMessage is given
// no limit: 64 MiB.
const DefaultMaxMessage = 64 << 20

// GetMessage returns a machine that downloads the raw message of the email
// id in two exchanges: an Email/get of its blobId (and mailboxIds), then a
// GET of the session's downloadUrl expanded for that blob (RFC 8620 section
// 6.2). When mailboxID is not empty the email must be in that mailbox,
// else the machine fails with email.ErrNotFound, as for an unknown id. A
// message over maxSize bytes (0: DefaultMaxMessage) fails with
// email.ErrTooLarge.
func GetMessage(s *Session, mailboxID, id string, maxSize int64) Machine[[]byte] {
	if id == "" {
		return coroutine.Done[Response, Request, []byte](nil, fmt.Errorf("jmap: empty email id: %w", email.ErrInvalidID))
	}
	if maxSize <= 0 {
		maxSize = DefaultMaxMessage
	}
	get := Call{Name: "Email/get", ID: "0", Args: map[string]any{"accountId": s.AccountID, "ids": []string{id}, "properties": []string{"blobId", "mailboxIds", "size"}}}
	return coroutine.Then(API(s, nil, []Call{get}), func(r *Responses) Machine[[]byte] {
		var g emailGet
		if err := r.Decode("0", "Email/get", &g); err != nil {
			return coroutine.Done[Response, Request, []byte](nil, err)
		}
		if len(g.List) != 1 || (mailboxID != "" && !g.List[0].MailboxIDs[mailboxID]) {
			return coroutine.Done[Response, Request, []byte](nil, &email.NotFoundError{Mailbox: mailboxID, ID: id})
		}
		e := g.List[0]
		if e.BlobID == "" {
			return coroutine.Done[Response, Request, []byte](nil, protocolError("Email/get returned no blobId"))
		}
		if e.Size > maxSize {
			return coroutine.Done[Response, Request, []byte](nil, fmt.Errorf("jmap: message of %d bytes over the limit %d: %w", e.Size, maxSize, email.ErrTooLarge))
		}
		return Download(s, e.BlobID, "message/rfc822", "message.eml", maxSize)
	})
}

// Download returns a machine that downloads a blob through the session's
// downloadUrl (RFC 8620 section 6.2) and ends with its bytes, at most
// maxSize of them.
func Download(s *Session, blobID, typ, name string, maxSize int64) Machine[[]byte] {
	if s.DownloadURL == "" {
		return coroutine.Done[Response, Request, []byte](nil, protocolError("session has no downloadUrl"))
	}
	u := Expand(s.DownloadURL, map[string]string{"accountId": s.AccountID, "blobId": blobID, "type": typ, "name": name})
	h := Header{}
	if a := s.auth; a != "" {
		h.Set("Authorization", a)
	}
	return coroutine.Map(Fetch(Request{Method: "GET", URL: u, Header: h, MaxBody: maxSize}), func(r Response) ([]byte, error) {
		if r.Status/100 != 2 {
			return nil, httpError(r)
		}
		return r.Body, nil
	})
}

// Upload returns a machine that uploads data as a blob of the given type
// through the session's uploadUrl (RFC 8620 section 6.1) and ends with its
// blobId. Data over the server's maxSizeUpload fails with email.ErrTooLarge
// before anything is sent.
func Upload(s *Session, typ string, data []byte) Machine[string] {
	if s.UploadURL == "" {
		return coroutine.Done[Response, Request, string]("", protocolError("session has no uploadUrl"))
	}
	if int64(len(data)) > s.MaxUpload() {
		return coroutine.Done[Response, Request, string]("", fmt.Errorf("jmap: upload of %d bytes over maxSizeUpload %d: %w", len(data), s.MaxUpload(), email.ErrTooLarge))
	}
	u := Expand(s.UploadURL, map[string]string{"accountId": s.AccountID})
	h := Header{}
	h.Set("Content-Type", typ)
	h.Set("Accept", "application/json")
	if a := s.auth; a != "" {
		h.Set("Authorization", a)
	}
	if data == nil {
		data = []byte{}
	}
	return coroutine.Map(Fetch(Request{Method: "POST", URL: u, Header: h, Body: data, MaxBody: 1 << 20}), func(r Response) (string, error) {
		if r.Status/100 != 2 {
			return "", httpError(r)
		}
		var v struct {
			BlobID string `json:"blobId"`
		}
		if err := json.Unmarshal(r.Body, &v); err != nil {
			return "", &DecodeError{What: "upload response", Err: err}
		}
		if v.BlobID == "" {
			return "", protocolError("upload response without blobId")
		}
		return v.BlobID, nil
	})
}
