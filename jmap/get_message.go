package jmap

import (
	"encoding/json"
	"fmt"
	"math"

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
	if maxSize <= 0 {
		maxSize = DefaultMaxMessage
	}
	return locateMessage(s, mailboxID, id, maxSize, func(e Email) Machine[[]byte] {
		return Download(s, e.BlobID, "message/rfc822", "message.eml", maxSize)
	})
}

// GetMessageStream is GetMessage streaming the message to the operation's
// sink (see Request.StreamBody) instead of holding it: it ends with the
// number of bytes written there, at most maxSize (no limit when 0 or
// less); see DownloadMessage.
func GetMessageStream(s *Session, mailboxID, id string, maxSize int64) Machine[int64] {
	if maxSize <= 0 {
		maxSize = math.MaxInt64
	}
	return locateMessage(s, mailboxID, id, maxSize, func(e Email) Machine[int64] {
		return DownloadMessage(s, MessageBlob{ID: e.ID, BlobID: e.BlobID, Size: e.Size}, maxSize)
	})
}

// DownloadMessage returns a machine that streams the raw message of b to
// the operation's sink (see Request.StreamBody) and ends with the number
// of bytes written there. A message whose Size is over maxSize (no limit
// when 0 or less) fails with email.ErrTooLarge before any exchange; a
// download whose length is not b.Size (a server that hung up early with a
// body framed by the end of the connection) fails with an error matching
// email.ErrProtocol, the bytes already written to the sink then not being
// the whole message.
func DownloadMessage(s *Session, b MessageBlob, maxSize int64) Machine[int64] {
	if maxSize <= 0 {
		maxSize = math.MaxInt64
	}
	if b.Size > maxSize {
		return coroutine.Done[Response, Request, int64](0, tooLargeMessage(b.Size, maxSize))
	}
	return coroutine.Map(DownloadStream(s, b.BlobID, "message/rfc822", "message.eml", maxSize), func(n int64) (int64, error) {
		if b.Size > 0 && n != b.Size {
			return n, protocolError(fmt.Sprintf("downloaded %d bytes of a message of %d", n, b.Size))
		}
		return n, nil
	})
}

// locateMessage asks for the blobId of the email id (in the mailbox
// mailboxID when not empty), checks its size against maxSize and goes on
// with then.
func locateMessage[T any](s *Session, mailboxID, id string, maxSize int64, then func(Email) Machine[T]) Machine[T] {
	var zero T
	if id == "" {
		return coroutine.Done[Response, Request, T](zero, fmt.Errorf("jmap: empty email id: %w", email.ErrInvalidID))
	}
	get := Call{Name: "Email/get", ID: "0", Args: map[string]any{"accountId": s.AccountID, "ids": []string{id}, "properties": []string{"blobId", "mailboxIds", "size"}}}
	return coroutine.Then(API(s, nil, []Call{get}), func(r *Responses) Machine[T] {
		var g emailGet
		if err := r.Decode("0", "Email/get", &g); err != nil {
			return coroutine.Done[Response, Request, T](zero, err)
		}
		if len(g.List) != 1 || (mailboxID != "" && !g.List[0].MailboxIDs[mailboxID]) {
			return coroutine.Done[Response, Request, T](zero, &email.NotFoundError{Mailbox: mailboxID, ID: id})
		}
		e := g.List[0]
		if e.BlobID == "" {
			return coroutine.Done[Response, Request, T](zero, protocolError("Email/get returned no blobId"))
		}
		if e.Size > maxSize {
			return coroutine.Done[Response, Request, T](zero, tooLargeMessage(e.Size, maxSize))
		}
		return then(e)
	})
}

func tooLargeMessage(size, limit int64) error {
	return fmt.Errorf("jmap: message of %d bytes over the limit %d: %w", size, limit, email.ErrTooLarge)
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

// DownloadStream is Download streaming the blob to the operation's sink
// (see Request.StreamBody): it ends with the number of bytes written
// there, at most maxSize.
func DownloadStream(s *Session, blobID, typ, name string, maxSize int64) Machine[int64] {
	if s.DownloadURL == "" {
		return coroutine.Done[Response, Request, int64](0, protocolError("session has no downloadUrl"))
	}
	u := Expand(s.DownloadURL, map[string]string{"accountId": s.AccountID, "blobId": blobID, "type": typ, "name": name})
	h := Header{}
	if a := s.auth; a != "" {
		h.Set("Authorization", a)
	}
	return coroutine.Map(Fetch(Request{Method: "GET", URL: u, Header: h, MaxBody: maxSize, StreamBody: true}), func(r Response) (int64, error) {
		if r.Status/100 != 2 {
			return 0, httpError(r)
		}
		return r.Streamed, nil
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
	if data == nil {
		data = []byte{}
	}
	return coroutine.Map(Fetch(Request{Method: "POST", URL: u, Header: uploadHeader(s, typ), Body: data, MaxBody: 1 << 20}), uploaded)
}

// UploadStream is Upload of the operation's source (see
// Request.SourceBody), passed through the transform tr builds when tr is
// not nil: the body is read once as it is sent, and more than maxSize
// bytes out of tr (when positive) or than the server's maxSizeUpload fail
// with email.ErrTooLarge as they pass.
func UploadStream(s *Session, typ string, maxSize int64, tr func() Transform) Machine[string] {
	if s.UploadURL == "" {
		return coroutine.Done[Response, Request, string]("", protocolError("session has no uploadUrl"))
	}
	limit := s.MaxUpload()
	if maxSize > 0 {
		limit = min(limit, maxSize)
	}
	u := Expand(s.UploadURL, map[string]string{"accountId": s.AccountID})
	req := Request{Method: "POST", URL: u, Header: uploadHeader(s, typ), MaxBody: 1 << 20, SourceBody: true, SourceTransform: tr, SourceLimit: limit}
	return coroutine.Map(Fetch(req), uploaded)
}

// uploadHeader is the header of an upload of typ.
func uploadHeader(s *Session, typ string) Header {
	h := Header{}
	h.Set("Content-Type", typ)
	h.Set("Accept", "application/json")
	if a := s.auth; a != "" {
		h.Set("Authorization", a)
	}
	return h
}

// uploaded reads the blobId of an upload's response.
func uploaded(r Response) (string, error) {
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
}
