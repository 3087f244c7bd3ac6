package tenant_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/locale"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
	"github.com/cogmail/cogmail/templates"
)

// The schema is for editors; tenant.Validate stays the authority. These
// tests keep the two from drifting apart without a schema library: a small
// checker below reads the few keywords the schema uses.

const schemaPath = "../../templates/tenant.schema.json"

type node = map[string]any

func loadSchema(t *testing.T) node {
	t.Helper()
	data, err := os.ReadFile(schemaPath)
	require.NoError(t, err)
	var s node
	require.NoError(t, json.Unmarshal(data, &s))
	return s
}

// sub follows properties (and items, for "[]") from n.
func sub(t *testing.T, n node, path ...string) node {
	t.Helper()
	for _, p := range path {
		var next any
		if p == "[]" {
			next = n["items"]
		} else {
			props, _ := n["properties"].(node)
			next = props[p]
		}
		got, ok := next.(node)
		require.True(t, ok, "schema has no %v", path)
		n = got
	}
	return n
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestSchemaHeader(t *testing.T) {
	s := loadSchema(t)
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", s["$schema"])
	assert.Equal(t, "object", s["type"])
}

// jsonFields lists the JSON names of typ's exported fields.
func jsonFields(typ reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for f := range typ.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f
	}
	return out
}

func TestSchemaMatchesStructs(t *testing.T) {
	durationType := reflect.TypeOf(tenant.Duration(0))
	var walk func(path string, n node, typ reflect.Type)
	walk = func(path string, n node, typ reflect.Type) {
		assert.Equal(t, "object", n["type"], path)
		assert.Equal(t, false, n["additionalProperties"], "%s: additionalProperties must be false", path)
		props, _ := n["properties"].(node)
		fields := jsonFields(typ)

		want := slices.Sorted(func(yield func(string) bool) {
			for k := range fields {
				if !yield(k) {
					return
				}
			}
		})
		var got []string
		for k := range props {
			got = append(got, k)
		}
		sort.Strings(got)
		require.Equal(t, want, got, "%s: properties must be the json tags of %s", path, typ)

		for name, f := range fields {
			p := props[name].(node)
			where := strings.TrimPrefix(path+"."+name, ".")
			d, _ := p["description"].(string)
			assert.NotEmpty(t, d, "%s needs a description", where)
			assert.NotContains(t, d, "\n", "%s: one line", where)
			switch ft := f.Type; {
			case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct: // an optional object
				walk(where, p, ft.Elem())
			case ft == durationType:
				assert.Equal(t, "string", p["type"], where)
				assert.NotEmpty(t, p["pattern"], "%s: Go duration text", where)
			case ft.Kind() == reflect.String:
				assert.Equal(t, "string", p["type"], where)
			case ft.Kind() == reflect.Bool:
				assert.Equal(t, "boolean", p["type"], where)
			case ft.Kind() == reflect.Slice:
				assert.Equal(t, "array", p["type"], where)
				items, ok := p["items"].(node)
				require.True(t, ok, "%s: items", where)
				if ft.Elem().Kind() == reflect.Struct {
					walk(where+"[]", items, ft.Elem())
				} else {
					assert.Equal(t, "string", items["type"], where+"[]")
				}
			case ft.Kind() == reflect.Struct:
				walk(where, p, ft)
			default:
				t.Errorf("%s: no rule for %s in this test", where, ft)
			}
		}
	}
	walk("", loadSchema(t), reflect.TypeFor[tenant.Tenant]())
}

func TestSchemaEnums(t *testing.T) {
	s := loadSchema(t)

	var kinds []string
	for _, k := range trigger.Kinds {
		kinds = append(kinds, string(k))
	}
	assert.Equal(t, kinds, strs(sub(t, s, "cognitoDefault", "[]")["enum"]), "cognitoDefault: trigger.Kinds")
	var notices []string
	for _, k := range trigger.Notices {
		notices = append(notices, string(k))
	}
	assert.Equal(t, notices, strs(sub(t, s, "notifications", "kinds", "[]")["enum"]), "notifications.kinds: trigger.Notices")
	assert.Equal(t, []string{string(link.ModeQuery), string(link.ModeFragment)}, strs(sub(t, s, "links", "mode")["enum"]))

	d, _ := sub(t, s, "languages", "supported")["description"].(string)
	_, list, ok := strings.Cut(d, "shipped catalogs: ")
	require.True(t, ok, "languages.supported lists the shipped catalogs: %q", d)
	list, _, _ = strings.Cut(list, ".")
	assert.Equal(t, locale.Shipped, strings.Split(list, ", "),
		"templates/tenant.schema.json's languages.supported description lists locale.Shipped, in order (templates/README.md, Add a language)")
}

