package tenant_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(*tenant.Tenant)
	}{
		{"case=required fields only", func(*tenant.Tenant) {}},
		{"case=id of 63 characters", func(tn *tenant.Tenant) { tn.ID = strings.Repeat("a", 63) }},
		{"case=id starting with a digit", func(tn *tenant.Tenant) { tn.ID = "0acme-eu" }},
		{"case=query mode", func(tn *tenant.Tenant) { tn.Links.Mode = link.ModeQuery }},
		{"case=reset expiry of exactly 1h", func(tn *tenant.Tenant) { tn.Links.ResetExpiry = tenant.Duration(time.Hour) }},
		{"case=invite expiry of 365 days", func(tn *tenant.Tenant) { tn.Links.InviteExpiry = tenant.Duration(365 * day) }},
		{"case=verify expiry of exactly 24h", func(tn *tenant.Tenant) {
			tn.Links.VerifyURL, tn.Links.VerifyExpiry = "https://app.acme.example/confirm", tenant.Duration(day)
		}},
		{"case=product name of 40 runes", func(tn *tenant.Tenant) { tn.Brand.ProductName = strings.Repeat("é", 40) }},
		{"case=upper-case colour", func(tn *tenant.Tenant) { tn.Brand.PrimaryColor = "#1A56DB" }},
		{"case=contrast just above 4.5", func(tn *tenant.Tenant) { tn.Brand.PrimaryColor = "#767676" }},
		{"case=3 footer lines of 200 runes", func(tn *tenant.Tenant) {
			tn.Brand.FooterLines = []string{strings.Repeat("ü", 200), "b", "c"}
		}},
		{"case=every kind left to Cognito", func(tn *tenant.Tenant) { tn.CognitoDefault = trigger.Kinds }},
		{"case=user pool id", func(tn *tenant.Tenant) { tn.Match.UserPoolIDs = []string{"us-east-1_AbCdEf123"} }},
		{"case=app client id of 256 characters", func(tn *tenant.Tenant) { tn.Match.AppClientIDs = []string{strings.Repeat("c", 256)} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := valid("acme")
			tc.edit(tn)
			assert.NoError(t, tn.Validate())
		})
	}
}

func TestValidateAcceptsEveryOptionalField(t *testing.T) {
	assert.NoError(t, full("acme").Validate())
}

