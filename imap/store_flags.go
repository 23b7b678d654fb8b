package imap

import (
	"slices"

	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// StoreFlags returns the machine that adds, removes or sets flags with UID
// STORE (RFC 3501 section 6.4.6): +FLAGS.SILENT, -FLAGS.SILENT or
// FLAGS.SILENT, with canonical spellings. Adding or removing no flag sends
// nothing.
func StoreFlags(s *Session, mailbox string, ids []string, op email.FlagOp, flags email.Flags) coroutine.NetMachine[struct{}] {
	uids, set, err := parseIDs(ids)
	if err == nil {
		err = checkName(mailbox)
	}
	if err == nil && !op.Valid() {
		err = fmt.Errorf("%w: flag operation %d", email.ErrInvalidArgument, op)
	}
	if err != nil {
		return failed[struct{}]("store_flags", err)
	}
	return newMachine[struct{}](s, "store_flags", &storeFlags{s: s, set: set, op: op, flags: flags, sel: selector{mailbox: mailbox, upTo: slices.Max(uids)}}, mailbox)
}

type storeFlags struct {
	s     *Session
	set   imap.UIDSet
	op    email.FlagOp
	flags email.Flags
	sel   selector
	state int
}

func (st *storeFlags) result() struct{} { return struct{}{} }

func (st *storeFlags) advance(r *runner) ([]*wire.Command, bool, error) {
	s := st.s
	for {
		switch st.state {
		case 0:
			if len(st.flags) == 0 && st.op != email.FlagSet {
				return nil, true, nil
			}
			st.state = 1
			cmds, err := st.sel.command(s, r)
			if err != nil || cmds != nil {
				return cmds, false, err
			}
		case 1:
			if err := st.sel.done(s, r); err != nil {
				return nil, false, err
			}
			if st.sel.changed {
				return nil, false, errStale(st.sel.mailbox)
			}
			st.state = 2
			item := map[email.FlagOp]string{email.FlagAdd: " +FLAGS.SILENT ", email.FlagRemove: " -FLAGS.SILENT ", email.FlagSet: " FLAGS.SILENT "}[st.op]
			e := s.command("UID STORE").SP().Raw(st.set.String()).Raw(item)
			if err := writeFlags(e, st.flags); err != nil {
				return nil, false, err
			}
			return one(e)
		case 2:
			if err := runErr(r, 0, "UID STORE"); err != nil {
				return nil, false, err
			}
			return nil, true, nil
		}
	}
}
