package e2e

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/require"

	_ "github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
)

// One stack serves every test in the package: starting it costs a second
// and building its binaries several.
var (
	once    sync.Once
	shared  *localstack.Stack
	failed  error
	scratch string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		_ = shared.Stop()
	}
	stopSenderStack()
	if scratch != "" {
		_ = os.RemoveAll(scratch)
	}
	os.Exit(code)
}

// stack starts the shared stack on first use, or skips saying what is
// missing.
func stack(t *testing.T) *localstack.Stack {
	t.Helper()
	localstack.Require(t)
	root, err := rie.ModuleRoot()
	require.NoError(t, err)
	if _, err := rie.Find(root); err != nil {
		t.Skip(err.Error())
	}
	once.Do(func() { shared, failed = start(root) })
	require.NoError(t, failed)
	return shared
}

func start(root string) (*localstack.Stack, error) {
	var err error
	if scratch, err = os.MkdirTemp("", "cogmail-e2e-"); err != nil {
		return nil, err
	}
	bins := map[string]string{"bootstrap": "./lambda/cmd/bootstrap", "page": "./lambda/dev/cmd/page"}
	// The notifier needs moto_server; without it the stack runs none and
	// the TestE2ENotify tests skip, saying so.
	notifier := ""
	if _, err := moto.Find(); err == nil {
		bins["notifier"] = "./lambda/cmd/notifier"
		notifier = filepath.Join(scratch, "notifier")
	}
	for name, pkg := range bins {
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(scratch, name), pkg)
		cmd.Dir, cmd.Env = root, append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build %s: %v\n%s", pkg, err, out)
		}
	}
	// Idle, the stack starts in a few seconds.
	ctx, cancel := context.WithTimeout(context.Background(), patience.For(10*time.Second))
	defer cancel()
	return localstack.Start(ctx, localstack.Options{
		Root: root, Bootstrap: filepath.Join(scratch, "bootstrap"), Page: filepath.Join(scratch, "page"),
		Notifier: notifier, State: filepath.Join(scratch, "state"),
	})
}

func cognito(s *localstack.Stack) *cip.Client { return localstack.NewClient(s.Cognito.Endpoint) }

// mailAfter waits for the first message to email delivered after the
// mailbox held seen messages. Idle, one comes within a second.
func mailAfter(t *testing.T, s *localstack.Stack, seen int, email string) localstack.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), patience.For(5*time.Second))
	defer cancel()
	msg, err := s.Mailbox.WaitFor(ctx, func(m localstack.Message) bool {
		return m.Seq >= seen && strings.EqualFold(m.Destination, email)
	})
	require.NoError(t, err, "no email for %s", email)
	return msg
}

func mailCount(t *testing.T, s *localstack.Stack) int {
	t.Helper()
	msgs, err := s.Mailbox.Messages()
	require.NoError(t, err)
	return len(msgs)
}

var hrefPattern = regexp.MustCompile(`href="([^"]*)"`)

// firstLink is the email's first link, as a browser reads it: the button.
func firstLink(t *testing.T, body string) string {
	t.Helper()
	m := hrefPattern.FindStringSubmatch(body)
	require.NotNil(t, m, "no link in the email")
	return html.UnescapeString(m[1])
}

// browser is a visitor of the page: it keeps cookies and never follows a
// redirect silently.
type browser struct {
	t      *testing.T
	client *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	// Idle, the page answers within a second, Cognito's calls included.
	return &browser{t: t, client: &http.Client{Jar: jar, Timeout: patience.For(5 * time.Second),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	body   string
	header http.Header
}

func (b *browser) get(rawURL string) page {
	b.t.Helper()
	res, err := b.client.Get(rawURL)
	require.NoError(b.t, err)
	return b.read(res)
}

func (b *browser) post(rawURL string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u, _ := url.Parse(rawURL)
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	res, err := b.client.Do(req)
	require.NoError(b.t, err)
	return b.read(res)
}

func (b *browser) read(res *http.Response) page {
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return page{status: res.StatusCode, body: string(data), header: res.Header}
}

var (
	hiddenPattern = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	actionPattern = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
)

// form returns the page's form: its action, resolved against base, and its
// hidden fields.
func (p page) form(t *testing.T, base string) (string, url.Values) {
	t.Helper()
	m := actionPattern.FindStringSubmatch(p.body)
	require.NotNil(t, m, "no form on the page:\n%s", p.body)
	action, err := url.Parse(html.UnescapeString(m[1]))
	require.NoError(t, err)
	b, err := url.Parse(base)
	require.NoError(t, err)
	values := url.Values{}
	for _, h := range hiddenPattern.FindAllStringSubmatch(p.body, -1) {
		values.Set(h[1], html.UnescapeString(h[2]))
	}
	return b.ResolveReference(action).String(), values
}