// Resolve gives a tenant that lists pools its app clients and attribute
// values only within those pools (Tenant.inPool); an editor's tooltip says so.
func TestSchemaSaysPoolsBoundMatches(t *testing.T) {
	s := loadSchema(t)
	for _, tc := range []struct{ field, says string }{
		{"userPoolIds", "owns its appClientIds and tenantAttributeValues only for events of those pools"},
		{"appClientIds", "With userPoolIds set, only for events of those pools"},
		{"tenantAttributeValues", "With userPoolIds set, only for events of those pools"},
	} {
		t.Run("case="+tc.field, func(t *testing.T) {
			d, _ := sub(t, s, "match", tc.field)["description"].(string)
			assert.Contains(t, d, tc.says)
		})
	}
}

func TestSchemaURLs(t *testing.T) {
	s := loadSchema(t)
	for _, path := range [][]string{
		{"links", "resetUrl"}, {"links", "inviteUrl"}, {"links", "verifyUrl"}, {"links", "forgotPasswordUrl"}, {"links", "reportUrl"},
		{"brand", "logoUrl"}, {"brand", "logoDarkUrl"},
	} {
		p := sub(t, s, path...)
		assert.Equal(t, "uri", p["format"], path)
		pattern, _ := p["pattern"].(string)
		assert.True(t, strings.HasPrefix(pattern, "^https://"), "%v: %q", path, pattern)
	}
}

// TestSchemaRequired derives what Validate requires: drop one key of a
// tenant with every field set; if Validate then fails, the key is required
// (or, for verifyExpiry, required with verifyUrl).
func TestSchemaRequired(t *testing.T) {
	s := loadSchema(t)
	var doc node
	require.NoError(t, json.Unmarshal(encode(t, full("acme")), &doc))
	require.NotEmpty(t, full("acme").CognitoDefault, "every optional field is set")

	for _, path := range [][]string{{}, {"match"}, {"links"}, {"brand"}, {"languages"}, {"sender"}, {"notifications"}} {
		where := strings.Join(path, ".")
		obj := doc
		for _, p := range path {
			obj = obj[p].(node)
		}
		schemaObj := sub(t, s, path...)
		required := strs(schemaObj["required"])
		dependent, _ := schemaObj["dependentRequired"].(node)

		validateNeeds := []string{}
		for key := range obj {
			value := obj[key]
			delete(obj, key)
			b, err := json.Marshal(doc)
			obj[key] = value
			require.NoError(t, err)

			var tn tenant.Tenant
			if json.Unmarshal(b, &tn) == nil && tn.Validate() == nil {
				continue
			}
			conditional := false
			for trigger, keys := range dependent {
				if _, present := obj[trigger]; present && slices.Contains(strs(keys), key) {
					conditional = true
				}
			}
			if !conditional {
				validateNeeds = append(validateNeeds, key)
			}
		}
		sort.Strings(validateNeeds)
		sort.Strings(required)
		assert.Equal(t, validateNeeds, required, "%q: required must be what Validate requires", where)
	}
}

