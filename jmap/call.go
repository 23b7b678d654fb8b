package jmap

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Call is one method call of an API request (RFC 8620 section 3.2).
type Call struct {
	Name string // "Email/get"
	Args any    // marshalled with encoding/json
	ID   string // the method call id, unique within the request
}

// MarshalJSON encodes the call as the [name, arguments, id] triple.
func (c Call) MarshalJSON() ([]byte, error) {
	return json.Marshal([3]any{c.Name, c.Args, c.ID})
}

// Ref is a result reference (RFC 8620 section 3.7): an argument taken from
// the result of an earlier call of the same request. Name it with a "#"
// prefix on the argument name ("#ids").
type Ref struct {
	ResultOf string `json:"resultOf"` // the call id of the earlier call
	Name     string `json:"name"`     // the method name of that call's response
	Path     string `json:"path"`     // the JSON Pointer into its arguments ("/ids")
}

// Invocation is one method response (RFC 8620 section 3.4).
type Invocation struct {
	Name string          // the method name, or "error"
	Args json.RawMessage // the undecoded arguments
	ID   string          // the id of the call it answers
}

// UnmarshalJSON decodes the [name, arguments, id] triple.
func (v *Invocation) UnmarshalJSON(b []byte) error {
	var t []json.RawMessage
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	if len(t) != 3 {
		return fmt.Errorf("invocation has %d elements, want 3", len(t))
	}
	if err := json.Unmarshal(t[0], &v.Name); err != nil {
		return err
	}
	if err := json.Unmarshal(t[2], &v.ID); err != nil {
		return err
	}
	v.Args = t[1]
	return nil
}

// Responses is the decoded answer to one or more API requests.
type Responses struct {
	// List holds the method responses in order.
	List []Invocation
	// SessionState is the sessionState of the last response; when it
	// differs from Session.State the session should be fetched again.
	SessionState string
	// Exchanges counts the HTTP exchanges made (redirects included).
	Exchanges int

	// raw holds the undecoded bodies when the machine was built by apiRaw.
	raw [][]byte
}

// Decode decodes the arguments of the response named name to the call id
// into v. A method error answering that call is returned as a *MethodError;
// a missing response is a protocol error.
func (r *Responses) Decode(id, name string, v any) error {
	for _, inv := range r.List {
		if inv.ID != id {
			continue
		}
		if inv.Name == "error" {
			var e struct {
				Type        string `json:"type"`
				Description string `json:"description"`
			}
			if err := json.Unmarshal(inv.Args, &e); err != nil {
				return &DecodeError{What: "error response", Err: err}
			}
			if e.Type == "" {
				e.Type = "serverFail"
			}
			return &MethodError{Method: name, Type: clip(e.Type, 100), Description: clip(e.Description, 200)}
		}
		if inv.Name != name {
			continue
		}
		if v == nil || decodeArgsFast(inv.Args, v) {
			return nil
		}
		if err := json.Unmarshal(inv.Args, v); err != nil {
			return &DecodeError{What: name, Err: err}
		}
		return nil
	}
	return protocolError("no " + name + " response to call " + id)
}

// DecodeResponse decodes the body of an API response (RFC 8620 section
// 3.4).
func DecodeResponse(body []byte) (*Responses, error) {
	// One pass over the body: each invocation is kept as three raw
	// values, the arguments are decoded later by Decode.
	var j struct {
		MethodResponses [][3]json.RawMessage `json:"methodResponses"`
		SessionState    string               `json:"sessionState"`
	}
	if err := json.Unmarshal(body, &j); err != nil {
		return nil, &DecodeError{What: "API response", Err: err}
	}
	if j.MethodResponses == nil {
		return nil, protocolError("API response without methodResponses")
	}
	out := &Responses{List: make([]Invocation, len(j.MethodResponses)), SessionState: j.SessionState}
	for i, t := range j.MethodResponses {
		if t[0] == nil || t[1] == nil || t[2] == nil {
			return nil, protocolError("method response is not a [name, arguments, id] triple")
		}
		inv := &out.List[i]
		if err := json.Unmarshal(t[0], &inv.Name); err != nil {
			return nil, &DecodeError{What: "method response name", Err: err}
		}
		if err := json.Unmarshal(t[2], &inv.ID); err != nil {
			return nil, &DecodeError{What: "method response id", Err: err}
		}
		inv.Args = t[1]
	}
	return out, nil
}

// API returns a machine that makes the calls, with the capabilities using
// (core and mail when nil), in as few POSTs to the API URL as the server's
// maxCallsInRequest allows, and collects every response. Back-references
// only work within one request: callers that use them keep their calls
// under Session.MaxCalls. A request body over maxSizeRequest fails with
// email.ErrTooLarge before anything is sent.
func API(s *Session, using []string, calls []Call) Machine[*Responses] {
	if using == nil {
		using = []string{CapCore, CapMail}
	}
	return &apiMachine{s: s, using: using, calls: calls, out: &Responses{}}
}

