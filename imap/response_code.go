package imap

// ResponseCode is the response code of a tagged status response, the atom
// in brackets in "A1 NO [TRYCREATE] ..." (RFC 3501 section 7.1, RFC 5530
// for the common ones), in upper case as the server sent it, without its
// arguments; "" when the response had none. It is a plain string type so
// that a caller compares it with a literal ("NONEXISTENT") without
// importing another IMAP package.
type ResponseCode string
