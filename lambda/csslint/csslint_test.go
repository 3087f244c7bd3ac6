package csslint

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/check"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// The repository's root, from this package's folder.
const root = "../.."

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

// sample is the user check.Run writes to (lambda/check keeps its own
// unexported): a sub UUID as the username and a long name.
var sample = handler.Sample{
	UserName: "d2f4a6c8-1b3e-4a5c-9e7f-0a1b2c3d4e5f",
	Name:     "Maximiliane Alexandra Konstantinopoulou-Wittgenstein",
}

// email is one rendered body and its name.
type email struct{ name, body string }

// renderAll renders every tenant × language × message exactly as
// lambda/check does: the handler Setup builds from an empty environment,
// tenants sorted by id, check.Languages, trigger.Kinds, handler.Preview.
func renderAll(t *testing.T) []email {
	t.Helper()
	h := handler.Setup(context.Background(), func(string) string { return "" }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(t, h.Validate())
	tenants, err := h.Tenants().LoadAll()
	require.NoError(t, err)
	sort.Slice(tenants, func(i, j int) bool { return tenants[i].ID < tenants[j].ID })
	var out []email
	for _, tn := range tenants {
		for _, tag := range check.Languages(tn) {
			for _, k := range trigger.Kinds {
				msg, outcome, err := h.Preview(k, tn, tag, sample)
				name := tn.ID + "/" + tag.String() + "/" + string(k)
				require.NoError(t, err, name)
				switch outcome {
				case "rendered":
					out = append(out, email{name, msg.EmailMessage})
				case "cognito-default": // Cognito writes it
				default:
					t.Errorf("%s: %s, not rendered (go run ./lambda/cmd/cogmail check)", name, outcome)
				}
			}
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
