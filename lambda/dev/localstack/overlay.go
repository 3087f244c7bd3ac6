package localstack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/cogmail/cogmail/templates"
)

// Links are the page server's addresses the local emails lead to, and its
// sign-in page, where the pages' "Sign in" buttons lead.
type Links struct {
	Reset    string `json:"reset"`
	Activate string `json:"activate"`
	Confirm  string `json:"confirm"`
	SignIn   string `json:"signIn"`
}

func pageLinks(base string) Links {
	return Links{Reset: base + "/reset", Activate: base + "/activate", Confirm: base + "/confirm", SignIn: base + signInPath}
}

// writeOverlay copies every embedded tenant into dir/tenants/<id>/ with its
// links pointing at the local page server, for the function to read through
// COGMAIL_TEMPLATES_DIR. A tenant without a verifyUrl keeps none: adding one
// would need a verifyExpiry the tenant never chose.
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
			if data, err = rewriteLinks(data, links); err != nil {
				return fmt.Errorf("tenants/%s: %w", name, err)
			}
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// rewriteLinks replaces the link bases in one tenant.json, drops its match
// section and keeps every other field as it was (numbers included, hence
// UseNumber).
func rewriteLinks(data []byte, links Links) ([]byte, error) {
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
	for key, url := range map[string]string{"resetUrl": links.Reset, "inviteUrl": links.Activate, "verifyUrl": links.Confirm} {
		if _, present := l[key]; present {
			l[key] = url
		}
	}
	// The embedded tenants match real pools and clients, which do not exist
	// here, and a tenant that lists pools refuses other pools' users: the
	// local pool routes by the seeded users' tenant attribute alone.
	delete(doc, "match")
	out, err := json.MarshalIndent(doc, "", "  ")
	return append(out, '\n'), err
}
