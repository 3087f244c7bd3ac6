package localstack

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cogmail/cogmail/lambda/dev/moto"
	"github.com/cogmail/cogmail/lambda/dev/rie"
)

// resolve fills in opts' defaults and checks what Start needs, so that a
// missing piece is named before anything starts.
func resolve(o Options) (Options, error) {
	var err error
	if o.Root == "" {
		if o.Root, err = rie.ModuleRoot(); err != nil {
			return o, err
		}
	}
	if o.State == "" {
		o.State = filepath.Join(o.Root, DefaultState)
	}
	if o.Emulator == "" {
		if o.Emulator, err = rie.Find(o.Root); err != nil {
			return o, err
		}
	}
	if o.Node == "" {
		if o.Node, err = exec.LookPath("node"); err != nil {
			return o, errors.New("localstack: node is not on PATH: the local stack needs Node.js")
		}
	}
	if _, err := os.Stat(filepath.Join(o.Root, nodeModule, "package.json")); err != nil {
		return o, fmt.Errorf("localstack: %s is missing: run make node-deps", nodeModule)
	}
	if o.Mode, err = ParseMode(string(o.Mode)); err != nil {
		return o, fmt.Errorf("localstack: %w", err)
	}
	if o.Mode == ModeCustomEmailSender {
		// Cognito calls no Custom Message function in this mode.
		o.Bootstrap = ""
		if o.Sender == "" {
			return o, errors.New("localstack: mode " + string(ModeCustomEmailSender) + " needs the sender (Options.Sender)")
		}
	} else {
		o.Sender = ""
	}
	for _, p := range []*string{&o.Root, &o.State, &o.Bootstrap, &o.Page, &o.Emulator, &o.Node, &o.Notifier, &o.Sender} {
		if *p != "" {
			if *p, err = filepath.Abs(*p); err != nil {
				return o, err
			}
		}
	}
	if o.Bootstrap == "" && o.Mode == ModeCustomMessage {
		return o, errors.New("localstack: no bootstrap given")
	}
	for name, path := range map[string]string{"bootstrap": o.Bootstrap, "page server": o.Page, "notifier": o.Notifier, "sender": o.Sender} {
		if path != "" && !executable(path) {
			return o, fmt.Errorf("localstack: the %s %s is not an executable file: build it first", name, path)
		}
	}
	for name, path := range map[string]string{"notifier": o.Notifier, "sender": o.Sender} {
		if path == "" {
			continue
		}
		if _, err := moto.Find(); err != nil {
			return o, fmt.Errorf("localstack: the %s needs moto_server: %w", name, err)
		}
	}
	if o.Detach && len(o.Serve) == 0 {
		return o, errors.New("localstack: a detached stack needs Options.Serve, the command that serves its Lambda API")
	}
	return o, os.MkdirAll(o.State, 0o755)
}

// refuseRunning fails when stack.json records a detached stack whose
// processes still run: starting another would orphan them.
func refuseRunning(state string) error {
	info, err := ReadInfo(state)
	if err != nil {
		return nil // none recorded, or unreadable: Start writes a new one
	}
	for _, p := range info.Processes {
		if alive(p) {
			return fmt.Errorf("localstack: a stack started %s still runs from %s (pid %d): stop it first (make local-down)",
				info.StartedAt.Local().Format(time.Stamp), filepath.Join(state, InfoFile), p.PID)
		}
	}
	return nil
}

// cleanState removes what a previous start left, keeping the state folder's
// other files (the binaries make builds there).
func cleanState(state string) error {
	var errs []error
	for _, name := range []string{"cognito", "overlay", "logs", "mailbox.jsonl", "notifier.log", "sender.log", ServeFile, InfoFile} {
		errs = append(errs, os.RemoveAll(filepath.Join(state, name)))
	}
	return errors.Join(errs...)
}

// baseEnv is this process's environment without AWS and cogmail settings, so
// that a developer's profile, region or keys cannot leak into the stack.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "COGMAIL_") {
			env = append(env, kv)
		}
	}
	return env
}

func executable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}

func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