func TestValidateRejects(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name  string
		edit  func(*tenant.Tenant)
		field string // the one problem's message starts with it
	}{
		{"case=empty id", func(tn *tenant.Tenant) { tn.ID = "" }, "id: "},
		{"case=upper-case id", func(tn *tenant.Tenant) { tn.ID = "Acme" }, "id: "},
		{"case=id starting with a dash", func(tn *tenant.Tenant) { tn.ID = "-acme" }, "id: "},
		{"case=id with an underscore", func(tn *tenant.Tenant) { tn.ID = "acme_eu" }, "id: "},
		{"case=id with a slash", func(tn *tenant.Tenant) { tn.ID = "../acme" }, "id: "},
		{"case=id of 64 characters", func(tn *tenant.Tenant) { tn.ID = strings.Repeat("a", 64) }, "id: "},

		{"case=empty displayName", func(tn *tenant.Tenant) { tn.DisplayName = "" }, "displayName"},
		{"case=blank displayName", func(tn *tenant.Tenant) { tn.DisplayName = " \t" }, "displayName"},

		{"case=user pool id without underscore", func(tn *tenant.Tenant) { tn.Match.UserPoolIDs = []string{"us-east-1"} }, "match.userPoolIds"},
		{"case=user pool id with nothing after underscore", func(tn *tenant.Tenant) { tn.Match.UserPoolIDs = []string{"us-east-1_"} }, "match.userPoolIds"},
		{"case=user pool id with a space", func(tn *tenant.Tenant) { tn.Match.UserPoolIDs = []string{"us-east-1_Ab Cd"} }, "match.userPoolIds"},
		{"case=empty user pool id", func(tn *tenant.Tenant) { tn.Match.UserPoolIDs = []string{""} }, "match.userPoolIds"},
		{"case=empty app client id", func(tn *tenant.Tenant) { tn.Match.AppClientIDs = []string{""} }, "match.appClientIds"},
		{"case=a pool listed twice", func(tn *tenant.Tenant) { tn.Match.UserPoolIDs = []string{"eu-west-1_AAA", "eu-west-1_AAA"} }, "match.userPoolIds"},
		{"case=a reset URL whose query holds a link parameter", func(tn *tenant.Tenant) { tn.Links.ResetURL = "https://a.example/r?tenant=acme" }, "links.resetUrl"},
		{"case=CLIENT_ID_NOT_APPLICABLE as app client id", func(tn *tenant.Tenant) { tn.Match.AppClientIDs = []string{"CLIENT_ID_NOT_APPLICABLE"} }, "match.appClientIds"},
		{"case=blank app client id", func(tn *tenant.Tenant) { tn.Match.AppClientIDs = []string{"  "} }, "match.appClientIds"},
		{"case=app client id of 257 characters", func(tn *tenant.Tenant) { tn.Match.AppClientIDs = []string{strings.Repeat("c", 257)} }, "match.appClientIds"},
		{"case=empty tenant attribute value", func(tn *tenant.Tenant) { tn.Match.TenantAttributeValues = []string{"ok", ""} }, "match.tenantAttributeValues"},

		{"case=http resetUrl", func(tn *tenant.Tenant) { tn.Links.ResetURL = "http://app.acme.example/reset" }, "links.resetUrl"},
		{"case=resetUrl with credentials", func(tn *tenant.Tenant) { tn.Links.ResetURL = "https://user:pw@app.acme.example/reset" }, "links.resetUrl"},
		{"case=resetUrl with fragment", func(tn *tenant.Tenant) { tn.Links.ResetURL = "https://app.acme.example/reset#form" }, "links.resetUrl"},
		{"case=resetUrl with empty fragment", func(tn *tenant.Tenant) { tn.Links.ResetURL = "https://app.acme.example/reset#" }, "links.resetUrl"},
		{"case=relative resetUrl", func(tn *tenant.Tenant) { tn.Links.ResetURL = "/reset" }, "links.resetUrl"},
		{"case=empty resetUrl", func(tn *tenant.Tenant) { tn.Links.ResetURL = "" }, "links.resetUrl"},
		{"case=http inviteUrl", func(tn *tenant.Tenant) { tn.Links.InviteURL = "http://app.acme.example/activate" }, "links.inviteUrl"},
		{"case=inviteUrl with credentials", func(tn *tenant.Tenant) { tn.Links.InviteURL = "https://u@app.acme.example/activate" }, "links.inviteUrl"},
		{"case=inviteUrl with fragment", func(tn *tenant.Tenant) { tn.Links.InviteURL = "https://app.acme.example/#/activate" }, "links.inviteUrl"},
		{"case=scheme-relative inviteUrl", func(tn *tenant.Tenant) { tn.Links.InviteURL = "//app.acme.example/activate" }, "links.inviteUrl"},
		{"case=http verifyUrl", func(tn *tenant.Tenant) {
			tn.Links.VerifyURL, tn.Links.VerifyExpiry = "http://app.acme.example/confirm", tenant.Duration(day)
		}, "links.verifyUrl"},
		{"case=verifyUrl with credentials", func(tn *tenant.Tenant) {
			tn.Links.VerifyURL, tn.Links.VerifyExpiry = "https://u:p@app.acme.example/confirm", tenant.Duration(day)
		}, "links.verifyUrl"},
		{"case=verifyUrl with fragment", func(tn *tenant.Tenant) {
			tn.Links.VerifyURL, tn.Links.VerifyExpiry = "https://app.acme.example/confirm#x", tenant.Duration(day)
		}, "links.verifyUrl"},
		{"case=relative verifyUrl", func(tn *tenant.Tenant) {
			tn.Links.VerifyURL, tn.Links.VerifyExpiry = "confirm", tenant.Duration(day)
		}, "links.verifyUrl"},
		{"case=http forgotPasswordUrl", func(tn *tenant.Tenant) { tn.Links.ForgotPasswordURL = "http://app.acme.example/forgot" }, "links.forgotPasswordUrl"},
		{"case=relative forgotPasswordUrl", func(tn *tenant.Tenant) { tn.Links.ForgotPasswordURL = "/forgot" }, "links.forgotPasswordUrl"},
		{"case=forgotPasswordUrl with credentials", func(tn *tenant.Tenant) { tn.Links.ForgotPasswordURL = "https://u@app.acme.example/forgot" }, "links.forgotPasswordUrl"},
		{"case=verifyUrl without verifyExpiry", func(tn *tenant.Tenant) { tn.Links.VerifyURL = "https://app.acme.example/confirm" }, "links.verifyExpiry"},
		{"case=verifyExpiry over 24h", func(tn *tenant.Tenant) {
			tn.Links.VerifyURL, tn.Links.VerifyExpiry = "https://app.acme.example/confirm", tenant.Duration(day+time.Second)
		}, "links.verifyExpiry"},
		{"case=negative verifyExpiry", func(tn *tenant.Tenant) { tn.Links.VerifyExpiry = tenant.Duration(-time.Hour) }, "links.verifyExpiry"},

		{"case=unknown mode", func(tn *tenant.Tenant) { tn.Links.Mode = "path" }, "links.mode"},
		{"case=empty mode", func(tn *tenant.Tenant) { tn.Links.Mode = "" }, "links.mode"},
		{"case=upper-case mode", func(tn *tenant.Tenant) { tn.Links.Mode = "QUERY" }, "links.mode"},

		{"case=resetExpiry 0", func(tn *tenant.Tenant) { tn.Links.ResetExpiry = 0 }, "links.resetExpiry"},
		{"case=resetExpiry negative", func(tn *tenant.Tenant) { tn.Links.ResetExpiry = tenant.Duration(-time.Minute) }, "links.resetExpiry"},
		{"case=resetExpiry over 1h", func(tn *tenant.Tenant) { tn.Links.ResetExpiry = tenant.Duration(time.Hour + time.Second) }, "links.resetExpiry"},
		{"case=inviteExpiry 0", func(tn *tenant.Tenant) { tn.Links.InviteExpiry = 0 }, "links.inviteExpiry"},
		{"case=inviteExpiry over 365 days", func(tn *tenant.Tenant) { tn.Links.InviteExpiry = tenant.Duration(365*day + time.Second) }, "links.inviteExpiry"},

		{"case=productName of 0 runes", func(tn *tenant.Tenant) { tn.Brand.ProductName = "" }, "brand.productName"},
		{"case=productName of 41 runes", func(tn *tenant.Tenant) { tn.Brand.ProductName = long(41) }, "brand.productName"},
		{"case=http logoUrl", func(tn *tenant.Tenant) { tn.Brand.LogoURL = "http://cdn.acme.example/logo.png" }, "brand.logoUrl"},
		{"case=relative logoUrl", func(tn *tenant.Tenant) { tn.Brand.LogoURL = "/logo.png" }, "brand.logoUrl"},
		{"case=data logoUrl", func(tn *tenant.Tenant) { tn.Brand.LogoURL = "data:image/png;base64,iVBORw0KGgo=" }, "brand.logoUrl"},
		{"case=logoUrl with credentials", func(tn *tenant.Tenant) { tn.Brand.LogoURL = "https://u:p@cdn.acme.example/logo.png" }, "brand.logoUrl"},
		{"case=http logoDarkUrl", func(tn *tenant.Tenant) { tn.Brand.LogoDarkURL = "http://cdn.acme.example/dark.png" }, "brand.logoDarkUrl"},
		{"case=scheme-relative logoDarkUrl", func(tn *tenant.Tenant) { tn.Brand.LogoDarkURL = "//cdn.acme.example/dark.png" }, "brand.logoDarkUrl"},

		{"case=primaryColor short", func(tn *tenant.Tenant) { tn.Brand.PrimaryColor = "#fff" }, "brand.primaryColor"},
		{"case=primaryColor without #", func(tn *tenant.Tenant) { tn.Brand.PrimaryColor = "1a56db" }, "brand.primaryColor"},
		{"case=primaryColor by name", func(tn *tenant.Tenant) { tn.Brand.PrimaryColor = "blue" }, "brand.primaryColor"},
		{"case=buttonTextColor not hex", func(tn *tenant.Tenant) { tn.Brand.ButtonTextColor = "#fffffg" }, "brand.buttonTextColor"},
		{"case=buttonTextColor too long", func(tn *tenant.Tenant) { tn.Brand.ButtonTextColor = "#ffffff0" }, "brand.buttonTextColor"},
		{"case=contrast below 4.5", func(tn *tenant.Tenant) {
			tn.Brand.PrimaryColor, tn.Brand.ButtonTextColor = "#ffffff", "#777777"
		}, "brand.buttonTextColor: contrast with brand.primaryColor is 4.48:1"},

		{"case=supportEmail with display name", func(tn *tenant.Tenant) { tn.Brand.SupportEmail = "Support <support@acme.example>" }, "brand.supportEmail"},
		{"case=supportEmail in angle brackets", func(tn *tenant.Tenant) { tn.Brand.SupportEmail = "<support@acme.example>" }, "brand.supportEmail"},
		{"case=supportEmail not an address", func(tn *tenant.Tenant) { tn.Brand.SupportEmail = "support" }, "brand.supportEmail"},

		{"case=4 footer lines", func(tn *tenant.Tenant) { tn.Brand.FooterLines = []string{"a", "b", "c", "d"} }, "brand.footerLines"},
		{"case=empty footer line", func(tn *tenant.Tenant) { tn.Brand.FooterLines = []string{"a", ""} }, "brand.footerLines"},
		{"case=footer line of 201 runes", func(tn *tenant.Tenant) { tn.Brand.FooterLines = []string{long(201)} }, "brand.footerLines"},

		{"case=languages.default not supported", func(tn *tenant.Tenant) { tn.Languages.Default = "fr" }, `languages.default: "fr" must be`},
		{"case=languages.default empty", func(tn *tenant.Tenant) { tn.Languages.Default = "" }, `languages.default: "" must be`},
		{"case=unparseable supported tag", func(tn *tenant.Tenant) { tn.Languages.Supported = []string{"en", "not a tag"} }, "languages.supported"},
		{"case=unknown supported language", func(tn *tenant.Tenant) { tn.Languages.Supported = []string{"en", "xx"} }, "languages.supported"},
		{"case=pseudo-locale supported", func(tn *tenant.Tenant) { tn.Languages.Supported = []string{"en", "en-XA"} }, "languages.supported[1]: the pseudo-locale"},
		{"case=pseudo-locale in lower case", func(tn *tenant.Tenant) { tn.Languages.Supported = []string{"en", "en-xa"} }, "languages.supported[1]: the pseudo-locale"},

		{"case=unknown cognitoDefault kind", func(tn *tenant.Tenant) { tn.CognitoDefault = []trigger.Kind{trigger.Reset, "welcom"} }, `cognitoDefault[1]: unknown message "welcom"`},
		{"case=notice left to Cognito", func(tn *tenant.Tenant) { tn.CognitoDefault = []trigger.Kind{trigger.Reset, trigger.Welcome} }, `cognitoDefault[1]: "welcome" is a notice, which cogmail sends itself`},
		{"case=cognitoDefault kind in upper case", func(tn *tenant.Tenant) { tn.CognitoDefault = []trigger.Kind{"MFA"} }, `cognitoDefault[0]: unknown message "MFA"; did you mean "mfa"?`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := valid("acme")
			tc.edit(tn)
			err := tn.Validate()
			require.Error(t, err)
			got := problems(err)
			require.Len(t, got, 1, "one problem expected: %v", err)
			assert.True(t, strings.HasPrefix(got[0].Error(), tc.field), "%q should start with %q", got[0], tc.field)
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	tn := valid("Acme")
	tn.Links.ResetURL = "http://app.acme.example/reset"
	tn.Links.Mode = "path"
	tn.Links.InviteExpiry = tenant.Duration(400 * day)
	tn.Brand.ProductName = ""
	tn.Brand.PrimaryColor = "red"
	tn.Languages.Default = "fr"

	err := tn.Validate()
	require.Error(t, err)
	fields := []string{"id: ", "links.resetUrl", "links.mode", "links.inviteExpiry", "brand.productName", "brand.primaryColor", "languages.default"}
	got := problems(err)
	require.Len(t, got, len(fields), "%v", err)
	for i, field := range fields {
		assert.True(t, strings.HasPrefix(got[i].Error(), field), "problem %d: %q should start with %q", i, got[i], field)
	}
}

func TestContrastRatio(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"#000000", "#ffffff", 21, 21},
		{"#FFFFFF", "#000000", 21, 21},
		{"#1a56db", "#1a56db", 1, 1},
		{"#777777", "#ffffff", 4.47, 4.49}, // just below WCAG AA's 4.5
		{"#767676", "#ffffff", 4.54, 4.55}, // just above
		{"#1a56db", "#ffffff", 6.0, 7.0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("case=%s on %s", tc.b, tc.a), func(t *testing.T) {
			got := tenant.ContrastRatio(tc.a, tc.b)
			assert.GreaterOrEqual(t, got, tc.min-1e-9)
			assert.LessOrEqual(t, got, tc.max+1e-9)
			assert.InDelta(t, got, tenant.ContrastRatio(tc.b, tc.a), 1e-12, "symmetric")
		})
	}
}

