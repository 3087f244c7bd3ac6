package csslint

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/check"
	"github.com/cogmail/cogmail/lambda/handler"
)

// The repository's root, from this package's folder.
const root = "../../.."

// caniemailData loads the caniemail package that make node-deps installs,
// skipping the test when it is not installed and failing when it is not the
// version package-lock.json pins.
func caniemailData(t *testing.T) *Data {
	t.Helper()
	local := filepath.Join(root, "infra", "local")
	path, version, err := FindData(filepath.Join(local, "node_modules"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("caniemail data not installed (infra/local/node_modules/caniemail): run make node-deps")
	}
	require.NoError(t, err)
	locked, err := LockedVersion(filepath.Join(local, "package-lock.json"), "caniemail")
	require.NoError(t, err)
	require.Equal(t, locked, version,
		"infra/local/node_modules holds caniemail %s, package-lock.json pins %s: run make node-deps", version, locked)
	data, err := LoadData(path)
	require.NoError(t, err)
	return data
}

// email is one rendered body and its name.
type email struct{ name, body string }

// renderAll renders every tenant × language × message as lambda/dev/check
// does (check.Run, from the handler Setup builds from an empty environment).
func renderAll(t *testing.T) []email {
	t.Helper()
	h := handler.Setup(context.Background(), func(string) string { return "" }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	rows, err := check.Run(h)
	require.NoError(t, err)
	var out []email
	for _, r := range rows {
		name := r.Tenant + "/" + r.Language + "/" + string(r.Kind)
		require.NoError(t, r.Err, name)
		switch r.Outcome {
		case "rendered":
			out = append(out, email{name, r.Message.EmailMessage})
		case "cognito-default": // Cognito writes it
		default:
			t.Errorf("%s: %s, not rendered (go run ./lambda/cmd/cogmail check)", name, r.Outcome)
		}
	}
	return out
}

// Every rendered email's CSS holds in Gmail, Outlook and Apple Mail, or
// templates/css-fallbacks.json says why the email is fine without it.
func TestRenderedEmailsCSS(t *testing.T) {
	data := caniemailData(t)
	fallbacks, err := LoadFallbacks(filepath.Join(root, FallbacksFile))
	require.NoError(t, err)

	emails := renderAll(t)
	require.NotEmpty(t, emails)
	var uses []Use
	for _, e := range emails {
		found := Extract(e.body)
		require.NotEmpty(t, found, "%s: no CSS found; is it still HTML?", e.name)
		for _, u := range found {
			u.Source = e.name
			uses = append(uses, u)
		}
	}
	t.Logf("caniemail %s (updated %s): %d emails, %d CSS uses, %d fallbacks declared",
		data.APIVersion, data.Updated, len(emails), len(uses), len(fallbacks))

	problems := Check(uses, data, fallbacks)
	for _, p := range problems {
		t.Errorf("%s\n", p)
	}
	if len(problems) > 0 {
		t.Logf("%d problem(s). Client IDs for %s: %s", len(problems), FallbacksFile, strings.Join(clientIDs(), ", "))
	}
}
