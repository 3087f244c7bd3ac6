package page

import (
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Activation in a pool that requires attributes the invitation did not set:
// Cognito's NEW_PASSWORD_REQUIRED challenge names them in requiredAttributes
// (["userAttributes.name"]), and the answer must carry each as
// userAttributes.<name>. The form's fields use those names too.
const (
	attributePrefix = "userAttributes."
	// maxAttributes bounds the fields a form may carry; a pool requires a few.
	maxAttributes = 25
	// maxAttributeValue is Cognito's limit on an attribute's value.
	maxAttributeValue = 2048
)

// attributeName admits Cognito's attribute names (standard, custom:…,
// dev:…) and nothing that needs more than HTML escaping.
var attributeName = regexp.MustCompile(`^[\p{L}\p{N}_.:-]{1,64}$`)

// attribute is one attribute the form asks for, its name without the prefix.
type attribute struct{ Name, Value string }

// requiredAttributes reads a challenge's requiredAttributes.
func requiredAttributes(params map[string]string) ([]string, error) {
	raw := strings.TrimSpace(params["requiredAttributes"])
	if raw == "" {
		return nil, nil
	}
	var names []string
	if err := json.Unmarshal([]byte(raw), &names); err != nil {
		return nil, err
	}
	if len(names) > maxAttributes {
		return nil, errors.New("too many required attributes")
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		name := strings.TrimPrefix(n, attributePrefix)
		if !attributeName.MatchString(name) {
			return nil, errors.New("unusable attribute name")
		}
		out = append(out, name)
	}
	return out, nil
}

// postedAttributes reads the attribute fields a form posted, standard
// attributes first, in a stable order, so that a form shown again keeps
// them (and what was typed into them).
func postedAttributes(form url.Values) []attribute {
	var attrs []attribute
	for key, values := range form {
		name, ok := strings.CutPrefix(key, attributePrefix)
		if !ok || !attributeName.MatchString(name) || len(values) == 0 {
			continue
		}
		attrs = append(attrs, attribute{name, strings.TrimSpace(values[0])})
	}
	sort.Slice(attrs, func(i, j int) bool {
		ri, rj := attributeRank(attrs[i].Name), attributeRank(attrs[j].Name)
		if ri != rj {
			return ri < rj
		}
		return attrs[i].Name < attrs[j].Name
	})
	if len(attrs) > maxAttributes {
		attrs = attrs[:maxAttributes]
	}
	return attrs
}

// attributesFit reports whether every value is within Cognito's limit.
func attributesFit(attrs []attribute) bool {
	for _, a := range attrs {
		if utf8.RuneCountInString(a.Value) > maxAttributeValue {
			return false
		}
	}
	return true
}

// fillAttributes pairs the required names with the values posted, in
// Cognito's order, and reports whether any is still empty.
func fillAttributes(required []string, posted []attribute) ([]attribute, bool) {
	values := make(map[string]string, len(posted))
	for _, a := range posted {
		values[a.Name] = a.Value
	}
	attrs := make([]attribute, 0, len(required))
	missing := false
	for _, name := range required {
		v := values[name]
		missing = missing || v == ""
		attrs = append(attrs, attribute{name, v})
	}
	return attrs, missing
}

// attributeInput is how the form asks for one standard attribute.
type attributeInput struct {
	typ, autocomplete string
	ltr               bool // addresses, numbers and codes read left to right
}

// standardAttributes are OpenID Connect's standard claims that Cognito
// pools can require, in the order the form shows them. Each has its label
// under page.attribute.<name>.
var standardAttributes = []struct {
	name string
	in   attributeInput
}{
	{"name", attributeInput{"text", "name", false}},
	{"given_name", attributeInput{"text", "given-name", false}},
	{"middle_name", attributeInput{"text", "additional-name", false}},
	{"family_name", attributeInput{"text", "family-name", false}},
	{"nickname", attributeInput{"text", "nickname", false}},
	{"preferred_username", attributeInput{"text", "username", true}},
	{"birthdate", attributeInput{"date", "bday", true}}, // the picker posts YYYY-MM-DD, Cognito's format
	{"gender", attributeInput{"text", "sex", false}},
	{"phone_number", attributeInput{"tel", "tel", true}},
	{"address", attributeInput{"text", "street-address", false}},
	{"locale", attributeInput{"text", "language", true}},
	{"zoneinfo", attributeInput{"text", "off", true}},
	{"website", attributeInput{"url", "url", true}},
	{"profile", attributeInput{"url", "url", true}},
	{"picture", attributeInput{"url", "photo", true}},
}

func attributeRank(name string) int {
	for i, s := range standardAttributes {
		if s.name == name {
			return i
		}
	}
	return len(standardAttributes)
}

// attributeField is one attribute's input, as the form template sees it.
type attributeField struct {
	Field, Label, Value, Type, Autocomplete string
	LTR                                     bool
}

// attributeFields labels attrs in v's language: a standard attribute by
// its name, a custom one generically with the name its pool gave it.
func attributeFields(v *view, attrs []attribute) []attributeField {
	fields := make([]attributeField, 0, len(attrs))
	for _, a := range attrs {
		f := attributeField{Field: attributePrefix + a.Name, Value: a.Value, Type: "text", Autocomplete: "off"}
		switch i := attributeRank(a.Name); {
		case i < len(standardAttributes):
			in := standardAttributes[i].in
			f.Label, f.Type, f.Autocomplete, f.LTR = v.T("page.attribute."+a.Name), in.typ, in.autocomplete, in.ltr
		case a.Name == "email":
			f.Label, f.Type, f.Autocomplete, f.LTR = v.T("page.field.email"), "email", "email", true
		default:
			name, _ := strings.CutPrefix(a.Name, "custom:")
			f.Label = v.T("page.attribute.other", "name", name)
		}
		fields = append(fields, f)
	}
	return fields
}