// decode reads data as the tenant.json of tenant "acme" through a Store.
func decode(t *testing.T, data string) (*tenant.Tenant, error) {
	t.Helper()
	layer := tree(t)
	layer["tenants/acme/tenant.json"] = &fstest.MapFile{Data: []byte(data)}
	return tenant.NewStore(layer).Get("acme")
}

func TestDecodeStrictJSON(t *testing.T) {
	good := strings.TrimSpace(string(encode(t, full("acme"))))
	// withField adds a field to the top-level object, or to the object
	// named by after, e.g. `"brand": {`.
	withField := func(after, field string) string {
		return strings.Replace(good, after, after+field+",", 1)
	}

	t.Run("case=valid", func(t *testing.T) {
		got, err := decode(t, good)
		require.NoError(t, err)
		want := full("acme")
		assert.Equal(t, want.Match, got.Match)
		assert.Equal(t, want.Links, got.Links)
		assert.Equal(t, want.Brand, got.Brand)
		assert.Equal(t, want.Languages, got.Languages)
		assert.Equal(t, want.CognitoDefault, got.CognitoDefault)
		assert.Equal(t, want.Sender, got.Sender)
		assert.Equal(t, want.Notifications, got.Notifications)
	})

	tests := []struct {
		name, data, want string
	}{
		{"case=unknown top-level field", withField("{", `"theme": "dark"`), `: theme: unknown field (known: brand, cognitoDefault, displayName, id, languages, links, match, notifications, sender)`},
		{"case=unknown field in sender", withField(`"sender": {`, `"bcc": "audit@acme.example"`), `sender.bcc: unknown field`},
		{"case=misspelt field in sender", withField(`"sender": {`, `"fromAdress": "a@acme.example"`), `sender.fromAdress: unknown field; did you mean "fromAddress"?`},
		{"case=sender given as text", strings.Replace(good, `"sender": {`, `"sender": "security@acme.example", "x": {`, 1), `sender: must be an object, not text`},
		{"case=unknown field in notifications", withField(`"notifications": {`, `"signOutOnReprt": true`), `notifications.signOutOnReprt: unknown field; did you mean "signOutOnReport"?`},
		{"case=signOutOnReport as text", strings.Replace(good, `"signOutOnReport": true`, `"signOutOnReport": "yes"`, 1), `notifications.signOutOnReport: must be true or false, not text`},
		{"case=unknown field in brand", withField(`"brand": {`, `"font": "Inter"`), `brand.font: unknown field (known: buttonTextColor,`},
		{"case=unknown field in links", withField(`"links": {`, `"loginUrl": "https://app.acme.example/"`), `links.loginUrl: unknown field`},
		{"case=$schema is a field like any other", withField("{", `"$schema": "../../tenant.schema.json"`), `$schema: unknown field`},
		{"case=expiry as seconds", strings.Replace(good, `"1h0m0s"`, `3600`, 1), "links.resetExpiry: a duration must be text"},
		{"case=expiry in words", strings.Replace(good, `"1h0m0s"`, `"an hour"`, 1), `links.resetExpiry: duration "an hour"`},
		{"case=truncated", good[:len(good)/2], "unexpected EOF"},
		{"case=trailing object", good + ` {}`, "data after the tenant object"},
		{"case=trailing word", good + ` junk`, "data after the tenant object"},
		{"case=trailing second tenant", good + "\n" + good, "data after the tenant object"},
		// json.Decoder.More reports false before '}' and ']', so these two
		// slip past the check in parse (see the report that came with this
		// test): a stray closing bracket is an editing mistake worth
		// refusing as loudly as any other trailing data.
		{"case=trailing closing brace", good + "\n}", "data after the tenant object"},
		{"case=trailing closing bracket", good + "]", "data after the tenant object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, tc.data, `"id"`, "the edit must keep a tenant")
			got, err := decode(t, tc.data)
			require.Error(t, err, "accepted a tenant.json ending %q", tc.data[len(tc.data)-12:])
			assert.Nil(t, got)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "tenants/acme/tenant.json", "the error names the file")
		})
	}
}

