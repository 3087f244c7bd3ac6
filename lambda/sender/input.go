package sender

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/event"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// Prefix is every Custom Email Sender trigger source's.
const Prefix = "CustomEmailSender_"

// Accepts reports whether payload is a Custom Email Sender event (whatever
// its source): for `cogmail render`.
func Accepts(payload []byte) bool {
	var probe struct {
		TriggerSource string `json:"triggerSource"`
	}
	return json.Unmarshal(payload, &probe) == nil && strings.HasPrefix(probe.TriggerSource, Prefix)
}

// input is one event, read. Attributes are read with the trigger's
// defensive reader (values of any JSON type); the code is request.code, a
// base64 ciphertext, absent or null for the takeover notice.
type input struct {
	reason string // why it cannot be sent, when it cannot (a permanent drop)

	source     string
	kind       trigger.Kind
	pool       string
	clientID   string
	username   string
	ciphertext string
	locale     string // clientMetadata.locale: a wish, among the tenant's languages only
	attrs      map[string]string
	when       time.Time // the takeover notice's sign-in time

	code string // decrypted: never logged
}

// attributeNames are the user attributes read, besides the tenant
// attribute (its name is configured).
var attributeNames = []string{"email", "email_verified", "given_name", "name", "locale", "zoneinfo", "sub"}

// Threat Protection's attributes of the takeover notice (events/custom-email-sender/README.md).
const (
	attrEventID   = "EVENT_ID"
	attrLoginTime = "LOGIN_TIME"
)

// loginTimeLayout is LOGIN_TIME's, as captured: "Friday, March 19, 2021 02:25 PM UTC".
const loginTimeLayout = "Monday, January 2, 2006 03:04 PM MST"

func decode(payload []byte, tenantAttr string) input {
	e, err := event.Parse(payload)
	if err != nil {
		return input{reason: "event is not a JSON object"}
	}
	in := input{source: e.TriggerSource, pool: e.UserPoolID, clientID: e.ClientID, username: e.UserName}
	kind, ok := trigger.SenderOf(e.TriggerSource)
	if !ok {
		in.reason = "trigger source not served"
		return in
	}
	in.kind = kind
	in.attrs = map[string]string{}
	for _, name := range append(attributeNames, tenantAttr, attrEventID, attrLoginTime) {
		if v := e.Attribute(name); v != "" {
			in.attrs[name] = v
		}
	}
	in.locale = e.Metadata("locale")
	var req struct {
		Request struct {
			Code json.RawMessage `json:"code"`
		} `json:"request"`
	}
	_ = json.Unmarshal(payload, &req) // valid JSON: event.Parse said so
	var code string
	if c := req.Request.Code; len(c) > 0 && c[0] == '"' {
		_ = json.Unmarshal(c, &code)
	}
	in.ciphertext = code
	switch {
	case in.pool == "":
		in.reason = "event has no userPoolId"
	case in.username == "":
		in.reason = "event has no userName"
	case kind != trigger.Takeover && code == "":
		in.reason = "event has no code"
	}
	if kind == trigger.Takeover {
		if t, err := time.Parse(loginTimeLayout, in.attrs[attrLoginTime]); err == nil {
			in.when = t
		}
	}
	return in
}

// id is the key the event is claimed under, so that a retried or replayed
// event sends once: a hash of its pool, user, source and ciphertext (every
// encryption is new, so a new code is a new key), never the code. The
// takeover notice has no ciphertext: its EVENT_ID stands in; "" when it
// has none either.
func (in input) id() string {
	unique := in.ciphertext
	if unique == "" {
		if in.attrs[attrEventID] == "" {
			return ""
		}
		unique = "event:" + in.attrs[attrEventID]
	}
	h := sha256.New()
	for _, part := range []string{in.pool, in.username, in.source, unique} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "ces#" + hex.EncodeToString(h.Sum(nil))
}

// secrets are the values that must never reach a log line, for the
// record's last line of defence (record.log).
func (in input) secrets() []string {
	return []string{in.code, in.ciphertext, in.username, in.attrs["email"], in.attrs["given_name"], in.attrs["name"], in.attrs["sub"]}
}

// unescapeInvitation undoes Cognito's HTML escaping of a temporary
// password (documented for < and >; & too, should it appear), once.
var unescapeInvitation = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