// check reports where v breaks the schema n, reading only type, required,
// additionalProperties (false), properties, dependentRequired, items, enum,
// pattern, not, minLength, maxLength, minItems, maxItems and uniqueItems.
func check(n node, v any, where string) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, where+": "+fmt.Sprintf(format, args...)) }
	switch n["type"] {
	case "object":
		obj, ok := v.(node)
		if !ok {
			bad("not an object")
			return out
		}
		props, _ := n["properties"].(node)
		for _, k := range strs(n["required"]) {
			if _, ok := obj[k]; !ok {
				bad("%s is required", k)
			}
		}
		dependent, _ := n["dependentRequired"].(node)
		for trigger, keys := range dependent {
			if _, ok := obj[trigger]; !ok {
				continue
			}
			for _, k := range strs(keys) {
				if _, ok := obj[k]; !ok {
					bad("%s is required with %s", k, trigger)
				}
			}
		}
		for k, value := range obj {
			p, known := props[k].(node)
			if !known {
				if n["additionalProperties"] == false {
					bad("%s is not allowed", k)
				}
				continue
			}
			out = append(out, check(p, value, strings.TrimPrefix(where+"."+k, "."))...)
		}
	case "array":
		list, ok := v.([]any)
		if !ok {
			bad("not an array")
			return out
		}
		if m, ok := n["minItems"].(float64); ok && float64(len(list)) < m {
			bad("fewer than %v items", m)
		}
		if m, ok := n["maxItems"].(float64); ok && float64(len(list)) > m {
			bad("more than %v items", m)
		}
		seen := map[string]bool{}
		for i, item := range list {
			key := fmt.Sprint(item)
			if n["uniqueItems"] == true && seen[key] {
				bad("item %d repeats %v", i, item)
			}
			seen[key] = true
			if items, ok := n["items"].(node); ok {
				out = append(out, check(items, item, fmt.Sprintf("%s[%d]", where, i))...)
			}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("not true or false")
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("not a string")
			return out
		}
		runes := float64(utf8.RuneCountInString(str))
		if m, ok := n["minLength"].(float64); ok && runes < m {
			bad("shorter than %v", m)
		}
		if m, ok := n["maxLength"].(float64); ok && runes > m {
			bad("longer than %v", m)
		}
		if p, ok := n["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			bad("%q does not match %s", str, p)
		}
		if enum, ok := n["enum"]; ok && !slices.Contains(strs(enum), str) {
			bad("%q is not one of %v", str, strs(enum))
		}
		if not, ok := n["not"].(node); ok && len(check(withType(not, "string"), v, where)) == 0 {
			bad("%q is excluded", str)
		}
	default:
		bad("no rule for type %v in this test", n["type"])
	}
	sort.Strings(out)
	return out
}

// withType is n with a type, for subschemas such as not's that omit it.
func withType(n node, typ string) node {
	out := node{"type": typ}
	for k, v := range n {
		out[k] = v
	}
	return out
}

func checkJSON(t *testing.T, s node, data []byte) []string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	return check(s, v, "")
}

func TestSchemaAcceptsEmbeddedTenants(t *testing.T) {
	s := loadSchema(t)
	files, err := fs.Glob(templates.FS, "tenants/*/tenant.json")
	require.NoError(t, err)
	require.Contains(t, files, "tenants/default/tenant.json")
	for _, name := range files {
		t.Run("case="+name, func(t *testing.T) {
			data, err := fs.ReadFile(templates.FS, name)
			require.NoError(t, err)
			assert.Empty(t, checkJSON(t, s, data))
		})
	}
	t.Run("case=every optional field", func(t *testing.T) {
		assert.Empty(t, checkJSON(t, s, encode(t, full("acme"))))
	})
}

