package page_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
)

// requiring is Cognito's NEW_PASSWORD_REQUIRED challenge for a pool that
// requires attributes the invitation did not set.
func requiring(names string) *cip.InitiateAuthOutput {
	return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: new("session-1"),
		ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": testUser, "requiredAttributes": names,
			"userAttributes": `{"email":"` + testEmail + `"}`}}
}

// activateForm opens an invitation link and fills in the passwords.
func (e *env) activateForm(locale string) url.Values {
	e.t.Helper()
	res := e.get(e.link(linkOpts{purpose: link.PurposeInvite, locale: locale}))
	require.Equal(e.t, http.StatusOK, res.status, res.body)
	form := hidden(res.body)
	form.Set("temporary", testTemp)
	form.Set("password", testPassword)
	form.Set("repeat", testPassword)
	return form
}

// The round trip: the first submit learns from Cognito what the pool
// requires and asks for it; the second passes it on.
func TestActivateAsksForRequiredAttributes(t *testing.T) {
	e := newEnv(t, nil)
	e.cognito.initOut = requiring(`["userAttributes.birthdate","userAttributes.name","userAttributes.custom:department"]`)

	asked := e.post("/activate", e.activateForm("en"))
	assert.Equal(t, http.StatusBadRequest, asked.status)
	assert.Contains(t, asked.body, "Your account needs a few more details.")
	assert.Equal(t, []string{"InitiateAuth"}, e.cognito.Calls(), "nothing is answered before the details are there")
	for _, want := range []string{
		`<label for="userAttributes.birthdate">Date of birth</label>`,
		`name="userAttributes.birthdate" type="date" value="" autocomplete="bday" required maxlength="2048" dir="ltr"`,
		`<label for="userAttributes.name">Full name</label>`,
		`name="userAttributes.name" type="text" value="" autocomplete="name" required maxlength="2048">`,
		`<label for="userAttributes.custom:department">Additional detail: department</label>`,
		`name="temporary"`, `name="password"`,
	} {
		assert.Contains(t, asked.body, want)
	}
	assert.Less(t, strings.Index(asked.body, "userAttributes.birthdate"), strings.Index(asked.body, "userAttributes.name"), "Cognito's order")
	assert.NotContains(t, asked.body, testTemp, "the passwords are typed again, never echoed")
	assert.NotContains(t, asked.body, testPassword)

	form := hidden(asked.body)
	form.Set("temporary", testTemp)
	form.Set("password", testPassword)
	form.Set("repeat", testPassword)
	form.Set("userAttributes.birthdate", "1990-04-01")
	form.Set("userAttributes.name", " Jane Doe ")
	form.Set("userAttributes.custom:department", "Rockets")
	form.Set("userAttributes.custom:tenant_id", "acme") // not asked for: never passed on
	done := e.post("/activate", form)
	require.Equal(t, http.StatusOK, done.status, done.body)
	assert.Contains(t, done.body, "Your account is active")
	require.Len(t, e.cognito.respond, 1)
	assert.Equal(t, map[string]string{
		"USERNAME": testUser, "NEW_PASSWORD": testPassword, "SECRET_HASH": secretHash(testUser, "client-default", testSecret),
		"userAttributes.birthdate": "1990-04-01", "userAttributes.name": "Jane Doe", "userAttributes.custom:department": "Rockets",
	}, e.cognito.respond[0].ChallengeResponses)
}

func TestActivateAttributeCases(t *testing.T) {
	tests := []struct {
		name, locale, required string
		fields                 map[string]string // attribute fields posted with the passwords
		repeat                 string            // "": the password
		errs                   map[string]error
		status                 int
		want                   []string
	}{
		{"case=labels-in-german", "de", `["userAttributes.given_name","userAttributes.family_name","userAttributes.phone_number"]`, nil, "", nil,
			http.StatusBadRequest, []string{"Für Ihr Konto fehlen noch einige Angaben.", ">Vorname</label>", ">Nachname</label>",
				">Telefonnummer, beginnend mit &#43; und der Ländervorwahl</label>", `type="tel"`}},
		{"case=typed-values-kept-on-mismatch", "en", `["userAttributes.name"]`, map[string]string{"userAttributes.name": "Jane <Doe>"},
			testPassword + "x", nil, http.StatusBadRequest, []string{"The two passwords do not match.", `value="Jane &lt;Doe&gt;"`}},
		{"case=one-missing-is-asked-again", "en", `["userAttributes.name","userAttributes.nickname"]`,
			map[string]string{"userAttributes.name": "Jane"}, "", nil, http.StatusBadRequest,
			[]string{"Your account needs a few more details.", `value="Jane"`, ">Nickname</label>"}},
		{"case=cognito-refuses-a-value", "en", `["userAttributes.phone_number"]`, map[string]string{"userAttributes.phone_number": "0301234"},
			"", map[string]error{"RespondToAuthChallenge": &types.InvalidParameterException{}}, http.StatusBadRequest,
			[]string{"Check the details you entered", `value="0301234"`}},
		{"case=too-long", "en", `["userAttributes.name"]`, map[string]string{"userAttributes.name": strings.Repeat("a", 2049)},
			"", nil, http.StatusBadRequest, []string{"Check the details you entered"}},
		{"case=unreadable-challenge", "en", `not json`, nil, "", nil, http.StatusBadGateway, []string{"Something went wrong"}},
		{"case=none-required", "en", `[]`, map[string]string{"userAttributes.name": "Jane"}, "", nil, http.StatusOK,
			[]string{"Your account is active"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.cognito.initOut = requiring(tt.required)
			for k, v := range tt.errs {
				e.cognito.errs[k] = v
			}
			form := e.activateForm(tt.locale)
			for k, v := range tt.fields {
				form.Set(k, v)
			}
			if tt.repeat != "" {
				form.Set("repeat", tt.repeat)
			}
			res := e.post("/activate", form)
			assert.Equal(t, tt.status, res.status)
			for _, w := range tt.want {
				assert.Contains(t, res.body, w)
			}
			if tt.name == "case=none-required" {
				require.Len(t, e.cognito.respond, 1)
				assert.NotContains(t, e.cognito.respond[0].ChallengeResponses, "userAttributes.name", "only what Cognito asks for")
			}
		})
	}
}
