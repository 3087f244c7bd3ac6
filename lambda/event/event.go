// Package event reads Cognito Custom Message events defensively and writes
// answers that keep every field the event came with.
//
// aws-lambda-go's CognitoEventUserPoolsCustomMessage is not used: it drops
// linkParameter, turns a null usernameParameter into "" and writes unset
// response fields as "", so an event passed through it no longer is the event
// Cognito sent. Public fixtures also carry a numeric version and boolean
// attribute values, which a typed struct would reject.
package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Event is what cogmail needs of a Custom Message event, plus the raw
// fields it came with.
type Event struct {
	TriggerSource     string
	UserPoolID        string
	UserName          string
	ClientID          string
	CodeParameter     string
	UsernameParameter string
	UserAttributes    map[string]string
	ClientMetadata    map[string]string

	top     map[string]json.RawMessage
	request map[string]json.RawMessage
}

// ErrNotAnObject is returned for payloads that are valid JSON but not an
// object: nothing Cognito would send.
var ErrNotAnObject = errors.New("event: not a JSON object")

// Parse reads payload. Unknown fields are kept; fields of the wrong type are
// read as empty rather than failing, so that one odd attribute never costs a
// user their email.
func Parse(payload []byte) (*Event, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil {
		return nil, fmt.Errorf("event: %w", err)
	}
	if top == nil {
		return nil, ErrNotAnObject
	}
	e := &Event{top: top}
	e.TriggerSource = text(top["triggerSource"])
	e.UserPoolID = text(top["userPoolId"])
	e.UserName = text(top["userName"])
	if caller := object(top["callerContext"]); caller != nil {
		e.ClientID = text(caller["clientId"])
	}
	e.request = object(top["request"])
	if e.request != nil {
		// A placeholder is text; a number there is not one Cognito would
		// substitute, so it counts as absent.
		e.CodeParameter = str(e.request["codeParameter"])
		e.UsernameParameter = str(e.request["usernameParameter"])
		e.UserAttributes = texts(e.request["userAttributes"])
		e.ClientMetadata = texts(e.request["clientMetadata"])
	}
	return e, nil
}

// Attribute returns a user attribute as text ("" when absent).
func (e *Event) Attribute(name string) string { return e.UserAttributes[name] }

// Metadata returns a clientMetadata value as text ("" when absent). The
// caller of a public API chose it: treat it as untrusted.
func (e *Event) Metadata(name string) string { return e.ClientMetadata[name] }

// Response is what cogmail sets in the event's response.
type Response struct {
	EmailSubject string
	EmailMessage string
	SMSMessage   string
}

// WithResponse returns the event with its response fields set and every other
// field as it came.
func (e *Event) WithResponse(r Response) ([]byte, error) {
	response := object(e.top["response"])
	if response == nil {
		response = make(map[string]json.RawMessage, 3)
	}
	for name, value := range map[string]string{
		"emailSubject": r.EmailSubject,
		"emailMessage": r.EmailMessage,
		"smsMessage":   r.SMSMessage,
	} {
		encoded, err := marshal(value)
		if err != nil {
			return nil, err
		}
		response[name] = encoded
	}
	encoded, err := marshal(response)
	if err != nil {
		return nil, err
	}
	top := make(map[string]json.RawMessage, len(e.top)+1)
	for k, v := range e.top {
		top[k] = v
	}
	top["response"] = encoded
	return marshal(top)
}

// marshal writes JSON without html-escaping <, > and &, so that answers and
// golden files read as the HTML they carry.
func marshal(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("event: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// text reads a string, or the literal text of a number or boolean, and ""
// for anything else.
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	case 't', 'f':
		if b, err := strconv.ParseBool(string(raw)); err == nil {
			return strconv.FormatBool(b)
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
	}
	return ""
}

// str reads a JSON string, and "" for anything else.
func str(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	return text(raw)
}

func object(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

func texts(raw json.RawMessage) map[string]string {
	fields := object(raw)
	if fields == nil {
		return nil
	}
	m := make(map[string]string, len(fields))
	for k, v := range fields {
		m[k] = text(v)
	}
	return m
}
