package event

import "strings"

// Response is what cogmail sets in the event's response.
type Response struct {
	EmailSubject string
	EmailMessage string
	SMSMessage   string
}

const (
	subjectName = `"emailSubject":`
	messageName = `,"emailMessage":`
	smsName     = `,"smsMessage":`
	responseKey = `"response":`
)

// WithResponse returns the event's payload with the value of its top-level
// response member replaced by an object that keeps the members the old one
// had (byte for byte) other than emailSubject, emailMessage and smsMessage,
// and then sets those three. An event without a response gets one after its
// last member. Every other byte of the payload stays as it came; the answer
// is built in one buffer sized up front.
//
// Should the payload name response more than once, each occurrence gets the
// new object (built from the last, which is the one encoding/json reads), so
// that a reader keeping either the first or the last sees the answer.
func (e *Event) WithResponse(r Response) ([]byte, error) {
	s := e.raw
	it, ok := objectAt(s, e.top)
	if !ok {
		return nil, ErrNotAnObject
	}
	var (
		old      span // the last response value
		count    int  // how many response members
		replaced int  // bytes of all response values
		last     = e.top.start + 1
	)
	for m, ok := it.next(); ok; m, ok = it.next() {
		last = m.value.end
		if key(s, m) == "response" {
			old = m.value
			count++
			replaced += m.value.end - m.value.start
		}
	}

	size := responseLen(s, old, r)
	if count == 0 {
		buf := make([]byte, 0, len(s)+len(",")+len(responseKey)+size)
		buf = append(buf, s[:last]...)
		if last != e.top.start+1 {
			buf = append(buf, ',')
		}
		buf = append(buf, responseKey...)
		buf = appendResponse(buf, s, old, r)
		return append(buf, s[last:]...), nil
	}

	buf := make([]byte, 0, len(s)-replaced+count*size)
	pos := 0
	it, _ = objectAt(s, e.top)
	for m, ok := it.next(); ok; m, ok = it.next() {
		if key(s, m) == "response" {
			buf = append(buf, s[pos:m.value.start]...)
			buf = appendResponse(buf, s, old, r)
			pos = m.value.end
		}
	}
	return append(buf, s[pos:]...), nil
}

// appendResponse writes the new response object: the members of old (when
// it is an object) that are not ours, then ours.
func appendResponse(buf []byte, s string, old span, r Response) []byte {
	buf = append(buf, '{')
	it, _ := objectAt(s, old)
	for m, ok := it.next(); ok; m, ok = it.next() {
		if !ours(key(s, m)) {
			buf = append(buf, s[m.key.start:m.value.end]...)
			buf = append(buf, ',')
		}
	}
	buf = append(buf, subjectName...)
	buf = appendQuoted(buf, r.EmailSubject)
	buf = append(buf, messageName...)
	buf = appendQuoted(buf, r.EmailMessage)
	buf = append(buf, smsName...)
	buf = appendQuoted(buf, r.SMSMessage)
	return append(buf, '}')
}

// responseLen is about len(appendResponse(nil, s, old, r)): exact for the
// subject and SMS, and for the body its length plus its quotes and line
// breaks (each escaped with one more byte), counted with the fast byte
// search. Other escapes are rare in a body that passed the gate; append
// grows the buffer if they occur. Counting the body exactly cost a whole
// pass over it, more than the rest of writing the answer.
func responseLen(s string, old span, r Response) int {
	body := r.EmailMessage
	n := len("{}") + len(subjectName) + len(messageName) + len(smsName) +
		quotedLen(r.EmailSubject) + quotedLen(r.SMSMessage) +
		len(body) + 2 + strings.Count(body, `"`) + strings.Count(body, "\n") + strings.Count(body, `\`)
	it, _ := objectAt(s, old)
	for m, ok := it.next(); ok; m, ok = it.next() {
		if !ours(key(s, m)) {
			n += m.value.end - m.key.start + len(",")
		}
	}
	return n
}

func ours(name string) bool {
	return name == "emailSubject" || name == "emailMessage" || name == "smsMessage"
}
