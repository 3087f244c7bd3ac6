package tenant_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/lambda/trigger"
)

const day = 24 * time.Hour

// valid is a tenant that passes Validate with only the required fields set.
// Tenants are handled by pointer: they hold a sync.Once.
func valid(id string) *tenant.Tenant {
	return &tenant.Tenant{
		ID:          id,
		DisplayName: "Acme",
		Links: tenant.Links{
			ResetURL:     "https://app.acme.example/reset",
			InviteURL:    "https://app.acme.example/activate?app=web",
			Mode:         link.ModeFragment,
			ResetExpiry:  tenant.Duration(time.Hour),
			InviteExpiry: tenant.Duration(7 * day),
		},
		Brand: tenant.Brand{
			ProductName:     "Acme",
			PrimaryColor:    "#1a56db",
			ButtonTextColor: "#ffffff",
		},
		Languages: tenant.Languages{Default: "en", Supported: []string{"en", "de"}},
	}
}

// full is valid with every optional field set too.
func full(id string) *tenant.Tenant {
	tn := valid(id)
	tn.Match = tenant.Match{
		UserPoolIDs:           []string{"eu-west-1_AcmePool1"},
		AppClientIDs:          []string{"acmeclient0123456789"},
		TenantAttributeValues: []string{"ACME-CORP"},
	}
	tn.Links.VerifyURL = "https://app.acme.example/confirm"
	tn.Links.VerifyExpiry = tenant.Duration(day)
	tn.Links.ForgotPasswordURL = "https://app.acme.example/#/forgot-password"
	tn.Brand.LogoURL = "https://cdn.acme.example/logo.png"
	tn.Brand.LogoDarkURL = "https://cdn.acme.example/logo-dark.png"
	tn.Brand.SupportEmail = "support@acme.example"
	tn.Brand.FooterLines = []string{"Acme Inc., 1 Main Street", "You get this email because you have an Acme account."}
	tn.CognitoDefault = []trigger.Kind{trigger.MFA}
	tn.Links.ReportURL = "https://app.acme.example/report"
	tn.Links.ReportExpiry = tenant.Duration(3 * day)
	tn.Sender = &tenant.Sender{
		FromName: "Acme Security", FromAddress: "security@mail.acme.example", ReplyTo: "support@acme.example",
		ConfigurationSet: "acme-notices", Domains: []string{"acme.example"},
	}
	tn.Notifications = tenant.Notifications{
		Kinds:           []trigger.Kind{trigger.Recovered, trigger.Changed, trigger.Welcome},
		SignOutOnReport: true,
	}
	return tn
}

// encode writes tn as a tenant.json.
func encode(t testing.TB, tn *tenant.Tenant) []byte {
	t.Helper()
	b, err := json.MarshalIndent(tn, "", "  ")
	require.NoError(t, err)
	return b
}

// tree is a layer holding tenants/<id>/tenant.json for each tenant.
func tree(t testing.TB, tenants ...*tenant.Tenant) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, tn := range tenants {
		m["tenants/"+tn.ID+"/tenant.json"] = &fstest.MapFile{Data: encode(t, tn)}
	}
	return m
}

// problems splits a joined error into its parts.
func problems(err error) []error {
	if err == nil {
		return nil
	}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		return joined.Unwrap()
	}
	return []error{err}
}

// spyFS records every name opened in it.
type spyFS struct {
	fs.FS
	mu     sync.Mutex
	opened []string
}

func (s *spyFS) Open(name string) (fs.File, error) {
	s.mu.Lock()
	s.opened = append(s.opened, name)
	s.mu.Unlock()
	return s.FS.Open(name)
}

func (s *spyFS) Opened() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.opened...)
}
