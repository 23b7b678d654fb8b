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
// # Date semantics
//
// Date conditions look at the Date header (RFC 5322 section 3.6.1) only,
// never at the arrival time, and at day granularity in the header's own UTC
// offset: a message dated "Mon, 2 Mar 2026 23:30:00 -0500" is on 2026-03-02,
// although it is 2026-03-03 in UTC. This is the rule of IMAP's SENTON,
// SENTBEFORE and SENTSINCE (RFC 3501 section 6.4.4: "disregarding time and
// timezone"), so local and IMAP searches agree.
//
//   - date D: the message's day is D;
//   - before D: the message's day is earlier than D (strictly);
//   - after D: the message's day is later than D (strictly);
//   - a message without a Date header, or with one that does not parse,
//     never matches a date condition (so "not before D" matches it).
//
// # Text semantics
//
// from and to match when the display name or the address of any From (To)
// address contains the value; subject when the decoded subject does; body
// when a decoded text part does (see BodyContains). Comparison ignores case
// (Unicode lower case) and composition (both sides in NFC, so "é" typed
// as e + U+0301 matches "é") and is a plain substring test. flag compares
// flags with email.Flag.Equal, so the spellings of one registered flag are
// one condition.
//
// # Sorting
//
// Without "order by", results come newest Date first, undated last (see
// DefaultSort). Ties on every key fall back to the date, newest first, then
// to the backend's message id, so pages are stable. from and to sort by the
// first address's display name, or its address when it has none; subject by
// the RFC 5256 base subject; both ignoring case (see Sort).
//
// # Compiling for servers
//
// The tree maps onto IMAP SEARCH keys (RFC 3501 section 6.4.4) as: date D
// to SENTON D, before D to SENTBEFORE D, after D to SENTSINCE D+1
// (Day.AddDays), from, to, subject and body to FROM, TO, SUBJECT and BODY
// (sent as quoted strings or literals, charset UTF-8; a value never holds a
// control character), flag to SEEN, ANSWERED, FLAGGED, DRAFT, DELETED or
// KEYWORD with the flag's canonical spelling (always an IMAP atom). A
// server's substring and case rules, its handling of undated messages and
// its SORT collation (RFC 5256: FROM sorts by the address's local part) are
// its own; a backend that must answer exactly as Match does can
// over-select on the server and filter with Match or MatchEnvelope.
package search