// apiRaw is API for callers that decode the bodies themselves (see
// DecodeInto): the responses are kept undecoded in Responses.raw.
func apiRaw(s *Session, calls []Call) Machine[*Responses] {
	return &apiMachine{s: s, using: []string{CapCore, CapMail}, calls: calls, out: &Responses{}, keepRaw: true}
}

type apiMachine struct {
	keepRaw bool
	s       *Session
	using   []string
	calls   []Call
	next    int // index of the first call not sent yet
	inner   Machine[Response]
	out     *Responses
	err     error
	done    bool
}

func (m *apiMachine) Resume(in Response) (Request, bool) {
	if m.done {
		return Request{}, true
	}
	if m.inner == nil {
		in = Response{}
		if !m.startNext() {
			return Request{}, true
		}
	}
	for {
		req, done := m.inner.Resume(in)
		if !done {
			if req.Method != "" {
				m.out.Exchanges++
			}
			return req, false
		}
		resp, err := m.inner.Result()
		if err == nil {
			err = m.absorb(resp)
		}
		if err != nil {
			m.err, m.done = err, true
			return Request{}, true
		}
		if !m.startNext() {
			return Request{}, true
		}
		in = Response{}
	}
}

// startNext builds the next request; it reports false when the machine is
// done (all calls made, or an error).
func (m *apiMachine) startNext() bool {
	if m.next >= len(m.calls) {
		m.done = true
		return false
	}
	n := min(len(m.calls)-m.next, m.s.MaxCalls())
	batch := m.calls[m.next : m.next+n]
	m.next += n
	body, err := json.Marshal(struct {
		Using       []string `json:"using"`
		MethodCalls []Call   `json:"methodCalls"`
	}{m.using, batch})
	if err != nil {
		m.err, m.done = fmt.Errorf("jmap: encoding request: %w", email.ErrInvalidArgument), true
		return false
	}
	if lim := m.s.Core.MaxSizeRequest; lim > 0 && int64(len(body)) > lim {
		m.err, m.done = fmt.Errorf("jmap: request of %d bytes over the server's maxSizeRequest %d: %w", len(body), lim, email.ErrTooLarge), true
		return false
	}
	h := Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	if a := m.s.auth; a != "" {
		h.Set("Authorization", a)
	}
	m.inner = Fetch(Request{Method: "POST", URL: m.s.APIURL, Header: h, Body: body})
	return true
}

func (m *apiMachine) absorb(r Response) error {
	if r.Status/100 != 2 {
		return httpError(r)
	}
	body := bytes.TrimSpace(r.Body)
	if m.keepRaw {
		m.out.raw = append(m.out.raw, body)
		return nil
	}
	got, err := DecodeResponse(body)
	if err != nil {
		return err
	}
	m.out.List = append(m.out.List, got.List...)
	m.out.SessionState = got.SessionState
	m.s.noteState(got.SessionState)
	return nil
}

// noteState marks the session stale when an API response carries another
// session state.
func (s *Session) noteState(st string) {
	if st != "" && s.State != "" && st != s.State {
		s.stale.Store(true)
	}
}

// DecodeInto decodes an API response body in a single pass, the arguments
// of the i-th method response straight into targets[i], when the response
// is exactly the expected one: one response per target, with the given
// names and call ids, in order. It returns the sessionState and true then,
// and false otherwise (a method error, an extra response, arguments that do
// not fit their target); the caller then decodes the body the general way
// (DecodeResponse, Responses.Decode), which reports the error precisely.
// It is the fast path of listings: one pass over the bytes instead of
// one per level. For the listing's own targets (Email/query and Email/get
// arguments) a hand-written reader does the pass, with
// encoding/json's results; anything it is not sure of is decoded with
// encoding/json.
func DecodeInto(body []byte, names, ids []string, targets ...any) (string, bool) {
	if len(names) != len(targets) || len(ids) != len(targets) {
		return "", false
	}
	if st, ok, sure := decodeFast(body, names, ids, targets); sure {
		return st, ok
	}
	return decodeIntoJSON(body, names, ids, targets)
}

// decodeIntoJSON is DecodeInto with encoding/json: one pass, each
// method's arguments decoded straight into its target.
func decodeIntoJSON(body []byte, names, ids []string, targets []any) (string, bool) {
	gotNames := make([]string, len(targets))
	gotIDs := make([]string, len(targets))
	triples := make([][3]any, len(targets))
	for i := range targets {
		triples[i] = [3]any{&gotNames[i], targets[i], &gotIDs[i]}
	}
	v := struct {
		MethodResponses [][3]any `json:"methodResponses"`
		SessionState    string   `json:"sessionState"`
	}{MethodResponses: triples}
	if json.Unmarshal(body, &v) != nil || len(v.MethodResponses) != len(targets) {
		return "", false
	}
	for i := range targets {
		if gotNames[i] != names[i] || gotIDs[i] != ids[i] {
			return "", false
		}
	}
	return v.SessionState, true
}

func (m *apiMachine) Result() (*Responses, error) {
	if !m.done {
		return nil, coroutine.ErrNotDone
	}
	if m.err != nil {
		return nil, m.err
	}
	return m.out, nil
}
