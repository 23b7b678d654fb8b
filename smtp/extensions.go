package smtp

import (
	"strconv"
	"strings"
)

// Extensions is what the server advertised in its EHLO reply (RFC 5321
// section 4.1.1.1). The zero value means a server that only spoke HELO.
type Extensions struct {
	// ESMTP reports that EHLO succeeded (false after a HELO fallback).
	ESMTP bool
	// Domain is the name the server gave on the first line of its reply.
	Domain string
	// Size is the largest message the server accepts (SIZE, RFC 1870); 0
	// when it announced no limit or no SIZE.
	Size int64
	// HasSize reports that SIZE was advertised, so MAIL FROM may carry
	// SIZE=n.
	HasSize bool
	// Pipelining: RFC 2920.
	Pipelining bool
	// EightBitMIME: BODY=8BITMIME, RFC 6152.
	EightBitMIME bool
	// SMTPUTF8: RFC 6531.
	SMTPUTF8 bool
	// Chunking: BDAT, RFC 3030.
	Chunking bool
	// BinaryMIME: BODY=BINARYMIME, RFC 3030.
	BinaryMIME bool
	// StartTLS: RFC 3207.
	StartTLS bool
	// EnhancedStatusCodes: RFC 2034.
	EnhancedStatusCodes bool
	// DSN: RFC 3461.
	DSN bool
	// Auth lists the SASL mechanisms offered (RFC 4954), upper case.
	Auth []string
	// Keywords maps every advertised keyword (upper case) to its
	// parameters, as sent.
	Keywords map[string]string
}

// HasAuth reports whether mechanism mech (any case) is offered.
func (e Extensions) HasAuth(mech string) bool {
	for _, m := range e.Auth {
		if strings.EqualFold(m, mech) {
			return true
		}
	}
	return false
}

// parseExtensions reads the lines of a 250 EHLO reply.
func parseExtensions(lines []string) Extensions {
	e := Extensions{ESMTP: true, Keywords: map[string]string{}}
	if len(lines) > 0 {
		e.Domain, _, _ = strings.Cut(lines[0], " ")
	}
	for _, line := range lines[min(1, len(lines)):] {
		kw, params, _ := strings.Cut(strings.TrimSpace(line), " ")
		if kw == "" {
			continue
		}
		kw = strings.ToUpper(kw)
		// Old servers write AUTH=PLAIN LOGIN.
		if rest, ok := strings.CutPrefix(kw, "AUTH="); ok {
			kw, params = "AUTH", strings.TrimSpace(rest+" "+params)
		}
		params = strings.TrimSpace(params)
		if old, seen := e.Keywords[kw]; seen && kw == "AUTH" {
			params = strings.TrimSpace(old + " " + params)
		}
		e.Keywords[kw] = params
		switch kw {
		case "SIZE":
			e.HasSize = true
			if n, err := strconv.ParseInt(params, 10, 64); err == nil && n > 0 {
				e.Size = n
			}
		case "PIPELINING":
			e.Pipelining = true
		case "8BITMIME":
			e.EightBitMIME = true
		case "SMTPUTF8":
			e.SMTPUTF8 = true
		case "CHUNKING":
			e.Chunking = true
		case "BINARYMIME":
			e.BinaryMIME = true
		case "STARTTLS":
			e.StartTLS = true
		case "ENHANCEDSTATUSCODES":
			e.EnhancedStatusCodes = true
		case "DSN":
			e.DSN = true
		case "AUTH":
			for _, m := range strings.Fields(params) {
				m = strings.ToUpper(m)
				if !e.HasAuth(m) && len(e.Auth) < 64 {
					e.Auth = append(e.Auth, m)
				}
			}
		}
	}
	return e
}
