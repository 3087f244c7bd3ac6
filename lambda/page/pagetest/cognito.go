// Package pagetest is what the tests of the page's two adapters
// (lambda/dev/cmd/page and lambda/cmd/pagefn) share: a Cognito stand-in that
// speaks Cognito's JSON protocol on 127.0.0.1, and a comparison of answers
// that must not tell real accounts from unknown ones.
package pagetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one call the stand-in answered.
type Call struct {
	Op, Username, ClientID string
	UserPoolID             string // AdminUserGlobalSignOut's
	Metadata               map[string]string
	Answered               time.Time
}

// Cognito answers ForgotPassword and ResendConfirmationCode as Cognito
// does for a pool without PreventUserExistenceErrors: a known user after
// Delay (Cognito runs the Custom Message trigger before it answers), an
// unknown one at once with UserNotFoundException. For a known user,
// InitiateAuth answers the NEW_PASSWORD_REQUIRED challenge of an invited
// user, whatever the password, and RespondToAuthChallenge accepts the new
// one: enough for an activation. AdminUserGlobalSignOut signs a known user
// out (a report's sign-out). ConfirmForgotPassword and ConfirmSignUp accept
// a known user's code (SetCode) and answer CodeMismatchException to any
// other, as Cognito does to a code used or superseded by a newer one. It
// answers no other operation.
type Cognito struct {
	URL   string
	Known map[string]bool // usernames that exist
	Delay time.Duration   // how long a known user's call takes
	// Hold, when set, keeps known users' calls waiting until it is closed,
	// whatever Delay says: a test can then act while a call is pending.
	Hold chan struct{}
	// Slow, when set, names the operations Delay and Hold apply to; the
	// others answer at once. Nil: all of them.
	Slow map[string]bool

	mu      sync.Mutex
	calls   []Call
	arrived int
	codes   map[string]string // username → current code
}

// SetCode makes code the known user's current code, the one
// ConfirmForgotPassword and ConfirmSignUp accept.
func (c *Cognito) SetCode(username, code string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.codes == nil {
		c.codes = map[string]string{}
	}
	c.codes[username] = code
}

// StartCognito serves the stand-in on 127.0.0.1 until the test ends.
func StartCognito(t testing.TB, delay time.Duration, known ...string) *Cognito {
	t.Helper()
	c := &Cognito{Known: map[string]bool{}, Delay: delay}
	for _, u := range known {
		c.Known[u] = true
	}
	srv := httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

func (c *Cognito) serve(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	var in struct {
		ClientID           string `json:"ClientId"`
		UserPoolID         string `json:"UserPoolId"`
		Username           string
		ClientMetadata     map[string]string
		AuthParameters     map[string]string // InitiateAuth
		ChallengeResponses map[string]string // RespondToAuthChallenge
		ConfirmationCode   string            // ConfirmForgotPassword, ConfirmSignUp
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(w, "InvalidParameterException", "unreadable request")
		return
	}
	for _, named := range []map[string]string{in.AuthParameters, in.ChallengeResponses} {
		if in.Username == "" {
			in.Username = named["USERNAME"]
		}
	}
	c.mu.Lock()
	c.arrived++
	code := c.codes[in.Username]
	c.mu.Unlock()
	known := c.Known[in.Username]
	if known && (c.Slow == nil || c.Slow[op]) {
		wait := time.After(c.Delay)
		if c.Hold != nil {
			wait = nil
		}
		select {
		case <-wait:
		case <-c.Hold:
		case <-r.Context().Done(): // the caller gave up: no answer recorded
			return
		}
	}
	c.mu.Lock()
	c.calls = append(c.calls, Call{Op: op, Username: in.Username, ClientID: in.ClientID, UserPoolID: in.UserPoolID,
		Metadata: in.ClientMetadata, Answered: time.Now()})
	c.mu.Unlock()
	answer := map[string]string{
		"ForgotPassword":         `{"CodeDeliveryDetails":{"AttributeName":"email","DeliveryMedium":"EMAIL","Destination":"j***@e***"}}`,
		"ResendConfirmationCode": `{"CodeDeliveryDetails":{"AttributeName":"email","DeliveryMedium":"EMAIL","Destination":"j***@e***"}}`,
		"InitiateAuth": fmt.Sprintf(`{"ChallengeName":"NEW_PASSWORD_REQUIRED","Session":"stand-in-session",`+
			`"ChallengeParameters":{"USER_ID_FOR_SRP":%q,"requiredAttributes":"[]","userAttributes":"{}"}}`, in.Username),
		"RespondToAuthChallenge": `{"AuthenticationResult":{"AccessToken":"stand-in","IdToken":"stand-in","RefreshToken":"stand-in","ExpiresIn":3600,"TokenType":"Bearer"}}`,
		"AdminUserGlobalSignOut": `{}`,
		"ConfirmForgotPassword":  `{}`,
		"ConfirmSignUp":          `{}`,
	}[op]
	confirms := op == "ConfirmForgotPassword" || op == "ConfirmSignUp"
	switch {
	case answer == "":
		fail(w, "InvalidParameterException", "the stand-in does not answer "+op)
	case !known && (op == "InitiateAuth" || op == "RespondToAuthChallenge"):
		fail(w, "NotAuthorizedException", "Incorrect username or password.")
	case !known:
		fail(w, "UserNotFoundException", "User does not exist.")
	case confirms && (in.ConfirmationCode == "" || in.ConfirmationCode != code):
		fail(w, "CodeMismatchException", "Invalid verification code provided, please try again.")
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = fmt.Fprint(w, answer)
	}
}

func fail(w http.ResponseWriter, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(http.StatusBadRequest)
	_, _ = fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, message)
}

// Calls returns the calls answered so far.
func (c *Cognito) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Call(nil), c.calls...)
}

// Arrived counts the calls received, answered or not.
func (c *Cognito) Arrived() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.arrived
}

// WaitCalls waits until n calls have been answered, or fails after within.
func (c *Cognito) WaitCalls(t testing.TB, n int, within time.Duration) []Call {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(10 * time.Millisecond) {
		if calls := c.Calls(); len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Cognito stand-in answered %d calls within %s, want %d", len(c.Calls()), within, n)
		}
	}
}

// UseIt points the AWS SDK of this process, and of the processes it
// starts with its environment, at the stand-in, with dummy credentials and
// none of the machine's AWS files.
func (c *Cognito) UseIt(t *testing.T) {
	t.Helper()
	absent := filepath.Join(t.TempDir(), "absent")
	for name, value := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "eu-west-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": absent, "AWS_SHARED_CREDENTIALS_FILE": absent,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": c.URL,
	} {
		t.Setenv(name, value)
	}
}
