// Package header scans the head of an RFC 5322 message quickly: it finds
// where the header ends, walks the fields, and decodes only the few fields an
// envelope needs (Subject, From, To, Cc, Date, Message-ID, Content-Type and
// Content-Disposition). It is the listing path of the local stores and is
// shared by every backend that reads raw messages.
//
// The scanner is tolerant: it never fails and never panics, whatever the
// bytes. A field it cannot make sense of is left empty; text it returns is
// always valid UTF-8 (raw 8-bit UTF-8 is kept; raw 8-bit text that is not
// UTF-8 is read as Windows-1252, the legacy charset of nearly every such
// header; invalid bytes inside decoded charsets become U+FFFD). A scan makes two allocations, one string that every text field
// of the result slices and one array of addresses; its working buffers come
// from a pool, so it is safe for concurrent use. Its time is linear in the
// size of the head whatever the bytes, and its result does not depend on the
// machine's time zone or locale.
//
// The building blocks are exported for the other backends: [End] finds the
// end of the header, [Fields] walks its fields, [DecodeWords] decodes RFC 2047
// encoded words, [ParseAddressList] reads an RFC 5322 address list, and
// [ParseDate] reads an RFC 5322 date, obsolete forms included.
package header
