package localstack

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/patience"
	"github.com/cogmail/cogmail/lambda/dev/rie"
	"github.com/cogmail/cogmail/lambda/keys"
)

// NotifierName is the notifier's function name: cognito-local's Post
// confirmation trigger, and the name it invokes itself by.
const NotifierName = "notifier"

// notifierEnv is the notifier's environment as the deployment gives it, with
// every AWS endpoint local: moto_server for SES and DynamoDB, cognito-local
// for AdminGetUser, the Lambda API for its asynchronous self-invoke.
func (s *Stack) notifierEnv() []string {
	return rie.WithLambdaDefaults(append(baseEnv(),
		"AWS_LAMBDA_FUNCTION_NAME="+NotifierName,
		"AWS_REGION="+Region,
		"AWS_ACCESS_KEY_ID="+AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+SecretAccessKey,
		"AWS_ENDPOINT_URL_SESV2="+s.Moto.Endpoint,
		"AWS_ENDPOINT_URL_DYNAMODB="+s.Moto.Endpoint,
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+s.Cognito.Endpoint,
		"AWS_ENDPOINT_URL_LAMBDA="+s.Lambda.Endpoint,
		"COGMAIL_NOTIFY_TABLE="+s.Notifier.Table,
		"COGMAIL_NOTIFY_POOLS="+s.UserPoolID,
		"COGMAIL_PAGE_URL="+s.Page.URL,
		"COGMAIL_TEMPLATES_DIR="+s.Overlay,
		keys.EnvSigningKeys+"="+s.SigningKeys))
}

// startNotifier runs the notifier under an emulator of its own, as the
// function runs (see startEmulator); its output also goes to
// Notifier.Log, for people and for tests that read its log lines.
func (s *Stack) startNotifier(ctx context.Context, o Options, ports []int) error {
	env := s.notifierEnv()
	if !o.Detach {
		s.Notifier.Log = filepath.Join(s.State, "notifier.log")
		f, err := os.Create(s.Notifier.Log)
		if err != nil {
			return err
		}
		s.notifierLog = f
		out := io.MultiWriter(&output{prefix: "notifier | ", out: o.Output}, f)
		e, err := rie.Start(ctx, rie.Options{Emulator: o.Emulator, Bootstrap: o.Notifier, Env: env, Stderr: out})
		if err != nil {
			return err
		}
		s.notifier = e
		s.Notifier = Notifier{Running: true, URL: e.URL, RuntimeAPI: e.RuntimeAPI, Log: s.Notifier.Log,
			Table: s.Notifier.Table, DLQ: s.Notifier.DLQ, Domains: s.Notifier.Domains}
		return nil
	}
	api, runtime := loopback(ports[0]), loopback(ports[1])
	s.Notifier.Log = filepath.Join(s.Logs, "notifier.log")
	p, err := startProc("notifier", []string{o.Emulator,
		"--runtime-interface-emulator-address", api, "--runtime-api-address", runtime, o.Notifier},
		filepath.Dir(o.Notifier), env, nil, s.Notifier.Log)
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	s.Notifier.Running = true
	s.Notifier.URL = "http://" + api + "/2015-03-31/functions/function/invocations"
	s.Notifier.RuntimeAPI = runtime
	return p.awaitListening(ctx, api, patience.For(time.Second))
}

// serveConfig is what the stack's Lambda API and mail collection serve.
func (s *Stack) serveConfig(o Options) ServeConfig {
	c := ServeConfig{Addr: loopback(s.Lambda.Port), Functions: map[string]string{"function": s.Emulator.URL},
		RetryDelays: o.RetryDelays, Mailbox: s.Mailbox}
	if s.Notifier.Running {
		c.Functions[NotifierName] = s.Notifier.URL
		c.DLQ = s.Notifier.DLQ
		c.Moto = s.Moto.Endpoint
	}
	return c
}

// serve starts the Lambda API and the SES mail collection: in this process
// for an attached stack, in a detached process of their own (Options.Serve)
// otherwise, which outlives this one.
func (s *Stack) serve(ctx context.Context, o Options) error {
	c := s.serveConfig(o)
	if !o.Detach {
		sv, err := startServing(c, &output{prefix: "lambdaapi | ", out: o.Output})
		if err != nil {
			return err
		}
		s.serving = sv
		return nil
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	config := filepath.Join(s.State, ServeFile)
	if err := os.WriteFile(config, append(data, '\n'), 0o644); err != nil {
		return err
	}
	argv := append(append([]string(nil), o.Serve...), "-config", config)
	p, err := startProc("lambdaapi", argv, s.State, baseEnv(), nil, filepath.Join(s.Logs, "lambdaapi.log"))
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	return p.awaitListening(ctx, c.Addr, patience.For(time.Second))
}
