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

// startNotifier runs the notifier under an emulator of its own.
func (s *Stack) startNotifier(ctx context.Context, o Options, ports []int) error {
	run, err := s.startFunction(ctx, o, NotifierName, o.Notifier, s.notifierEnv(), ports)
	if err != nil {
		return err
	}
	s.Notifier.Running = true
	s.Notifier.URL, s.Notifier.RuntimeAPI, s.Notifier.Log = run.url, run.runtimeAPI, run.log
	return nil
}

// running is a function started by startFunction.
type running struct {
	// url is its emulator's invocation endpoint; the stack's components
	// call it through the Lambda API, by its name.
	url, runtimeAPI string
	// log is the file that receives its emulator's output, the function's
	// log lines included, for people and for tests that read them.
	log string
}

// startFunction runs a function other than the Custom Message one under an
// emulator of its own, as startEmulator runs that one, its output also
// going to <name>.log: in the state folder for an attached stack, in the
// logs folder for a detached one.
func (s *Stack) startFunction(ctx context.Context, o Options, name, binary string, env []string, ports []int) (running, error) {
	if !o.Detach {
		log := filepath.Join(s.State, name+".log")
		f, err := os.Create(log)
		if err != nil {
			return running{}, err
		}
		s.files = append(s.files, f)
		out := io.MultiWriter(&output{prefix: name + " | ", out: o.Output}, f)
		e, err := rie.Start(ctx, rie.Options{Emulator: o.Emulator, Bootstrap: binary, Env: env, Stderr: out})
		if err != nil {
			return running{}, err
		}
		s.emus = append(s.emus, e)
		return running{url: e.URL, runtimeAPI: e.RuntimeAPI, log: log}, nil
	}
	api, runtime := loopback(ports[0]), loopback(ports[1])
	log := filepath.Join(s.Logs, name+".log")
	p, err := startProc(name, []string{o.Emulator,
		"--runtime-interface-emulator-address", api, "--runtime-api-address", runtime, binary},
		filepath.Dir(binary), env, nil, log)
	if err != nil {
		return running{}, err
	}
	s.procs = append(s.procs, p)
	run := running{url: "http://" + api + "/2015-03-31/functions/function/invocations", runtimeAPI: runtime, log: log}
	return run, p.awaitListening(ctx, api, patience.For(time.Second))
}

// serveConfig is what the stack's Lambda API and mail collection serve.
func (s *Stack) serveConfig(o Options) ServeConfig {
	c := ServeConfig{Addr: loopback(s.Lambda.Port), Functions: map[string]string{},
		DLQs: map[string]string{}, RetryDelays: o.RetryDelays, Mailbox: s.Mailbox, Moto: s.Moto.Endpoint}
	if s.Emulator.URL != "" {
		c.Functions["function"] = s.Emulator.URL
	}
	if s.Notifier.Running {
		c.Functions[NotifierName] = s.Notifier.URL
		c.DLQs[NotifierName] = s.Notifier.DLQ
	}
	if s.Sender.Running {
		c.Functions[SenderName] = s.Sender.URL
		c.DLQs[SenderName] = s.Sender.DLQ
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
