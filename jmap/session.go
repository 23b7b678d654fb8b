package jmap

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// The capability URIs this package uses (RFC 8620 section 2, RFC 8621
// section 1.3).
const (
	CapCore       = "urn:ietf:params:jmap:core"
	CapMail       = "urn:ietf:params:jmap:mail"
	CapSubmission = "urn:ietf:params:jmap:submission"
)

// maxSessionBody bounds the session resource.
const maxSessionBody = 4 << 20

// CoreLimits are the limits of the urn:ietf:params:jmap:core capability
// (RFC 8620 section 2). A zero field means the server gave none; the
// accessors on Session substitute conservative defaults.
type CoreLimits struct {
	// MaxSizeUpload is the largest file the server accepts for upload, in
	// octets.
	MaxSizeUpload int64 `json:"maxSizeUpload"`
	// MaxConcurrentUpload is the number of uploads the server accepts at
	// once.
	MaxConcurrentUpload int `json:"maxConcurrentUpload"`
	// MaxSizeRequest is the largest API request body, in octets.
	MaxSizeRequest int64 `json:"maxSizeRequest"`
	// MaxConcurrentRequests is the number of API requests the server
	// accepts at once.
	MaxConcurrentRequests int `json:"maxConcurrentRequests"`
	// MaxCallsInRequest is the number of method calls one request may
	// hold.
	MaxCallsInRequest int `json:"maxCallsInRequest"`
	// MaxObjectsInGet is the number of objects one /get may ask for.
	MaxObjectsInGet int `json:"maxObjectsInGet"`
	// MaxObjectsInSet is the number of objects one /set may create,
	// update and destroy together.
	MaxObjectsInSet int `json:"maxObjectsInSet"`
}

// MailAccountCaps is the urn:ietf:params:jmap:mail capability of the mail
// account (RFC 8621 section 1.3.1).
type MailAccountCaps struct {
	// MaxMailboxesPerEmail is the number of mailboxes an email may be in,
	// 0 for no limit.
	MaxMailboxesPerEmail int `json:"maxMailboxesPerEmail"`
	// MaxSizeMailboxName is the longest mailbox name, in octets of UTF-8.
	MaxSizeMailboxName int `json:"maxSizeMailboxName"`
	// EmailQuerySortOptions lists the properties Email/query can sort by.
	EmailQuerySortOptions []string `json:"emailQuerySortOptions"`
	// EmailsListSortOptions is the spelling of some servers (Cyrus 3.6).
	EmailsListSortOptions []string `json:"emailsListSortOptions"`
	// MayCreateTopLevelMailbox says whether the user may create a mailbox
	// at the top of the hierarchy.
	MayCreateTopLevelMailbox bool `json:"mayCreateTopLevelMailbox"`
}

// Session is the JMAP session resource (RFC 8620 section 2) with its URLs
// resolved against the URL it was fetched from, and the credentials that
// every request of this session carries.
type Session struct {
	// URL is the session resource URL after redirects.
	URL string
	// Username is the user the credentials belong to.
	Username string
	// APIURL is the absolute URL of the API endpoint.
	APIURL string
	// DownloadURL, UploadURL and EventSourceURL are absolute URI templates
	// (RFC 6570 level 1).
	DownloadURL, UploadURL, EventSourceURL string
	// State is the session state; a change means the session must be
	// fetched again.
	State string
	// AccountID is the primary account for urn:ietf:params:jmap:mail.
	AccountID string
	// Capabilities holds every server capability, unknown ones included,
	// undecoded.
	Capabilities map[string]json.RawMessage
	// Core holds the core limits.
	Core CoreLimits
	// Mail holds the mail capability of the account.
	Mail MailAccountCaps
	// Submission says whether the server offers
	// urn:ietf:params:jmap:submission for the account.
	Submission bool

	auth  string
	stale atomic.Bool // set by concurrent machines
	names *nameCache  // the mailbox tree snapshot, see ResolveMailbox
}

// Stale reports whether an API response carried a sessionState different
// from State (RFC 8620 section 3.4): the session resource changed (new
// accounts, capabilities or URLs) and should be fetched again.
func (s *Session) Stale() bool { return s.stale.Load() }

// Authorization returns the Authorization header value the session sends.
// It is never part of an error or of the session's printed form.
func (s *Session) Authorization() string { return s.auth }

// String describes the session without its credentials.
func (s *Session) String() string {
	return fmt.Sprintf("jmap session %s (account %q, api %s)", s.URL, s.AccountID, s.APIURL)
}

// GoString is String, so that %#v cannot print the credentials either.
func (s *Session) GoString() string { return s.String() }

