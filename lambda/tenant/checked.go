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
		"cognitoDefault": func(v any) {
			var kinds []string
			r.strs(&kinds)(v)
			for _, k := range kinds {
				t.CognitoDefault = append(t.CognitoDefault, trigger.Kind(k))
			}
		},
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

func (r *reader) duration(dst *Duration) func(any) {
	return func(v any) {
		s, ok := v.(string)
		d, err := time.ParseDuration(s)
		r.ok = r.ok && ok && err == nil
		*dst = Duration(d)
	}
}
