package localstack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/tenant"
)

// startEmulator runs the function under the emulator. Attached, through
// package rie; detached, directly, since rie pipes the emulator's output
// into this process, and the emulator dies of SIGPIPE once it is gone.
func (s *Stack) startEmulator(ctx context.Context, o Options, ports []int) error {
	env := rie.WithLambdaDefaults(append(baseEnv(),
		keys.EnvSigningKeys+"="+s.SigningKeys,
		"COGMAIL_TEMPLATES_DIR="+s.Overlay))
	if !o.Detach {
		e, err := rie.Start(ctx, rie.Options{Emulator: o.Emulator, Bootstrap: o.Bootstrap, Env: env, Stderr: &output{prefix: "lambda | ", out: o.Output}})
		if err != nil {
			return err
		}
		s.emus = append(s.emus, e)
		s.Emulator = Emulator{URL: e.URL, RuntimeAPI: e.RuntimeAPI}
		return nil
	}
	api, runtime := loopback(ports[0]), loopback(ports[1])
	p, err := startProc("lambda", []string{o.Emulator,
		"--runtime-interface-emulator-address", api, "--runtime-api-address", runtime, o.Bootstrap},
		filepath.Dir(o.Bootstrap), env, nil, filepath.Join(s.Logs, "lambda.log"))
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	s.Emulator = Emulator{URL: "http://" + api + "/2015-03-31/functions/function/invocations", RuntimeAPI: runtime}
	return p.awaitListening(ctx, api, patience.For(time.Second))
}

// startCognito writes cognito-local's configuration and starts it in
// <state>/cognito, where it also keeps its database.
func (s *Stack) startCognito(ctx context.Context, o Options) error {
	dir := filepath.Join(s.State, "cognito")
	if err := os.MkdirAll(filepath.Join(dir, ".cognito"), 0o755); err != nil {
		return err
	}
	// cognito-local calls its triggers through the local Lambda API, which
	// starts after the seed: nothing calls a trigger before then.
	triggers := map[string]string{}
	config := map[string]any{
		"LambdaClient": map[string]any{
			"endpoint":    s.Lambda.Endpoint,
			"region":      Region,
			"credentials": map[string]string{"accessKeyId": AccessKeyID, "secretAccessKey": SecretAccessKey},
		},
		"TriggerFunctions": triggers,
		"ServerConfig":     map[string]any{"hostname": "127.0.0.1", "port": s.Cognito.Port},
	}
	if o.Mode == ModeCustomEmailSender {
		// No CustomMessage beside it: with a sender, cognito-local (like
		// Cognito, for email) would not call it anyway.
		triggers["CustomEmailSender"] = SenderName
		config["KMSConfig"] = s.kmsConfig()
	} else {
		triggers["CustomMessage"] = "function"
	}
	if o.Notifier != "" {
		triggers["PostConfirmation"] = NotifierName
	}
	data, err := json.MarshalIndent(config, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ".cognito", "config.json"), data, 0o644); err != nil {
		return err
	}
	env := append(baseEnv(),
		"HOST=127.0.0.1", "PORT="+strconv.Itoa(s.Cognito.Port),
		"COGMAIL_MAILBOX="+string(s.Mailbox),
		// The AWS SDK v2 for JavaScript inside cognito-local otherwise
		// prints a five-line end-of-support notice on every start.
		"AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1")
	p, err := startProc("cognito", []string{o.Node, filepath.Join(o.Root, startScript)}, dir, env, o.Output, s.logFile("cognito.log"))
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	if err := p.awaitListening(ctx, loopback(s.Cognito.Port), patience.For(2*time.Second)); err != nil {
		return err
	}
	return awaitHealth(ctx, s.Cognito.Endpoint+"/health")
}

// pageConfig is COGMAIL_PAGE_CONFIG: the tenants the page server serves.
type pageConfig struct {
	Tenants map[string]pageTenant `json:"tenants"`
}

type pageTenant struct {
	UserPoolID   string `json:"userPoolId"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret,omitempty"`
	SignInURL    string `json:"signInUrl"`
}

func (s *Stack) startPage(ctx context.Context, o Options) error {
	// Each tenant's sign-in button leads to the local sign-in page in its
	// own brand.
	// Every tenant the overlay holds, so one an operator adds has a page too.
	ids, err := tenant.NewStore(os.DirFS(s.Overlay)).IDs()
	if err != nil {
		return err
	}
	tenants := map[string]pageTenant{}
	for _, id := range ids {
		tenants[id] = pageTenant{UserPoolID: s.UserPoolID, ClientID: s.Clients.Public.ID,
			SignInURL: s.Links.SignIn + "?tenant=" + url.QueryEscape(id)}
	}
	config, err := json.Marshal(pageConfig{Tenants: tenants})
	if err != nil {
		return err
	}
	env := append(baseEnv(),
		"COGMAIL_PAGE_ADDR="+loopback(s.Page.Port),
		"COGMAIL_PAGE_CONFIG="+string(config),
		keys.EnvSigningKeys+"="+s.SigningKeys,
		"COGMAIL_TEMPLATES_DIR="+s.Overlay,
		"AWS_REGION="+Region,
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+s.Cognito.Endpoint,
		"AWS_ACCESS_KEY_ID="+AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+SecretAccessKey)
	p, err := startProc("page", []string{o.Page}, o.Root, env, o.Output, s.logFile("page.log"))
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	if err := p.awaitListening(ctx, loopback(s.Page.Port), patience.For(time.Second)); err != nil {
		return err
	}
	s.Page.Running = true
	return nil
}

// awaitHealth waits for cognito-local's /health to answer 200: the port
// alone could be another program's that took it first.
func awaitHealth(ctx context.Context, url string) error {
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}, Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cognito-local's %s did not answer: %w", url, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
