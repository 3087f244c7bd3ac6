package tenant

import (
	"encoding/json"
	"io/fs"
	"time"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// parseChecked reads a tenant.json that was validated when the function
// was built (a Checked layer's): without parse's strict decoding and
// validation, and without encoding/json's reflection over the Tenant type,
// whose first use alone costs a cold start a quarter of a millisecond. It
// reads the file into plain maps and lists, and copies each known field; a
// file it does not read whole (an unknown field, a value of another type)
// is decoded into the Tenant by encoding/json instead. Either way it reads
// a valid file as parse does (TestChecked).
func parseChecked(data []byte, files fs.FS) (*Tenant, error) {
	var t Tenant
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if !t.copyFrom(doc) {
		t = Tenant{}
		if err := json.Unmarshal(data, &t); err != nil {
			return nil, err
		}
	}
	return t.finish(files), nil
}

// copyFrom sets t's fields from a decoded tenant.json; false if doc holds
// anything it does not know.
func (t *Tenant) copyFrom(doc map[string]any) bool {
	r := reader{ok: true}
	r.object(doc, map[string]func(any){
		"id":          r.str(&t.ID),
		"displayName": r.str(&t.DisplayName),
		"match": r.nested(map[string]func(any){
			"userPoolIds":           r.strs(&t.Match.UserPoolIDs),
			"appClientIds":          r.strs(&t.Match.AppClientIDs),
			"tenantAttributeValues": r.strs(&t.Match.TenantAttributeValues),
		}),
		"links": r.nested(map[string]func(any){
			"resetUrl":          r.str(&t.Links.ResetURL),
			"inviteUrl":         r.str(&t.Links.InviteURL),
			"verifyUrl":         r.str(&t.Links.VerifyURL),
			"forgotPasswordUrl": r.str(&t.Links.ForgotPasswordURL),
			"mode":              func(v any) { var s string; r.str(&s)(v); t.Links.Mode = link.Mode(s) },
			"resetExpiry":       r.duration(&t.Links.ResetExpiry),
			"inviteExpiry":      r.duration(&t.Links.InviteExpiry),
			"verifyExpiry":      r.duration(&t.Links.VerifyExpiry),
			"reportUrl":         r.str(&t.Links.ReportURL),
			"reportExpiry":      r.duration(&t.Links.ReportExpiry),
		}),
		"brand": r.nested(map[string]func(any){
			"productName":     r.str(&t.Brand.ProductName),
			"logoUrl":         r.str(&t.Brand.LogoURL),
			"logoDarkUrl":     r.str(&t.Brand.LogoDarkURL),
			"primaryColor":    r.str(&t.Brand.PrimaryColor),
			"buttonTextColor": r.str(&t.Brand.ButtonTextColor),
			"supportEmail":    r.str(&t.Brand.SupportEmail),
			"footerLines":     r.strs(&t.Brand.FooterLines),
		}),
		"languages": r.nested(map[string]func(any){
			"default":   r.str(&t.Languages.Default),
			"supported": r.strs(&t.Languages.Supported),
		}),
		"cognitoDefault": r.kinds(&t.CognitoDefault),
		"sender": func(v any) {
			t.Sender = &Sender{}
			r.object(v, map[string]func(any){
				"fromName":         r.str(&t.Sender.FromName),
				"fromAddress":      r.str(&t.Sender.FromAddress),
				"replyTo":          r.str(&t.Sender.ReplyTo),
				"configurationSet": r.str(&t.Sender.ConfigurationSet),
				"domains":          r.strs(&t.Sender.Domains),
			})
		},
		"notifications": r.nested(map[string]func(any){
			"kinds":           r.kinds(&t.Notifications.Kinds),
			"signOutOnReport": r.boolean(&t.Notifications.SignOutOnReport),
		}),
	})
	return r.ok
}

// reader copies decoded JSON values into fields, noting anything it does
// not expect.
type reader struct{ ok bool }

func (r *reader) object(v any, fields map[string]func(any)) {
	m, ok := v.(map[string]any)
	if !ok {
		r.ok = false
		return
	}
	for key, value := range m {
		set, known := fields[key]
		if !known {
			r.ok = false
			return
		}
		set(value)
	}
}

func (r *reader) nested(fields map[string]func(any)) func(any) {
	return func(v any) { r.object(v, fields) }
}

func (r *reader) str(dst *string) func(any) {
	return func(v any) {
		s, ok := v.(string)
		r.ok = r.ok && ok
		*dst = s
	}
}

func (r *reader) strs(dst *[]string) func(any) {
	return func(v any) {
		list, ok := v.([]any)
		if !ok {
			r.ok = false
			return
		}
		*dst = make([]string, len(list))
		for i, item := range list {
			r.str(&(*dst)[i])(item)
		}
	}
}

// kinds reads a list of kinds; an empty list stays empty, not nil: for
// notifications.kinds, [] means none and absent means the default.
func (r *reader) kinds(dst *[]trigger.Kind) func(any) {
	return func(v any) {
		var names []string
		r.strs(&names)(v)
		if names == nil {
			return
		}
		*dst = make([]trigger.Kind, len(names))
		for i, k := range names {
			(*dst)[i] = trigger.Kind(k)
		}
	}
}

func (r *reader) boolean(dst *bool) func(any) {
	return func(v any) {
		b, ok := v.(bool)
		r.ok = r.ok && ok
		*dst = b
	}
}

func (r *reader) duration(dst *Duration) func(any) {
	return func(v any) {
		s, ok := v.(string)
		d, err := time.ParseDuration(s)
		r.ok = r.ok && ok && err == nil
		*dst = Duration(d)
	}
}
