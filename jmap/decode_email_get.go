package jmap

import "slices"

// EnvelopeProperties returns the Email properties an Envelope is built
// from, the ones ListEnvelopes asks for: the server's parsed forms and
// the raw header fields that Email.Envelope prefers (see Email.Envelope).
// The slice is a copy.
func EnvelopeProperties() []string { return slices.Clone(envelopeProps) }

// DecodeEmails decodes the body of an API response that holds exactly one
// response, the Email/get answering the call id, and returns its list, in
// the order of the response. It reads the body in one pass with the
// hand-written reader of listings (the result is encoding/json's), and
// decodes the general way (DecodeResponse, Responses.Decode) when the
// response is another one: a method error is a *MethodError, a body that
// is not a response an error matching email.ErrProtocol.
func DecodeEmails(body []byte, callID string) ([]Email, error) {
	var g emailGet
	if _, ok := DecodeInto(body, []string{"Email/get"}, []string{callID}, &g); ok {
		return g.List, nil
	}
	r, err := DecodeResponse(body)
	if err != nil {
		return nil, err
	}
	g = emailGet{}
	if err := r.Decode(callID, "Email/get", &g); err != nil {
		return nil, err
	}
	return g.List, nil
}
