package email

import "strings"

// Address is a mailbox address as it appears in From, To and similar headers
// (RFC 5322 section 3.4).
type Address struct {
	// Name is the decoded display name, or empty when the header had none.
	Name string `json:"name,omitempty"`
	// Email is the addr-spec, local@domain. It may hold only one half when
	// the source lacked the other.
	Email string `json:"email"`
}

// String formats the address for display: "Name <local@domain>", or the bare
// address when there is no name. It is not a wire encoding: the name is not
// quoted nor RFC 2047 encoded.
func (a Address) String() string {
	if a.Name == "" {
		return a.Email
	}
	return a.Name + " <" + a.Email + ">"
}

// Domain returns the part of Email after its last '@', or "" when there is none.
func (a Address) Domain() string {
	if i := strings.LastIndexByte(a.Email, '@'); i >= 0 {
		return a.Email[i+1:]
	}
	return ""
}
