package localstack

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/cogmail/cogmail/lambda/link"
)

// InfoFile is the name of the file in the state folder that describes a
// running stack: the end-to-end tests and the README walkthrough read it.
const InfoFile = "stack.json"

// Info describes a running stack; it is what stack.json holds.
type Info struct {
	StartedAt time.Time `json:"startedAt"`
	// State is the state folder, absolute.
	State  string `json:"state"`
	Region string `json:"region"`
	// Mode is how cognito-local hands over its emails: to the function as
	// its Custom Message trigger, or to the sender as its Custom Email
	// Sender trigger.
	Mode Mode `json:"mode"`

	Cognito Cognito `json:"cognito"`
	// Emulator runs the function, the Custom Message trigger; its URL is
	// empty in the Custom Email Sender mode, which runs none.
	Emulator Emulator `json:"emulator"`
	// Lambda is the local Lambda Invoke API (package lambdaapi) that
	// cognito-local and the notifier call: it routes "function",
	// "notifier" and "sender" to their emulators.
	Lambda LambdaAPI `json:"lambda"`
	// Moto is moto_server: SES v2, DynamoDB and SQS for the notifier and
	// the sender, KMS for the sender. Its Endpoint is empty when the stack
	// runs neither.
	Moto Moto `json:"moto"`
	// Notifier is the notifier function, Cognito's Post confirmation
	// trigger here; Running is false when Start was given none.
	Notifier Notifier `json:"notifier"`
	// Sender is the Custom Email Sender function; Running is true in
	// ModeCustomEmailSender only.
	Sender Sender `json:"sender"`
	Page   Page   `json:"page"`
	// Links are the page URLs the overlay's tenants link to.
	Links Links `json:"links"`
	// Overlay is the COGMAIL_TEMPLATES_DIR the function and the page read.
	Overlay string `json:"overlay"`
	// Mailbox is the file cognito-local appends each message to.
	Mailbox Mailbox `json:"mailbox"`

	UserPoolID string  `json:"userPoolId"`
	Clients    Clients `json:"clients"`
	Users      []User  `json:"users"`

	// SigningKeys is the keyring JSON the function and the page server are
	// given (COGMAIL_SIGNING_KEYS): fresh and random for each start, since
	// under the emulator the function counts as inside Lambda and refuses
	// the public development keyring. Keyring parses it, to verify links.
	SigningKeys string `json:"signingKeys"`

	// Processes are recorded for a detached stack only, for StopDetached.
	Processes []Process `json:"processes,omitempty"`
	// Logs is the folder holding a detached stack's process output.
	Logs string `json:"logs,omitempty"`
}

// Cognito is cognito-local's API.
type Cognito struct {
	Endpoint string `json:"endpoint"`
	Port     int    `json:"port"`
}

// Emulator is the Lambda Runtime Interface Emulator running the function.
type Emulator struct {
	// URL is the invocation endpoint.
	URL        string `json:"url"`
	RuntimeAPI string `json:"runtimeApi"`
}

// LambdaAPI is the local Lambda Invoke API.
type LambdaAPI struct {
	// Endpoint is what AWS_ENDPOINT_URL_LAMBDA would be set to.
	Endpoint string `json:"endpoint"`
	Port     int    `json:"port"`
}

// Moto is moto_server.
type Moto struct {
	Endpoint string `json:"endpoint,omitempty"`
	Port     int    `json:"port,omitempty"`
}

// Notifier is the notifier function under its own emulator, and what the
// stack made for it in moto_server.
type Notifier struct {
	Running bool `json:"running"`
	// URL is its emulator's invocation endpoint; the stack's components call
	// it through the Lambda API, as "notifier".
	URL        string `json:"url,omitempty"`
	RuntimeAPI string `json:"runtimeApi,omitempty"`
	// Log is the file that receives its emulator's output, the function's
	// log lines included.
	Log string `json:"log,omitempty"`
	// Table is the idempotency table (COGMAIL_NOTIFY_TABLE).
	Table string `json:"table,omitempty"`
	// DLQ is the URL of its dead-letter queue in moto_server's SQS.
	DLQ string `json:"dlq,omitempty"`
	// Domains are the SES identities created: the overlay tenants' sender
	// domains.
	Domains []string `json:"domains,omitempty"`
}

