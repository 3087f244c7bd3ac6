// Package trigger names the messages Cognito asks for and which trigger
// source asks for each.
package trigger

// Kind is one message cogmail writes. Its name prefixes the message's keys in
// the catalogs and names its template file.
type Kind string

const (
	Reset  Kind = "reset"  // CustomMessage_ForgotPassword
	Invite Kind = "invite" // CustomMessage_AdminCreateUser
	SignUp Kind = "signup" // CustomMessage_SignUp
	Resend Kind = "resend" // CustomMessage_ResendCode
	Update Kind = "update" // CustomMessage_UpdateUserAttribute
	Verify Kind = "verify" // CustomMessage_VerifyUserAttribute
	MFA    Kind = "mfa"    // CustomMessage_Authentication
)

// Kinds lists every kind, in a stable order for tables and tests.
var Kinds = []Kind{Reset, Invite, SignUp, Resend, Update, Verify, MFA}

var sources = map[string]Kind{
	"CustomMessage_ForgotPassword":      Reset,
	"CustomMessage_AdminCreateUser":     Invite,
	"CustomMessage_SignUp":              SignUp,
	"CustomMessage_ResendCode":          Resend,
	"CustomMessage_UpdateUserAttribute": Update,
	"CustomMessage_VerifyUserAttribute": Verify,
	"CustomMessage_Authentication":      MFA,
}

// Of returns the kind a trigger source asks for.
func Of(triggerSource string) (Kind, bool) {
	k, ok := sources[triggerSource]
	return k, ok
}

// Source returns the trigger source that asks for k.
func (k Kind) Source() string {
	for s, kind := range sources {
		if kind == k {
			return s
		}
	}
	return ""
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	_, ok := kindSet[k]
	return ok
}

var kindSet = func() map[Kind]bool {
	m := make(map[Kind]bool, len(Kinds))
	for _, k := range Kinds {
		m[k] = true
	}
	return m
}()

// NeedsUsername reports whether Cognito requires the username placeholder
// in this kind's message as well as the code's.
func (k Kind) NeedsUsername() bool { return k == Invite }

// ProvenDestination reports whether Cognito sends k's message only to an
// address or number someone has proven: a verified one (ForgotPassword:
// Cognito sends reset codes to a verified email or phone only, else it
// refuses) or one an administrator set (AdminCreateUser). Every other
// message may reach an address nobody has proven: anyone can sign up, ask
// for a new code or change an attribute with someone else's address, and
// sign-in codes (Authentication) can go to an account that a pre sign-up
// trigger confirmed without verifying its address. Text a user writes about
// themselves (their name) appears only in messages to proven destinations,
// so that nobody can write into a stranger's inbox.
func (k Kind) ProvenDestination() bool { return k == Reset || k == Invite }
