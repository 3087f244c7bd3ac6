// Package trigger names the messages cogmail writes: the Custom Message
// kinds Cognito asks for, with the trigger source that asks for each (and
// the Custom Email Sender source that hands the same message over whole),
// and the notices cogmail sends itself.
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

// Kinds lists every Custom Message kind, in a stable order for tables and
// tests.
var Kinds = []Kind{Reset, Invite, SignUp, Resend, Update, Verify, MFA}

// Notices are the messages the notifier sends itself, through SES, after
// the fact: Cognito neither asks for them nor sees them.
const (
	Recovered  Kind = "recovered"  // PostConfirmation_ConfirmForgotPassword: reset with an emailed code
	Changed    Kind = "changed"    // ChangePassword (CloudTrail via EventBridge)
	AdminSet   Kind = "adminset"   // AdminSetUserPassword (CloudTrail via EventBridge)
	AdminReset Kind = "adminreset" // AdminResetUserPassword (CloudTrail): a new password is required, a reset email follows
	Welcome    Kind = "welcome"    // PostConfirmation_ConfirmSignUp: opt-in per tenant, off by default
	// Takeover is Threat Protection's notice of an unusual sign-in
	// (CustomEmailSender_AccountTakeOverNotification): the Custom Email
	// Sender function sends it, in custom-email-sender mode only.
	Takeover Kind = "takeover"
)

// Notices lists every notice kind, in a stable order for tables and tests.
var Notices = []Kind{Recovered, Changed, AdminSet, AdminReset, Welcome, Takeover}

var noticeSources = map[string]Kind{
	"PostConfirmation_ConfirmForgotPassword": Recovered,
	"PostConfirmation_ConfirmSignUp":         Welcome,
}

// NoticeOf returns the notice a Post confirmation trigger source asks for.
// The other notices come from CloudTrail, which names no trigger source.
func NoticeOf(triggerSource string) (Kind, bool) {
	k, ok := noticeSources[triggerSource]
	return k, ok
}

// Notice reports whether k is a notice kind.
func (k Kind) Notice() bool {
	switch k {
	case Recovered, Changed, AdminSet, AdminReset, Welcome, Takeover:
		return true
	}
	return false
}

// Reportable reports whether the notice offers a signed "This wasn't me"
// link: it tells of a password that changed, or of a sign-in that may not
// have been the reader's. An administrator's reset changed none (a reset
// email follows), and a welcome tells of none.
func (k Kind) Reportable() bool {
	return k == Recovered || k == Changed || k == AdminSet || k == Takeover
}

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

// senderSources are the Custom Email Sender trigger's sources: the same
// messages as the Custom Message trigger's, which the function sends
// itself, and Threat Protection's takeover notice.
var senderSources = map[string]Kind{
	"CustomEmailSender_ForgotPassword":              Reset,
	"CustomEmailSender_AdminCreateUser":             Invite,
	"CustomEmailSender_SignUp":                      SignUp,
	"CustomEmailSender_ResendCode":                  Resend,
	"CustomEmailSender_UpdateUserAttribute":         Update,
	"CustomEmailSender_VerifyUserAttribute":         Verify,
	"CustomEmailSender_Authentication":              MFA,
	"CustomEmailSender_AccountTakeOverNotification": Takeover,
}

// SenderOf returns the kind a Custom Email Sender trigger source asks for.
func SenderOf(triggerSource string) (Kind, bool) {
	k, ok := senderSources[triggerSource]
	return k, ok
}

// Source returns the Custom Message trigger source that asks for k; "" for
// a notice.
func (k Kind) Source() string {
	for s, kind := range sources {
		if kind == k {
			return s
		}
	}
	return ""
}

// Valid reports whether k is a Custom Message kind (not a notice).
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
//
// Notices are proven too: the notifier sends them only to an address whose
// email_verified is "true", and never to one an event names; the Custom
// Email Sender function holds its takeover notice to the same rule.
func (k Kind) ProvenDestination() bool { return k == Reset || k == Invite || k.Notice() }
