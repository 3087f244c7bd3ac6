// Package event reads Cognito Custom Message events defensively and writes
// answers that keep every field the event came with.
//
// aws-lambda-go's CognitoEventUserPoolsCustomMessage is not used: it drops
// linkParameter, turns a null usernameParameter into "" and writes unset
// response fields as "", so an event passed through it no longer is the event
// Cognito sent. Public fixtures also carry a numeric version and boolean
// attribute values, which a typed struct would reject.
//
// The payload is validated once with json.Valid and then walked in place
// (scan.go): Parse reads only the fields cogmail needs, Attribute and
// Metadata look values up when asked, and WithResponse splices a new response
// into the payload's own bytes, so every other byte of the event goes back as
// it came (key order, spacing, unknown fields, numbers). Duplicate names are
// read as encoding/json reads them: the last one counts.
package event

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Event is what cogmail needs of a Custom Message event, plus the payload it
// came in.
type Event struct {
	TriggerSource     string
	UserPoolID        string
	UserName          string
	ClientID          string
	CodeParameter     string
	UsernameParameter string

	// raw is a copy of the payload; the fields above are slices of it.
	raw        string
	top        span // the top-level object
	attributes span // request.userAttributes, when present
	metadata   span // request.clientMetadata, when present
}

// ErrNotAnObject is returned for payloads that are valid JSON but not an
// object (null, an array, a string, a number, a boolean): nothing Cognito
// would send.
var ErrNotAnObject = errors.New("event: not a JSON object")

// Parse reads payload. Unknown fields are kept; fields of the wrong type are
// read as empty rather than failing, so that one odd attribute never costs a
// user their email. The event keeps its own copy of payload.
func Parse(payload []byte) (*Event, error) {
	if !json.Valid(payload) {
		var v json.RawMessage
		if err := json.Unmarshal(payload, &v); err != nil {
			return nil, fmt.Errorf("event: %w", err)
		}
		return nil, errors.New("event: invalid JSON")
	}
	start := 0
	for start < len(payload) && isSpace(payload[start]) {
		start++
	}
	if start >= len(payload) || payload[start] != '{' {
		return nil, ErrNotAnObject
	}
	s := string(payload)
	e := &Event{raw: s, top: span{start, skipValue(s, start)}}

	var caller, request span
	it, _ := objectAt(s, e.top)
	for m, ok := it.next(); ok; m, ok = it.next() {
		switch key(s, m) {
		case "triggerSource":
			e.TriggerSource = text(s, m.value)
		case "userPoolId":
			e.UserPoolID = text(s, m.value)
		case "userName":
			e.UserName = text(s, m.value)
		case "callerContext":
			caller = m.value
		case "request":
			request = m.value
		}
	}
	e.ClientID = text(s, lookup(s, caller, "clientId"))

	it, ok := objectAt(s, request)
	if !ok {
		return e, nil
	}
	for m, ok := it.next(); ok; m, ok = it.next() {
		switch key(s, m) {
		// A placeholder is text; a number there is not one Cognito would
		// substitute, so it counts as absent.
		case "codeParameter":
			e.CodeParameter = str(s, m.value)
		case "usernameParameter":
			e.UsernameParameter = str(s, m.value)
		case "userAttributes":
			e.attributes = m.value
		case "clientMetadata":
			e.metadata = m.value
		}
	}
	return e, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Attribute returns a user attribute as text ("" when absent): a string
// unquoted, a number or boolean as its literal text, anything else as "".
func (e *Event) Attribute(name string) string {
	return text(e.raw, lookup(e.raw, e.attributes, name))
}

// Metadata returns a clientMetadata value as text ("" when absent), read as
// Attribute reads attributes. The caller of a public API chose it: treat it
// as untrusted.
func (e *Event) Metadata(name string) string {
	return text(e.raw, lookup(e.raw, e.metadata, name))
}
