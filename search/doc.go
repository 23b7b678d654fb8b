// Package search implements the query language of SearchEnvelopes: a
// parser, a backend-free syntax tree, and an in-memory matcher and sorter
// that the local stores (Maildir, m2dir) use. Network backends compile the
// tree to their own form (IMAP SEARCH and SORT keys, a JMAP filter) with a
// type switch over its nodes.
//
// # Language
//
// A query is a filter, optionally followed by "order by" and sort keys:
//
//	from alice and (subject "quarterly report" or body invoice) not flag seen
//	after 2026-01-01 before 2026-02-01 order by date desc from
//	order by subject
//
// The grammar (white space, CR and LF separate tokens):
//
//	query     = [ or ] [ "order" "by" *( sortkey [ "asc" / "desc" ] ) ]
//	or        = and *( "or" and )
//	and       = unary *( [ "and" ] unary )       ; juxtaposition is "and"
//	unary     = "not" unary / "(" or ")" / condition
//	condition = ( "date" / "before" / "after" ) date
//	          / ( "from" / "to" / "subject" / "body" ) value
//	          / "flag" value
//	sortkey   = "date" / "from" / "to" / "subject"
//	value     = quoted / word
//	quoted    = DQUOTE *( "\\" / "\" DQUOTE / any other character ) DQUOTE
//	word      = 1*( "\\" / "\" DQUOTE / "\(" / "\)" / "\ " / any character
//	            but white space and parentheses )
//	date      = YYYY-MM-DD / YYYY/MM/DD / DD-MM-YYYY / DD/MM/YYYY
//
// Choices the reference implementation left open or got wrong, as this
// package settles them:
//
//   - "not" binds tightest, then "and", then "or": "a and b or c" is
//     "(a and b) or c"; "a or b c" is "a or (b and c)".
//   - Keywords are case-insensitive ("AND", "Subject" and "and", "subject"
//     are the same). The words and, or, not, order, date, before, after,
//     from, to, subject, body and flag are reserved: as values they must
//     be quoted (subject "or"). by, asc and desc are keywords only after
//     "order"; elsewhere they are ordinary values.
//   - Quoted values are unquoted: subject "foo bar" searches for foo bar.
//     Inside quotes \\ and \" are escapes; a backslash before any other
//     character is kept, so "\Seen" is \Seen. Unquoted words have the
//     escapes \\, \", \(, \) and "\ " (backslash space), and likewise keep a
//     backslash before anything else: flag \Seen works unquoted.
//   - "order by" inside a quoted value is text; "order by" can only end a
//     query, and "order by" with no key asks for the default order.
//   - An empty or blank query is valid: every message, default order.
//   - Values are UTF-8 without control characters; tab, CR and LF are
//     separators outside quotes and errors inside them.
//   - Flags are written in any spelling of a registered flag (seen, Seen,
//     \Seen, $seen; also answered, flagged, draft, deleted, forwarded,
//     junk, notjunk, phishing, important, mdnsent) or as a keyword of
//     printable ASCII without ( ) { ] % * " \, so every backend can store
//     and search it.
//   - Parentheses and "not" nest at most MaxDepth (100) deep; deeper
//     queries fail with a SyntaxError, not a stack overflow.
//
// Errors are *SyntaxError values giving the byte offset, what was expected
// there and what was found. Query.String prints a query that parses back
// to an equal Query.
//
// # Semantics
//
// This section is the one meaning of a query. Every backend's
// SearchEnvelopes (Maildir, m2dir, IMAP, JMAP) returns exactly what Match
// and Sort return over the envelopes of the mailbox, in the same order,
// page by page; the exceptions are listed under "What servers evaluate".
// The envelope of a message is what package internal/header makes of its
// header (see EnvelopeFromHeader), whichever backend stored it.
//
// Text. subject, from and to match when the field's whole decoded text
// contains the value as a substring, ignoring case (Unicode lower case) and
// composition (both sides in NFC, so "é" typed as e + U+0301 matches "é").
// Decoded means: RFC 2047 encoded words decoded wherever they stand (also
// inside quotes, also in a comment), each fold (a line break and the white
// space after it) made one space, other white space kept as written, the
// ends trimmed, invalid bytes replaced by U+FFFD. For subject the text is
// the decoded Subject header. For from and to it is FieldText of the
// header's addresses: each address as "Name <addr-spec>", or the one half
// it has, joined by ", ". The name is the display name (phrase) or, where
// there is none, the decoded comment, so "from björn" matches "From:
// vondruch at redhat.com (=?UTF-8?Q?Bj=C3=B6rn?=)" (whose addr-spec is read
// as vondruch@redhat.com, the one repair the parser makes); an entry
// without an addr-spec ("undisclosed-recipients:;", a bare encoded word)
// keeps its decoded text as the name; the members of a group are listed,
// the group's name is not; a comment beside a phrase is not part of the
// text. So "subject test" matches "GroupwiseForwardingTest", "subject
// testing" does not match "Test message", and subject "delivery
// notification" does not match "Delivery status notification". An empty
// value matches every message whose field has at least one address (from,
// to) or every message (subject, body). flag compares flags with
// email.Flag.Equal, so the spellings of one registered flag are one
// condition.
//
// Dates. Date conditions look at the Date header (RFC 5322 section 3.6.1)
// only, never at the arrival time, and at day granularity in the header's
// own UTC offset: a message dated "Mon, 2 Mar 2026 23:30:00 -0500" is on
// 2026-03-02, although it is 2026-03-03 in UTC. This is the rule of IMAP's
// SENTON, SENTBEFORE and SENTSINCE (RFC 3501 section 6.4.4: "disregarding
// time and timezone").
//
//   - date D: the message's day is D;
//   - before D: the message's day is earlier than D (strictly);
//   - after D: the message's day is later than D (strictly);
//   - a message without a Date header, or with one that does not parse,
//     matches no date condition, so "not before D" matches it. (Dovecot
//     dates such a message 1970-01-01 and Cyrus by its arrival; backends
//     do not pass that on.)
//
// Sorting. Without "order by", results come newest Date first, undated
// last (DefaultSort). from and to sort by the RFC 5957 display key of the
// first address (its display name, or its addr-spec when it has none; ""
// without addresses, see DisplayKey), subject by the RFC 5256 base subject
// (see BaseSubject), date by the instant. Strings compare as RFC 4790's
// i;ascii-casemap: ASCII letters upper-cased, then octet by octet, so "_"
// sorts after the letters, as Dovecot's SORT does. Ties on every key are
// broken the same way on every backend: by the Date instant, newest first,
// undated last; then by the Message-ID, octet order; then by the backend's
// message id (see Compare).
//
// # What servers evaluate
//
// Servers do not share these semantics: Dovecot's SEARCH FROM ignores
// comments and its sort cache can return a stale order; Cyrus's JMAP text
// filters are full-text (words split and stemmed, one-letter words
// dropped, indexed some time after import); both date an undated message.
// So the IMAP and JMAP backends send a server-side query only where its
// answer is a superset of the exact answer, fetch the header fields the
// matcher needs (HeaderFields, by BODY.PEEK[HEADER.FIELDS (...)] or
// Email/get header properties) for each candidate, parse them with
// EnvelopeFromHeader, keep what MatchWith keeps, and sort and cut the page
// with Sort afterwards. Where no superset query exists they evaluate the
// query locally over the whole mailbox.
//
// The one documented exception is the body: "body X" is left to the
// server on IMAP (SEARCH BODY, RFC 3501 section 6.4.4) and JMAP (the
// "body" filter, RFC 8621 section 4.4.1), whose tokenising, charset
// support and diacritic folding are their own. Locally, body X is a
// case-insensitive substring of a decoded text/plain or text/html part
// that is not an attachment (see BodyContains). A query with a body
// condition may therefore select different messages on a server than on a
// local store; the other conditions, the order and the pages are still
// those of this package.
//
// # Compiling for servers
//
// The tree maps onto IMAP SEARCH keys (RFC 3501 section 6.4.4) as: date D
// to SENTON D, before D to SENTBEFORE D, after D to SENTSINCE D+1
// (Day.AddDays), from, to, subject and body to FROM, TO, SUBJECT and BODY
// (sent as quoted strings or literals, charset UTF-8; a value never holds a
// control character), flag to SEEN, ANSWERED, FLAGGED, DRAFT, DELETED or
// KEYWORD with the flag's canonical spelling (always an IMAP atom). Such a
// compiled query is only a candidate set: see "What servers evaluate".
package search
