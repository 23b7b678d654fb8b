package imap

import (
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

func ListEnvelopes(s *Session, mailbox string, opts email.ListOptions) coroutine.NetMachine[[]email.Envelope] {
	return failed[[]email.Envelope]("list_envelopes", email.ErrUnsupported)
}
func GetMessage(s *Session, mailbox, id string) coroutine.NetMachine[[]byte] {
	return failed[[]byte]("get_message", email.ErrUnsupported)
}
func AddMessage(s *Session, mailbox string, raw []byte, flags email.Flags) coroutine.NetMachine[string] {
	return failed[string]("add_message", email.ErrUnsupported)
}
func CopyMessages(s *Session, from, to string, ids []string) coroutine.NetMachine[[]string] {
	return failed[[]string]("copy_messages", email.ErrUnsupported)
}
func MoveMessages(s *Session, from, to string, ids []string) coroutine.NetMachine[[]string] {
	return failed[[]string]("move_messages", email.ErrUnsupported)
}
func DeleteMessages(s *Session, mailbox string, ids []string) coroutine.NetMachine[struct{}] {
	return failed[struct{}]("delete_message", email.ErrUnsupported)
}
func StoreFlags(s *Session, mailbox string, ids []string, op email.FlagOp, flags email.Flags) coroutine.NetMachine[struct{}] {
	return failed[struct{}]("store_flags", email.ErrUnsupported)
}