// The schema catches, as an editor would, what Validate refuses and a
// pattern can express; each case also proves the checker above can fail.
func TestSchemaRejects(t *testing.T) {
	s := loadSchema(t)
	good := string(encode(t, full("acme")))
	tests := []struct {
		name       string
		edit       func(*tenant.Tenant)
		json       func(string) string
		where      string
		schemaOnly bool // Validate lets it pass
	}{
		{name: "case=unknown top-level field", json: func(j string) string { return strings.Replace(j, "{", `{"theme": "dark",`, 1) }, where: ": theme is not allowed"},
		{name: "case=unknown brand field", json: func(j string) string { return strings.Replace(j, `"brand": {`, `"brand": {"font": "x",`, 1) }, where: "brand: font is not allowed"},
		{name: "case=field in the wrong case", json: func(j string) string { return strings.Replace(j, `"resetUrl"`, `"resetURL"`, 1) }, where: "links: resetURL is not allowed"},
		{name: "case=missing links", json: func(j string) string {
			return regexp.MustCompile(`(?s)"links": \{.*?\},`).ReplaceAllString(j, "")
		}, where: ": links is required"},
		{name: "case=missing primaryColor", json: func(j string) string {
			return strings.Replace(j, `"primaryColor": "#1a56db",`, "", 1)
		}, where: "brand: primaryColor is required"},
		{name: "case=verifyUrl without verifyExpiry", edit: func(tn *tenant.Tenant) { tn.Links.VerifyExpiry = 0 }, where: "links: verifyExpiry is required with verifyUrl"},
		{name: "case=upper-case id", edit: func(tn *tenant.Tenant) { tn.ID = "Acme" }, where: "id:"},
		{name: "case=user pool id", edit: func(tn *tenant.Tenant) { tn.Match.UserPoolIDs = []string{"eu-west-1"} }, where: "match.userPoolIds[0]:"},
		{name: "case=empty app client id", edit: func(tn *tenant.Tenant) { tn.Match.AppClientIDs = []string{" "} }, where: "match.appClientIds[0]:"},
		{name: "case=http resetUrl", edit: func(tn *tenant.Tenant) { tn.Links.ResetURL = "http://app.acme.example/reset" }, where: "links.resetUrl:"},
		{name: "case=inviteUrl with fragment", edit: func(tn *tenant.Tenant) { tn.Links.InviteURL = "https://app.acme.example/#/x" }, where: "links.inviteUrl:"},
		{name: "case=http logoUrl", edit: func(tn *tenant.Tenant) { tn.Brand.LogoURL = "http://cdn.acme.example/l.png" }, where: "brand.logoUrl:"},
		{name: "case=mode", edit: func(tn *tenant.Tenant) { tn.Links.Mode = "path" }, where: "links.mode:"},
		{name: "case=productName of 41 runes", edit: func(tn *tenant.Tenant) { tn.Brand.ProductName = strings.Repeat("é", 41) }, where: "brand.productName:"},
		{name: "case=short colour", edit: func(tn *tenant.Tenant) { tn.Brand.ButtonTextColor = "#fff" }, where: "brand.buttonTextColor:"},
		{name: "case=support email with display name", edit: func(tn *tenant.Tenant) { tn.Brand.SupportEmail = "Acme <s@acme.example>" }, where: "brand.supportEmail:"},
		{name: "case=4 footer lines", edit: func(tn *tenant.Tenant) { tn.Brand.FooterLines = []string{"a", "b", "c", "d"} }, where: "brand.footerLines:"},
		{name: "case=footer line of 201 runes", edit: func(tn *tenant.Tenant) { tn.Brand.FooterLines = []string{strings.Repeat("ü", 201)} }, where: "brand.footerLines[0]:"},
		{name: "case=pseudo-locale", edit: func(tn *tenant.Tenant) { tn.Languages.Supported = []string{"en", "en-XA"} }, where: "languages.supported[1]:"},
		{name: "case=no supported languages", edit: func(tn *tenant.Tenant) { tn.Languages.Supported = []string{} }, where: "languages.supported:"},
		{name: "case=unknown kind", edit: func(tn *tenant.Tenant) { tn.CognitoDefault = []trigger.Kind{"welcome"} }, where: "cognitoDefault[0]:"},
		{name: "case=repeated kind", edit: func(tn *tenant.Tenant) { tn.CognitoDefault = []trigger.Kind{"mfa", "mfa"} }, where: "cognitoDefault: item 1 repeats", schemaOnly: true},
		{name: "case=expiry in days", json: func(j string) string { return strings.Replace(j, `"168h0m0s"`, `"7d"`, 1) }, where: "links.inviteExpiry:"},
		{name: "case=notice left to Cognito", edit: func(tn *tenant.Tenant) { tn.CognitoDefault = []trigger.Kind{trigger.Changed} }, where: "cognitoDefault[0]:"},
		{name: "case=http reportUrl", edit: func(tn *tenant.Tenant) { tn.Links.ReportURL = "http://app.acme.example/report" }, where: "links.reportUrl:"},
		{name: "case=reportUrl with fragment", edit: func(tn *tenant.Tenant) { tn.Links.ReportURL = "https://app.acme.example/#/report" }, where: "links.reportUrl:"},
		{name: "case=report expiry in days", json: func(j string) string { return strings.Replace(j, `"72h0m0s"`, `"3d"`, 1) }, where: "links.reportExpiry:"},
		{name: "case=unknown sender field", json: func(j string) string { return strings.Replace(j, `"sender": {`, `"sender": {"from": "x",`, 1) }, where: "sender: from is not allowed"},
		{name: "case=sender without fromAddress", json: func(j string) string {
			return strings.Replace(j, `"fromAddress": "security@mail.acme.example",`, "", 1)
		}, where: "sender: fromAddress is required"},
		{name: "case=sender without domains", json: func(j string) string {
			return regexp.MustCompile(`(?s),\s*"domains": \[.*?\]`).ReplaceAllString(j, "")
		}, where: "sender: domains is required"},
		{name: "case=fromAddress with display name", edit: func(tn *tenant.Tenant) { tn.Sender.FromAddress = "Acme <security@acme.example>" }, where: "sender.fromAddress:"},
		{name: "case=replyTo not an address", edit: func(tn *tenant.Tenant) { tn.Sender.ReplyTo = "support" }, where: "sender.replyTo:"},
		{name: "case=fromName with a quote", edit: func(tn *tenant.Tenant) { tn.Sender.FromName = `Acme "Security"` }, where: "sender.fromName:"},
		{name: "case=fromName with a line break", edit: func(tn *tenant.Tenant) { tn.Sender.FromName = "Acme\nBcc: x@y.example" }, where: "sender.fromName:"},
		{name: "case=fromName with a C1 control", edit: func(tn *tenant.Tenant) { tn.Sender.FromName = "Acme\u0085" }, where: "sender.fromName:"},
		{name: "case=fromName of spaces", edit: func(tn *tenant.Tenant) { tn.Sender.FromName = "   " }, where: "sender.fromName:"},
		{name: "case=fromName of 65 runes", edit: func(tn *tenant.Tenant) { tn.Sender.FromName = strings.Repeat("é", 65) }, where: "sender.fromName:"},
		{name: "case=configuration set with a dot", edit: func(tn *tenant.Tenant) { tn.Sender.ConfigurationSet = "acme.notices" }, where: "sender.configurationSet:"},
		{name: "case=configuration set of 65 characters", edit: func(tn *tenant.Tenant) { tn.Sender.ConfigurationSet = strings.Repeat("c", 65) }, where: "sender.configurationSet:"},
		{name: "case=domain with a scheme", edit: func(tn *tenant.Tenant) { tn.Sender.Domains = []string{"acme.example", "https://acme.example"} }, where: "sender.domains[1]:"},
		{name: "case=one-label domain", edit: func(tn *tenant.Tenant) { tn.Sender.Domains = []string{"acme.example", "localhost"} }, where: "sender.domains[1]:"},
		{name: "case=no domains", edit: func(tn *tenant.Tenant) { tn.Sender.Domains = []string{} }, where: "sender.domains: fewer than 1 items"},
		{name: "case=domain listed twice", edit: func(tn *tenant.Tenant) { tn.Sender.Domains = []string{"acme.example", "acme.example"} }, where: "sender.domains: item 1 repeats"},
		{name: "case=unknown notice", edit: func(tn *tenant.Tenant) { tn.Notifications.Kinds = []trigger.Kind{"reset"} }, where: "notifications.kinds[0]:"},
		{name: "case=notice listed twice", edit: func(tn *tenant.Tenant) {
			tn.Notifications.Kinds = []trigger.Kind{trigger.Changed, trigger.Changed}
		}, where: "notifications.kinds: item 1 repeats"},
		{name: "case=signOutOnReport as text", json: func(j string) string {
			return strings.Replace(j, `"signOutOnReport": true`, `"signOutOnReport": "yes"`, 1)
		}, where: "notifications.signOutOnReport: not true or false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := good
			if tc.edit != nil {
				tn := full("acme")
				tc.edit(tn)
				if !tc.schemaOnly {
					require.Error(t, tn.Validate(), "Validate refuses it too")
				}
				data = string(encode(t, tn))
			}
			if tc.json != nil {
				data = tc.json(good)
				require.NotEqual(t, good, data, "the edit applies")
			}
			got := checkJSON(t, s, []byte(data))
			require.NotEmpty(t, got)
			assert.True(t, slices.ContainsFunc(got, func(p string) bool { return strings.HasPrefix(p, tc.where) }),
				"want a problem at %q, got %q", tc.where, got)
		})
	}
}

