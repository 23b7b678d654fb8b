package imap

import (
	"fmt"
	"strconv"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/email"
)

// Message ids.
//
// An id is the message's UID in decimal ("42"): what ListEnvelopes,
// AddMessage, CopyMessages and MoveMessages return and what the other
// operations take. A UID names a message only within its mailbox and only
// while the mailbox keeps its UIDVALIDITY (RFC 3501 section 2.3.1.1). The
// session remembers the UIDVALIDITY it saw for each mailbox; when a later
// SELECT shows a different one, operations that take ids fail with an
// error matching email.ErrInvalidID instead of acting on whatever
// messages now carry those numbers. List the mailbox again to get fresh
// ids.

// maxIDs bounds the number of ids one call accepts.
const maxIDs = 1 << 20

// parseIDs validates ids and returns them as UIDs and as a set.
func parseIDs(ids []string) ([]imap.UID, imap.UIDSet, error) {
	if len(ids) == 0 {
		return nil, nil, fmt.Errorf("%w: no message ids", email.ErrInvalidArgument)
	}
	if len(ids) > maxIDs {
		return nil, nil, fmt.Errorf("%w: too many message ids", email.ErrInvalidArgument)
	}
	uids := make([]imap.UID, len(ids))
	var set imap.UIDSet
	for i, id := range ids {
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil || n == 0 || id[0] == '+' || id[0] == '0' {
			return nil, nil, fmt.Errorf("%w: %q is not an IMAP UID", email.ErrInvalidID, id)
		}
		uids[i] = imap.UID(n)
		set.AddNum(imap.UID(n))
	}
	return uids, set, nil
}

func formatUID(uid imap.UID) string { return strconv.FormatUint(uint64(uid), 10) }

// errStale is the error of an operation whose ids predate a UIDVALIDITY
// change.
func errStale(mailbox string) error {
	return fmt.Errorf("%w: UIDVALIDITY of %q changed; list the mailbox again", email.ErrInvalidID, mailbox)
}

// expandSet lists the UIDs of set in order, at most limit of them; ok is
// false when the set is dynamic ("*") or larger than limit.
func expandSet(set imap.UIDSet, limit int) ([]imap.UID, bool) {
	var out []imap.UID
	for _, r := range set {
		if r.Start == 0 || r.Stop == 0 {
			return nil, false
		}
		a, b := r.Start, r.Stop
		step := imap.UID(1)
		if b < a {
			step = ^imap.UID(0) // descending range
		}
		for u := a; ; u += step {
			if len(out) >= limit {
				return nil, false
			}
			out = append(out, u)
			if u == b {
				break
			}
		}
	}
	return out, true
}

// mapCopyUID pairs each source UID with its new UID from a COPYUID
// response code (RFC 4315 section 3); ids without a pair map to "".
func mapCopyUID(uids []imap.UID, c *imap.CopyData) []string {
	out := make([]string, len(uids))
	if c == nil {
		return out
	}
	src, ok1 := expandSet(c.SourceUIDs, len(uids))
	dst, ok2 := expandSet(c.DestUIDs, len(uids))
	if !ok1 || !ok2 || len(src) != len(dst) {
		return out
	}
	m := make(map[imap.UID]imap.UID, len(src))
	for i, u := range src {
		m[u] = dst[i]
	}
	for i, u := range uids {
		if d, ok := m[u]; ok {
			out[i] = formatUID(d)
		}
	}
	return out
}