// MaxCalls returns maxCallsInRequest, or 16 when the server gave none.
func (s *Session) MaxCalls() int { return orDefault(s.Core.MaxCallsInRequest, 16) }

// MaxGet returns maxObjectsInGet, or 500 when the server gave none.
func (s *Session) MaxGet() int { return orDefault(s.Core.MaxObjectsInGet, 500) }

// MaxSet returns maxObjectsInSet, or 500 when the server gave none.
func (s *Session) MaxSet() int { return orDefault(s.Core.MaxObjectsInSet, 500) }

// MaxUpload returns maxSizeUpload, or 50 MB when the server gave none.
func (s *Session) MaxUpload() int64 {
	if s.Core.MaxSizeUpload > 0 {
		return s.Core.MaxSizeUpload
	}
	return 50_000_000
}

// CanSort reports whether the account lists property among its Email/query
// sort options; it is true when the server lists none.
func (s *Session) CanSort(property string) bool {
	opts := s.Mail.EmailQuerySortOptions
	if len(opts) == 0 {
		opts = s.Mail.EmailsListSortOptions
	}
	if len(opts) == 0 {
		return true
	}
	for _, o := range opts {
		if o == property {
			return true
		}
	}
	return false
}

func orDefault(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// WellKnown returns the session URL for a service URL: the URL itself when
// it has a path, or its origin with /.well-known/jmap (RFC 8620 section
// 2.2) when its path is empty or "/".
func WellKnown(serviceURL string) (string, error) {
	u, err := url.Parse(serviceURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("jmap: session URL must be an http or https URL with a host: %w", email.ErrInvalidArgument)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/.well-known/jmap"
	}
	return u.String(), nil
}

// Discover returns a machine that fetches the session resource from
// sessionURL (see WellKnown), following redirects, and sends auth (the
// whole Authorization value, "Basic ..." or "Bearer ...") with it and with
// every later request of the session.
func Discover(sessionURL, auth string) Machine[*Session] {
	u, err := WellKnown(sessionURL)
	if err != nil {
		return coroutine.Done[Response, Request, *Session](nil, err)
	}
	h := Header{}
	h.Set("Accept", "application/json")
	if auth != "" {
		h.Set("Authorization", auth)
	}
	f := Fetch(Request{Method: "GET", URL: u, Header: h, MaxBody: maxSessionBody})
	return coroutine.Map(f, func(r Response) (*Session, error) {
		if r.Status/100 != 2 {
			return nil, httpError(r)
		}
		return ParseSession(r.Body, r.URL, auth)
	})
}

type sessionJSON struct {
	Username        string                     `json:"username"`
	APIURL          string                     `json:"apiUrl"`
	DownloadURL     string                     `json:"downloadUrl"`
	UploadURL       string                     `json:"uploadUrl"`
	EventSourceURL  string                     `json:"eventSourceUrl"`
	State           string                     `json:"state"`
	Capabilities    map[string]json.RawMessage `json:"capabilities"`
	PrimaryAccounts map[string]string          `json:"primaryAccounts"`
	Accounts        map[string]struct {
		AccountCapabilities map[string]json.RawMessage `json:"accountCapabilities"`
	} `json:"accounts"`
}

// ParseSession decodes a session resource fetched from sessionURL and
// resolves its URLs against it. Unknown capabilities and accounts are kept
// or ignored; a session without apiUrl, or without an account for the mail
// capability, is an error. The credentials go to every URL of the session,
// so a session fetched over https whose apiUrl, downloadUrl, uploadUrl or
// eventSourceUrl is plain http, or a session whose URL on another host
// than its own is plain http, is refused with an error matching
// email.ErrInsecure before any request is made; a URL that is neither http
// nor https is an error matching email.ErrProtocol.
func ParseSession(body []byte, sessionURL, auth string) (*Session, error) {
	var j sessionJSON
	if err := json.Unmarshal(body, &j); err != nil {
		return nil, &DecodeError{What: "session", Err: err}
	}
	base, err := url.Parse(sessionURL)
	if err != nil || !base.IsAbs() {
		return nil, fmt.Errorf("jmap: session URL is not absolute: %w", email.ErrInvalidArgument)
	}
	s := &Session{URL: sessionURL, Username: j.Username, State: j.State, Capabilities: j.Capabilities, auth: auth, names: &nameCache{}}
	if j.APIURL == "" {
		return nil, protocolError("session has no apiUrl")
	}
	s.APIURL = resolveTemplate(base, j.APIURL)
	s.DownloadURL = resolveTemplate(base, j.DownloadURL)
	s.UploadURL = resolveTemplate(base, j.UploadURL)
	s.EventSourceURL = resolveTemplate(base, j.EventSourceURL)
	if err := s.checkURLs(base); err != nil {
		return nil, err
	}
	if raw, ok := j.Capabilities[CapCore]; ok {
		if err := json.Unmarshal(raw, &s.Core); err != nil {
			return nil, &DecodeError{What: "core capability", Err: err}
		}
	}
	s.AccountID = j.PrimaryAccounts[CapMail]
	if _, ok := j.Accounts[s.AccountID]; !ok && s.AccountID != "" && len(j.Accounts) > 0 {
		s.AccountID = ""
	}
	if s.AccountID == "" {
		// No primary: take the first account (in id order) with mail.
		var ids []string
		for id, a := range j.Accounts {
			if _, ok := a.AccountCapabilities[CapMail]; ok {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return nil, ErrNoAccount
		}
		s.AccountID = minString(ids)
	}
	if a, ok := j.Accounts[s.AccountID]; ok {
		if raw, ok := a.AccountCapabilities[CapMail]; ok {
			if err := json.Unmarshal(raw, &s.Mail); err != nil {
				return nil, &DecodeError{What: "mail capability", Err: err}
			}
		}
		_, s.Submission = a.AccountCapabilities[CapSubmission]
	}
	if _, ok := j.Capabilities[CapSubmission]; !ok {
		s.Submission = false
	}
	return s, nil
}

// checkURLs refuses the session URLs that would send the credentials in
// clear: plain http when the session came over https, or plain http to
// another host than the session's.
func (s *Session) checkURLs(base *url.URL) error {
	for _, f := range []struct{ name, url string }{
		{"apiUrl", s.APIURL}, {"downloadUrl", s.DownloadURL}, {"uploadUrl", s.UploadURL}, {"eventSourceUrl", s.EventSourceURL},
	} {
		if f.url == "" {
			continue
		}
		u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(f.url))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return protocolError("session " + f.name + " is not an http or https URL")
		}
		switch {
		case u.Scheme == "https":
		case base.Scheme == "https":
			return fmt.Errorf("jmap: session fetched over https names a plain http %s: %w", f.name, email.ErrInsecure)
		case !strings.EqualFold(u.Hostname(), base.Hostname()):
			return fmt.Errorf("jmap: session %s is plain http to another host than the session's: %w", f.name, email.ErrInsecure)
		}
	}
	return nil
}

