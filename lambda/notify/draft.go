package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
)

// Draft is what the notifier would send for an event, or why it would send
// nothing: for `cogmail render`, which sends nothing.
type Draft struct {
	Input            string   `json:"input"`           // postconfirmation, wrapper, cloudtrail or cloudtrail-wrapper
	Event            string   `json:"event,omitempty"` // the trigger source or API call
	Kind             string   `json:"kind,omitempty"`
	ID               string   `json:"id,omitempty"` // the idempotency key; none for a bare Post confirmation event
	Tenant           string   `json:"tenant,omitempty"`
	Locale           string   `json:"locale,omitempty"`
	Skip             string   `json:"skip,omitempty"` // why nothing would be sent
	Note             string   `json:"note,omitempty"` // what the caller assumed (cogmail render's placeholder user)
	Warning          string   `json:"warning,omitempty"`
	From             string   `json:"from,omitempty"`
	ReplyTo          []string `json:"replyTo,omitempty"`
	To               string   `json:"to,omitempty"`
	ConfigurationSet string   `json:"configurationSet,omitempty"`
	Subject          string   `json:"subject,omitempty"`
	Text             string   `json:"text,omitempty"`
	HTML             string   `json:"html,omitempty"`
}

// Accepts reports whether payload is one of the notifier's inputs: a Post
// confirmation event, the hand-off's wrapper, a CloudTrail event or the
// rule's wrapper around one (whether or not it would be served). Custom Message events are the trigger's.
func Accepts(payload []byte) bool {
	var probe struct {
		Cogmail       *string `json:"cogmail"`
		TriggerSource string  `json:"triggerSource"`
		DetailType    *string `json:"detail-type"`
	}
	if json.Unmarshal(payload, &probe) != nil {
		return false
	}
	return probe.Cogmail != nil || probe.DetailType != nil || strings.HasPrefix(probe.TriggerSource, "PostConfirmation_")
}

// Draft writes the notice payload would send, without claiming or sending
// it: a Post confirmation event as its wrapper would (received now), a
// CloudTrail event's user (bare or wrapped) looked up with Users. Its error is what would
// fail the invocation (a lookup that failed, a template that does not
// render).
func (n *Notifier) Draft(ctx context.Context, payload []byte) (Draft, error) {
	rec := &record{}
	in := decode(payload, n.cfg.TenantAttribute)
	d := Draft{Input: in.shape, Event: in.name, Kind: string(in.kind), ID: in.id, Warning: in.warning}
	rec.warning = in.warning
	if in.shape == shapePostConfirmation && in.reason == "" {
		in.when = n.cfg.Now()
	}
	if in.reason != "" || in.shape == shapeUnknown {
		d.Skip = in.reason
		return d, nil
	}
	if in.cloudTrail() {
		skip, err := n.lookup(ctx, &in)
		if err != nil {
			return d, err
		}
		if skip != "" {
			d.Skip = skip
			return d, nil
		}
	}
	tg, skip := n.route(in, rec)
	d.Tenant, d.Warning = rec.tenant, rec.warning
	if skip != "" {
		d.Skip = skip
		return d, nil
	}
	msg, err := n.write(ctx, in, tg, rec)
	d.Locale, d.Warning = rec.locale, rec.warning
	if err != nil {
		return d, err
	}
	d.From = msg.From.Address
	if msg.From.Name != "" { // as a person reads it, not RFC 2047's encoding
		d.From = msg.From.Name + " <" + msg.From.Address + ">"
	}
	d.ReplyTo, d.To, d.ConfigurationSet = msg.ReplyTo, msg.To, tg.configurationSet
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
