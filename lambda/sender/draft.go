package sender

import (
	"bytes"
	"context"
	"encoding/json"
)

// Draft is what the sender would send for an event, or why it would send
// nothing: for `cogmail render`, which sends nothing.
type Draft struct {
	Event            string   `json:"event"` // the trigger source
	Kind             string   `json:"kind,omitempty"`
	ID               string   `json:"id,omitempty"` // the idempotency key
	Tenant           string   `json:"tenant,omitempty"`
	Locale           string   `json:"locale,omitempty"`
	Outcome          string   `json:"outcome,omitempty"` // dropped or skipped when nothing would be sent
	Reason           string   `json:"reason,omitempty"`
	Note             string   `json:"note,omitempty"` // what the caller assumed (a sample code, a placeholder user)
	Warning          string   `json:"warning,omitempty"`
	From             string   `json:"from,omitempty"`
	ReplyTo          []string `json:"replyTo,omitempty"`
	To               string   `json:"to,omitempty"`
	ConfigurationSet string   `json:"configurationSet,omitempty"`
	Subject          string   `json:"subject,omitempty"`
	Text             string   `json:"text,omitempty"`
	HTML             string   `json:"html,omitempty"`
}

// Draft writes the email payload would send, without claiming or sending
// it, with Config's Decrypter and Users (`cogmail render` gives a code and
// a user of its own). Its error is what would fail the invocation, for
// Lambda to retry; a drop is an Outcome and a Reason.
func (s *Sender) Draft(ctx context.Context, payload []byte) (Draft, error) {
	rec := &record{}
	in := decode(payload, s.cfg.TenantAttribute)
	d := Draft{Event: in.source, Kind: string(in.kind), ID: in.id()}
	msg, set, ok, err := s.prepare(ctx, &in, rec)
	d.Tenant, d.Locale, d.Warning = rec.tenant, rec.locale, rec.warning
	if err != nil {
		return d, err
	}
	if !ok {
		d.Outcome, d.Reason = rec.outcome, rec.reason
		if rec.err != nil {
			d.Reason = join(d.Reason, rec.err.Error())
		}
		return d, nil
	}
	d.From = msg.From.Address
	if msg.From.Name != "" { // as a person reads it, not RFC 2047's encoding
		d.From = msg.From.Name + " <" + msg.From.Address + ">"
	}
	d.ReplyTo, d.To, d.ConfigurationSet = msg.ReplyTo, msg.To, set
	d.Subject, d.Text, d.HTML = msg.Subject, msg.Text, msg.HTML
	return d, nil
}

// JSON is the draft as `cogmail render` prints it: indented, HTML not
// escaped, ending with a newline.
func (d Draft) JSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(d) // strings only: never fails
	return b.Bytes()
}
