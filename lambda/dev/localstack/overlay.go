package localstack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/cogmail/cogmail/lambda/internal/pageurl"
	"github.com/cogmail/cogmail/lambda/tenant"
	"github.com/cogmail/cogmail/templates"
)

// Links are the page server's addresses the local emails lead to, and its
// sign-in page, where the pages' "Sign in" buttons lead.
type Links struct {
	Reset    string `json:"reset"`
	Activate string `json:"activate"`
	Confirm  string `json:"confirm"`
	// Report is where the notices' "This wasn't me" button leads.
	Report string `json:"report"`
	SignIn string `json:"signIn"`
}

func pageLinks(base string) Links {
	return Links{Reset: base + "/reset", Activate: base + "/activate", Confirm: base + "/confirm",
		Report: base + "/report", SignIn: base + signInPath}
}

// LocalDomainSuffix turns a tenant's sender domain reserved for examples
// (example.com, acme-rockets.example: nobody's) into a local one in the
// overlay: example.com.internal. The notifier refuses example domains inside
// Lambda, as SES would; .internal is reserved for private use, and the stack
// verifies each such domain in moto's SES, as a deployment verifies a
// tenant's domain in SES.
const LocalDomainSuffix = ".internal"

// fallbackSender is the default tenant's when it has none.
var fallbackSender = map[string]any{
	"fromName":    "cogmail (local)",
	"fromAddress": "no-reply@cogmail" + LocalDomainSuffix,
	"domains":     []any{"cogmail" + LocalDomainSuffix},
}

// writeOverlay copies every embedded tenant into dir/tenants/<id>/ with its
// links pointing at the local page server and its sender on local domains
// (LocalDomainSuffix), for the function and the notifier to read through
// COGMAIL_TEMPLATES_DIR. A tenant without a verifyUrl keeps none: adding one
// would need a verifyExpiry the tenant never chose. The default tenant gets
// a reportUrl and a sender either way, so that its notices go out and their
// "This wasn't me" button works.
func writeOverlay(dir string, links Links) error {
	tenants, err := fs.Sub(templates.FS, "tenants")
	if err != nil {
		return err
	}
	return fs.WalkDir(tenants, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, "tenants", filepath.FromSlash(name))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(tenants, name)
		if err != nil {
			return err
		}
		if path.Base(name) == "tenant.json" && path.Dir(path.Dir(name)) == "." {
			if data, err = rewriteLinks(data, links, path.Dir(name) == tenant.DefaultID); err != nil {
				return fmt.Errorf("tenants/%s: %w", name, err)
			}
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// rewriteLinks replaces the link bases and the sender's example domains in
// one tenant.json, drops its match section and keeps every other field as
// it was (numbers included, hence UseNumber); for the default tenant it
// also sets the report link and a sender if it has none.
func rewriteLinks(data []byte, links Links, isDefault bool) ([]byte, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	l, ok := doc["links"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no links object")
	}
	for key, url := range map[string]string{"resetUrl": links.Reset, "inviteUrl": links.Activate, "verifyUrl": links.Confirm, "reportUrl": links.Report} {
		if _, present := l[key]; present {
			l[key] = url
		}
	}
	if isDefault {
		l["reportUrl"] = links.Report
		if _, ok := doc["sender"]; !ok {
			doc["sender"] = fallbackSender
		}
	}
	if sender, ok := doc["sender"].(map[string]any); ok {
		localizeSender(sender)
	}
	// The embedded tenants match real pools and clients, which do not exist
	// here, and a tenant that lists pools refuses other pools' users: the
	// local pool routes by the seeded users' tenant attribute alone.
	delete(doc, "match")
	out, err := json.MarshalIndent(doc, "", "  ")
	return append(out, '\n'), err
}

// localizeSender moves a sender's example domains, and its addresses at
// them, to local ones: d becomes d + LocalDomainSuffix.
func localizeSender(sender map[string]any) {
	if domains, ok := sender["domains"].([]any); ok {
		for i, d := range domains {
			if name, ok := d.(string); ok && pageurl.ExampleDomain(name) {
				domains[i] = name + LocalDomainSuffix
			}
		}
	}
	for _, key := range []string{"fromAddress", "replyTo"} {
		address, ok := sender[key].(string)
		at := strings.LastIndexByte(address, '@')
		if ok && at > 0 && pageurl.ExampleDomain(address[at+1:]) {
			sender[key] = address + LocalDomainSuffix
		}
	}
}
