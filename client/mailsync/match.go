package mailsync

import "github.com/ioemail/ioemail/email"

// Match reports whether the mailbox name matches pattern, as
// Options.Mailboxes and Options.Exclude use them: "*" matches any run of
// characters, "/" included; "%" matches any run without "/" (one level, as
// in IMAP LIST); every other character matches itself. "INBOX" matches the
// inbox whatever its case.
func Match(pattern, name string) bool {
	if email.IsInbox(pattern) && email.IsInbox(name) {
		return true
	}
	return match(pattern, name)
}

func match(p, n string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*', '%':
			for i := 0; i <= len(n); i++ {
				if match(p[1:], n[i:]) {
					return true
				}
				if i < len(n) && p[0] == '%' && n[i] == '/' {
					return false
				}
			}
			return false
		default:
			if len(n) == 0 || n[0] != p[0] {
				return false
			}
			p, n = p[1:], n[1:]
		}
	}
	return len(n) == 0
}

// selected reports whether the A name is synced by opts.
func selected(opts Options, aName string) bool {
	in := len(opts.Mailboxes) == 0
	for _, p := range opts.Mailboxes {
		if Match(p, aName) {
			in = true
			break
		}
	}
	for _, p := range opts.Exclude {
		if Match(p, aName) {
			return false
		}
	}
	return in
}
