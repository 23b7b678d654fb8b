package imap

import (
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// expunger removes exactly the messages of a UID set from the selected
// mailbox: UID STORE +FLAGS.SILENT (\Deleted) then UID EXPUNGE (RFC 4315),
// pipelined. Without UIDPLUS a plain EXPUNGE would also remove every other
// message marked \Deleted, so it first asks UID SEARCH DELETED and refuses
// (email.ErrRefused) when another message carries \Deleted. (Another
// client could still mark one between that check and the EXPUNGE.)
type expunger struct {
	set   imap.UIDSet
	state int
	other bool
}

// next returns the next batch, or done.
func (x *expunger) next(s *Session, r *runner) ([]*wire.Command, bool, error) {
	switch x.state {
	case 0:
		if !s.has(imap.CapUIDPlus) {
			x.state = 1
			r.onData = func(resp *wire.Response) error {
				switch resp.Kind {
				case wire.KindSearch:
					for _, n := range resp.Nums {
						if !x.set.Contains(imap.UID(n)) {
							x.other = true
						}
					}
				case wire.KindESearch:
					if nums, ok := expandSet(resp.ESearch.All, maxIDs); ok {
						for _, n := range nums {
							if !x.set.Contains(n) {
								x.other = true
							}
						}
					}
				}
				return nil
			}
			return one(s.command("UID SEARCH").Raw(" DELETED"))
		}
		x.state = 2
		return x.batch(s)
	case 1:
		if err := runErr(r, 0, "UID SEARCH"); err != nil {
			return nil, false, err
		}
		if x.other {
			return nil, false, fmt.Errorf("%w: the server lacks UIDPLUS and other messages are marked \\Deleted; EXPUNGE would remove them too", email.ErrRefused)
		}
		x.state = 2
		return x.batch(s)
	case 2:
		if r.err != nil {
			return nil, false, r.err
		}
		for i, name := range []string{"UID STORE", "EXPUNGE"} {
			if err := statusErr(name, r.status[i]); err != nil {
				return nil, false, err
			}
		}
		return nil, true, nil
	}
	return nil, true, nil
}

func (x *expunger) batch(s *Session) ([]*wire.Command, bool, error) {
	store, err := s.command("UID STORE").SP().Raw(x.set.String()).Raw(` +FLAGS.SILENT (\Deleted)`).Finish()
	if err != nil {
		return nil, false, err
	}
	var exp *wire.Command
	if s.has(imap.CapUIDPlus) {
		exp, err = s.command("UID EXPUNGE").SP().Raw(x.set.String()).Finish()
	} else {
		exp, err = s.command("EXPUNGE").Finish()
	}
	if err != nil {
		return nil, false, err
	}
	return []*wire.Command{store, exp}, false, nil
}