// The duration pattern accepts exactly the positive Go duration text
// Validate can use.
func TestSchemaDurationPattern(t *testing.T) {
	s := loadSchema(t)
	patterns := map[string]bool{}
	for _, name := range []string{"resetExpiry", "inviteExpiry", "verifyExpiry", "reportExpiry"} {
		patterns[sub(t, s, "links", name)["pattern"].(string)] = true
	}
	require.Len(t, patterns, 1, "one pattern for every duration")
	var pattern *regexp.Regexp
	for p := range patterns {
		pattern = regexp.MustCompile(p)
	}

	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{"1h", true}, {"30m", true}, {"1h30m", true}, {"1.5h", true}, {".5h", true}, {"1h0m0s", true},
		{"168h", true}, {"8760h", true}, {"500ms", true}, {"2us", true}, {"2µs", true}, {"90s", true},
		{"", false}, {"1d", false}, {"1 h", false}, {"h", false}, {"1", false}, {"-1h", false}, {"1H", false}, {".h", false},
	} {
		t.Run("case="+tc.text, func(t *testing.T) {
			assert.Equal(t, tc.ok, pattern.MatchString(tc.text))
			d, err := time.ParseDuration(tc.text)
			if tc.ok {
				require.NoError(t, err)
				assert.Positive(t, d)
			} else {
				assert.True(t, err != nil || d <= 0, "Go reads %q as %s", tc.text, d)
			}
		})
	}
}