// hasScheme reports whether t starts with a URI scheme and ":" (RFC 3986
// section 3.1), which makes it absolute.
func hasScheme(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

func minString(ss []string) string {
	m := ss[0]
	for _, s := range ss[1:] {
		if s < m {
			m = s
		}
	}
	return m
}

// resolveTemplate resolves a URL or URI template against base without
// escaping the template's braces.
func resolveTemplate(base *url.URL, t string) string {
	switch {
	case t == "":
		return ""
	case hasScheme(t):
		return t
	case strings.HasPrefix(t, "//"):
		return base.Scheme + ":" + t
	case strings.HasPrefix(t, "/"):
		return base.Scheme + "://" + base.Host + t
	}
	dir := base.EscapedPath()
	if i := strings.LastIndexByte(dir, '/'); i >= 0 {
		dir = dir[:i+1]
	} else {
		dir = "/"
	}
	return base.Scheme + "://" + base.Host + dir + t
}

// Expand expands a URI template of RFC 6570 level 1 (simple "{name}"
// expansion, values percent-encoded except the unreserved characters), as
// JMAP's downloadUrl, uploadUrl and eventSourceUrl are (RFC 8620 sections
// 2 and 6). Unknown variables expand to "".
func Expand(template string, vars map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(template, '{')
		if i < 0 {
			b.WriteString(template)
			return b.String()
		}
		j := strings.IndexByte(template[i:], '}')
		if j < 0 {
			b.WriteString(template)
			return b.String()
		}
		b.WriteString(template[:i])
		b.WriteString(pctEncode(vars[template[i+1:i+j]]))
		template = template[i+j+1:]
	}
}

func pctEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// httpError builds the typed error of a failed exchange, reading an RFC
// 7807 problem document when the body holds one.
func httpError(r Response) error {
	e := &HTTPError{Status: r.Status}
	if r.Status == 429 || r.Status == 503 {
		e.RetryAfter, _ = retryAfter(r.Header)
	}
	var p struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
	}
	if len(r.Body) > 0 && len(r.Body) < 1<<16 && json.Unmarshal(r.Body, &p) == nil {
		e.Type = clip(p.Type, 200)
		e.Detail = clip(p.Detail, 200)
	}
	return e
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