// Page is the page server the emails link to.
type Page struct {
	URL  string `json:"url"`
	Port int    `json:"port"`
	// Running is false when Start was given no page server: the links then
	// lead nowhere.
	Running bool `json:"running"`
}

// Clients are the pool's two app clients.
type Clients struct {
	// Public has no secret; the page server uses it.
	Public Client `json:"public"`
	// Secret was created with GenerateSecret. cognito-local 5.3.0 does not
	// check SECRET_HASH, so it behaves like Public there.
	Secret Client `json:"secret"`
}

// Client is one app client.
type Client struct {
	Name   string `json:"name"`
	ID     string `json:"clientId"`
	Secret string `json:"clientSecret,omitempty"`
}

// User is a seeded user with a permanent password.
type User struct {
	Email string `json:"email"`
	// Username is the pool's username: in a pool signing in by email,
	// cognito-local (like Cognito) makes it the sub, a UUID.
	Username  string `json:"username"`
	Password  string `json:"password"`
	GivenName string `json:"givenName"`
	Locale    string `json:"locale"`
	Tenant    string `json:"tenant"`
}

// Process is one detached process, the leader of its own session.
type Process struct {
	Name string `json:"name"`
	PID  int    `json:"pid"`
	// Start is its start time in clock ticks after boot, from /proc, so
	// that a pid reused since is not killed; 0 where there is no /proc.
	Start uint64 `json:"start,omitempty"`
}

// Keyring is the stack's signing keyring, parsed from SigningKeys.
func (i *Info) Keyring() (*link.Keyring, error) {
	return link.ParseKeyring([]byte(i.SigningKeys))
}

// User returns the seeded user with that email address.
func (i *Info) User(email string) (User, bool) {
	for _, u := range i.Users {
		if u.Email == email {
			return u, true
		}
	}
	return User{}, false
}

// Addrs are the addresses the stack listens on.
func (i *Info) Addrs() []string {
	addrs := []string{loopback(i.Cognito.Port)}
	if u, err := url.Parse(i.Emulator.URL); err == nil && u.Host != "" {
		addrs = append(addrs, u.Host)
	}
	if i.Emulator.RuntimeAPI != "" {
		addrs = append(addrs, i.Emulator.RuntimeAPI)
	}
	if i.Lambda.Port != 0 {
		addrs = append(addrs, loopback(i.Lambda.Port))
	}
	if i.Moto.Port != 0 {
		addrs = append(addrs, loopback(i.Moto.Port))
	}
	for _, f := range []struct{ url, runtimeAPI string }{
		{i.Notifier.URL, i.Notifier.RuntimeAPI}, {i.Sender.URL, i.Sender.RuntimeAPI},
	} {
		if u, err := url.Parse(f.url); err == nil && u.Host != "" {
			addrs = append(addrs, u.Host)
		}
		if f.runtimeAPI != "" {
			addrs = append(addrs, f.runtimeAPI)
		}
	}
	if i.Page.Running {
		addrs = append(addrs, loopback(i.Page.Port))
	}
	return addrs
}

// ReadInfo reads stack.json from a state folder; an error wrapping
// fs.ErrNotExist means no stack was started there.
func ReadInfo(state string) (*Info, error) {
	data, err := os.ReadFile(filepath.Join(state, InfoFile))
	if err != nil {
		return nil, err
	}
	var info Info
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(state, InfoFile), err)
	}
	return &info, nil
}

// writeInfo replaces stack.json whole, so that a reader never sees half.
func writeInfo(info *Info) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(info.State, InfoFile)
	if err := os.WriteFile(path+".tmp", append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}
