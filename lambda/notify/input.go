package notify

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/event"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// The shapes of input, as logged.
const (
	shapePostConfirmation = "postconfirmation"
	shapeWrapper          = "wrapper"
	shapeCloudTrail       = "cloudtrail"
	// The EventBridge rule's wrapper around a CloudTrail event (pools.go).
	shapeCloudTrailWrapper = "cloudtrail-wrapper"
	shapeUnknown           = "unknown"
)

// The wrapper the hand-off sends: {"cogmail": "notice", …}.
const wrapperTag = "notice"

// wrapper is the asynchronous half's input.
type wrapper struct {
	Cogmail  string          `json:"cogmail"`
	ID       string          `json:"id"`       // the synchronous invocation's request id
	Received time.Time       `json:"received"` // when the Post confirmation event arrived
	Event    json.RawMessage `json:"event"`    // the Post confirmation event, as it came
}

// cloudTrail is what the notifier reads of an EventBridge "AWS API Call via
// CloudTrail" event (events/cloudtrail/README.md says which fields are
// documented). The username in requestParameters is hidden by Cognito and
// never read; the user is the sub.
type cloudTrail struct {
	ID         string `json:"id"`
	DetailType string `json:"detail-type"`
	Source     string `json:"source"`
	Detail     struct {
		EventSource       string    `json:"eventSource"`
		EventName         string    `json:"eventName"`
		EventTime         time.Time `json:"eventTime"`
		EventID           string    `json:"eventID"`
		ErrorCode         *string   `json:"errorCode"`
		RequestParameters struct {
			UserPoolID string `json:"userPoolId"`
		} `json:"requestParameters"`
		AdditionalEventData struct {
			Sub string `json:"sub"`
		} `json:"additionalEventData"`
	} `json:"detail"`
}

// The CloudTrail event names the notifier serves, and their notices.
var cloudTrailKinds = map[string]trigger.Kind{
	"ChangePassword":         trigger.Changed,
	"AdminSetUserPassword":   trigger.AdminSet,
	"AdminResetUserPassword": trigger.AdminReset,
}

// input is one event, read: who, what, when, and the id it is sent once
// under. attrs is nil until the user is known (CloudTrail: lookup.go).
type input struct {
	shape  string
	reason string // why it is not served, when it is not
	name   string // the trigger source or CloudTrail event name, for the log

	id       string // the idempotency key: pc#<request id>, ct#<CloudTrail event id>
	kind     trigger.Kind
	pool     string
	clientID string
	username string // the pool's username (Post confirmation; AdminGetUser for CloudTrail)
	sub      string // CloudTrail: the user, as Cognito records it
	when     time.Time
	attrs    map[string]string
	pools    []string // CloudTrail wrapper: the pools it serves besides COGMAIL_NOTIFY_POOLS
	warning  string   // logged, not a reason to skip (a wrapper's malformed userPools)
}

// cloudTrail reports whether in is a CloudTrail event, bare or wrapped: its
// user is looked up (lookup.go).
func (in input) cloudTrail() bool {
	return in.shape == shapeCloudTrail || in.shape == shapeCloudTrailWrapper
}

// decode tells the four shapes apart and reads the one it finds. Anything
// else is shapeUnknown, with the reason. tenantAttr is the user attribute
// naming the tenant, read besides attributeNames.
func decode(payload []byte, tenantAttr string) input {
	var probe struct {
		Cogmail       *string `json:"cogmail"`
		TriggerSource *string `json:"triggerSource"`
		DetailType    *string `json:"detail-type"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return input{shape: shapeUnknown, reason: "event is not a JSON object"}
	}
	switch {
	case probe.Cogmail != nil && *probe.Cogmail == cloudTrailTag:
		return decodeCloudTrailWrapper(payload)
	case probe.Cogmail != nil:
		return decodeWrapper(payload, tenantAttr)
	case probe.TriggerSource != nil:
		return decodePostConfirmation(payload, tenantAttr)
	case probe.DetailType != nil:
		return decodeCloudTrail(payload)
	}
	return input{shape: shapeUnknown, reason: "not an event the notifier serves"}
}

// decodePostConfirmation reads a Post confirmation event with the trigger's
// defensive reader (attribute values of any JSON type, unknown fields).
func decodePostConfirmation(payload []byte, tenantAttr string) input {
	in := input{shape: shapePostConfirmation}
	e, err := event.Parse(payload)
	if err != nil {
		in.reason = "event is not a JSON object"
		return in
	}
	in.name = e.TriggerSource
	kind, ok := trigger.NoticeOf(e.TriggerSource)
	if !ok {
		in.reason = "trigger source not served"
		return in
	}
	in.kind, in.pool, in.clientID, in.username = kind, e.UserPoolID, e.ClientID, e.UserName
	in.attrs = map[string]string{}
	for _, name := range attributeNames {
		if v := e.Attribute(name); v != "" {
			in.attrs[name] = v
		}
	}
	if v := e.Attribute(tenantAttr); v != "" {
		in.attrs[tenantAttr] = v
	}
	return in
}

// attributeNames are the user attributes a notice reads, besides the
// tenant attribute (its name is configured).
var attributeNames = []string{"email", "email_verified", "given_name", "name", "locale", "zoneinfo", "sub"}

func decodeWrapper(payload []byte, tenantAttr string) input {
	var w wrapper
	if err := json.Unmarshal(payload, &w); err != nil || w.Cogmail != wrapperTag || w.ID == "" || len(w.Event) == 0 {
		return input{shape: shapeWrapper, reason: "not a notifier wrapper"}
	}
	in := decodePostConfirmation(w.Event, tenantAttr)
	in.shape = shapeWrapper
	in.id = "pc#" + w.ID
	in.when = w.Received
	if in.when.IsZero() && in.reason == "" {
		in.reason = "wrapper has no received time"
	}
	return in
}

func decodeCloudTrail(payload []byte) input {
	in := input{shape: shapeCloudTrail}
	var e cloudTrail
	if err := json.Unmarshal(payload, &e); err != nil {
		in.reason = "not a CloudTrail event the notifier can read"
		return in
	}
	d := e.Detail
	in.name = d.EventName
	kind, ok := cloudTrailKinds[d.EventName]
	switch {
	case e.DetailType != "AWS API Call via CloudTrail" || e.Source != "aws.cognito-idp" ||
		d.EventSource != "" && d.EventSource != "cognito-idp.amazonaws.com":
		in.reason = "not a Cognito user pool API call"
		return in
	case !ok:
		in.reason = "API call not served"
		return in
	case d.ErrorCode != nil && *d.ErrorCode != "":
		// The call failed: no password changed. Some Cognito events carry
		// an empty errorCode on success.
		in.reason = "the call failed (errorCode)"
		return in
	}
	in.kind, in.pool, in.sub, in.when = kind, d.RequestParameters.UserPoolID, d.AdditionalEventData.Sub, d.EventTime
	// CloudTrail's own id is the same in every copy of the record (a
	// retried, replayed or twice-matched EventBridge event gets a new id):
	// the key; the EventBridge id only when it is missing.
	switch {
	case d.EventID != "":
		in.id = "ct#" + d.EventID
	case e.ID != "":
		in.id = "ct#" + e.ID
	default:
		in.reason = "event has no id"
		return in
	}
	if in.when.IsZero() {
		in.reason = "event has no eventTime"
	}
	if strings.HasPrefix(in.sub, "HIDDEN_") {
		in.sub = "" // never a user
	}
	return in
}