func TestDurationJSON(t *testing.T) {
	for _, d := range []time.Duration{time.Hour, 90 * time.Minute, 168 * time.Hour, 1500 * time.Millisecond, 0} {
		t.Run("case="+d.String(), func(t *testing.T) {
			b, err := json.Marshal(tenant.Duration(d))
			require.NoError(t, err)
			assert.JSONEq(t, fmt.Sprintf("%q", d.String()), string(b))
			var back tenant.Duration
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, tenant.Duration(d), back)
		})
	}

	t.Run("case=links round trip", func(t *testing.T) {
		want := full("acme").Links
		b, err := json.Marshal(want)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"inviteExpiry":"168h0m0s"`)
		var got tenant.Links
		require.NoError(t, json.Unmarshal(b, &got))
		assert.Equal(t, want, got)
	})

	for _, in := range []string{`3600`, `null`, `""`, `"1 hour"`, `"1d"`, `true`} {
		t.Run("case=rejects "+in, func(t *testing.T) {
			var d tenant.Duration
			assert.Error(t, json.Unmarshal([]byte(in), &d))
		})
	}
}

// Each problem of a tenant.json names where it is: the JSON path, with the
// nearest known name for an unknown field, or the line and column of text
// that is not JSON; a problem is reported once, not again by Validate.
func TestDecodeSaysWhere(t *testing.T) {
	good := strings.TrimSpace(string(encode(t, full("acme"))))
	edit := func(old, new string) string {
		require.Contains(t, good, old)
		return strings.Replace(good, old, new, 1)
	}
	tests := []struct {
		name, data string
		want       []string // the problems, in order, after the file name
	}{
		{"case=misspelt field", edit(`"primaryColor"`, `"primaryColour"`),
			[]string{`brand.primaryColour: unknown field; did you mean "primaryColor"?`}},
		{"case=field in the wrong case", edit(`"resetUrl"`, `"resetURL"`),
			[]string{`links.resetURL: unknown field; did you mean "resetUrl"?`}},
		{"case=misspelt object", edit(`"languages"`, `"language"`),
			[]string{`language: unknown field; did you mean "languages"?`}},
		{"case=field given twice", edit(`"mode": "fragment",`, `"mode": "fragment", "mode": "query",`),
			[]string{`links.mode: given twice`}},
		{"case=number for text", edit(`"productName": "Acme"`, `"productName": 5`),
			[]string{`brand.productName: must be text, not a number`}},
		{"case=text for a list", edit(`"supported": [
      "en",
      "de"
    ]`, `"supported": "en"`),
			[]string{`languages.supported: must be a list, not text`}},
		{"case=list for an object", edit(`"match": {`, `"match": [], "unused": {`),
			[]string{`match: must be an object, not a list`, `unused: unknown field`}},
		{"case=bad list item", edit(`"eu-west-1_AcmePool1"`, `"eu-west-1_AcmePool1", true`),
			[]string{`match.userPoolIds[1]: must be text, not true or false`}},
		{"case=decoding and validation problems, all at once",
			strings.NewReplacer(`"mode": "fragment"`, `"mode": "path", "theme": 1`, `"primaryColor"`, `"primaryColour"`).Replace(good),
			[]string{`links.theme: unknown field`, `brand.primaryColour: unknown field; did you mean "primaryColor"?`, `links.mode: must be "query" or "fragment"`}},
		{"case=trailing comma", edit(`"ACME-CORP"
    ]`, `"ACME-CORP"
    ],`), []string{fmt.Sprintf("%d:3: invalid character '}' looking for beginning of object key string", lineOf(good, `"ACME-CORP"`)+2)}},
		{"case=not an object", `["acme"]`, []string{"the file must hold a JSON object, not a list"}},
		{"case=empty file", "\n", []string{"the file is empty"}},
		{"case=data after the object", good + "\n\n  }", []string{fmt.Sprintf("%d:3: data after the tenant object", lineOf(good+"\n\n  }", "\n\n  }")+2)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decode(t, tc.data)
			require.Error(t, err)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "tenants/acme/tenant.json"), msg)
			got := problems(errors.Unwrap(err))
			require.Len(t, got, len(tc.want), "%v", err)
			for i, want := range tc.want {
				assert.True(t, strings.HasPrefix(got[i].Error(), want), "problem %d: %q should start with %q", i, got[i], want)
			}
		})
	}
}

// lineOf is the line (1-based) of the first s in text.
func lineOf(text, s string) int { return strings.Count(text[:strings.Index(text, s)], "\n") + 1 }

// A misspelt field leaves the real one empty; that is said once, as the
// misspelling.
func TestMisspeltFieldReportedOnce(t *testing.T) {
	good := string(encode(t, full("acme")))
	_, err := decode(t, strings.Replace(good, `"primaryColor"`, `"primaryColour"`, 1))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "brand.primaryColor: must be")
	_, err = decode(t, strings.Replace(good, `"1h0m0s"`, `3600`, 1))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "links.resetExpiry: must be more than 0")
}

func TestWarnings(t *testing.T) {
	for _, tc := range []struct {
		name   string
		invite time.Duration
		want   string // "" for no warning
	}{
		{"case=a week is Cognito's default", 7 * day, ""},
		{"case=three days", 72 * time.Hour, ""},
		{"case=a week and an hour", 7*day + time.Hour, "links.inviteExpiry: 169h outlives the temporary password if the pool keeps Cognito's default of 7 days; make sure the pool's TemporaryPasswordValidityDays is at least 8"},
		{"case=two weeks", 14 * day, "TemporaryPasswordValidityDays is at least 14"},
		{"case=a year", 365 * day, "at least 365"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := valid("acme")
			tn.Links.InviteExpiry = tenant.Duration(tc.invite)
			require.NoError(t, tn.Validate(), "valid: a warning, not an error")
			got := tn.Warnings()
			if tc.want == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Contains(t, got[0].Error(), tc.want)
		})
	}
}
