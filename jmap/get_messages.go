package jmap

import (
	"github.com/ioemail/ioemail/coroutine"
)

// MessageBlob names the raw bytes of one email, for DownloadMessage.
type MessageBlob struct {
	// ID is the email id.
	ID string
	// BlobID is the blob of its raw message.
	BlobID string
	// Size is the size of the raw message in bytes, as Email/get gives it.
	Size int64
}

// Located is the outcome of LocateMessages.
type Located struct {
	// Found lists the emails in the mailbox, in the server's order, each
	// once.
	Found []MessageBlob
	// Missing lists the ids that are not in the mailbox (unknown to the
	// server, or in other mailboxes only), in the order asked, each once.
	Missing []string
}

// LocateMessages returns a machine that finds the blobs of the emails ids
// of the mailbox mailboxID, for a batch fetch: one Email/get of their
// blobId, mailboxIds and size (split in calls of at most maxObjectsInGet
// ids, one exchange as long as maxCallsInRequest allows). A duplicated or
// empty id is asked for once, and an empty one is missing.
func LocateMessages(s *Session, mailboxID string, ids []string) Machine[Located] {
	seen := make(map[string]bool, len(ids))
	var ask, missing []string
	for _, id := range ids {
		switch {
		case seen[id]:
			continue
		case id == "":
			missing = append(missing, id)
		default:
			ask = append(ask, id)
		}
		seen[id] = true
	}
	return coroutine.Map(getEmails(s, ask, []string{"blobId", "mailboxIds", "size"}), func(g emailGet) (Located, error) {
		out := Located{Missing: missing}
		found := make(map[string]bool, len(g.List))
		for _, e := range g.List {
			if !seen[e.ID] || found[e.ID] {
				continue // not asked for, or listed twice
			}
			if mailboxID != "" && !e.MailboxIDs[mailboxID] {
				continue
			}
			if e.BlobID == "" {
				return Located{}, protocolError("Email/get returned no blobId")
			}
			found[e.ID] = true
			out.Found = append(out.Found, MessageBlob{ID: e.ID, BlobID: e.BlobID, Size: e.Size})
		}
		for _, id := range ask {
			if !found[id] {
				out.Missing = append(out.Missing, id)
			}
		}
		return out, nil
	})
}
