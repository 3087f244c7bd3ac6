// Package rotation is the Secrets Manager rotation function of the signing
// keyring. Secrets Manager calls it four times per rotation, with the same
// ClientRequestToken (the new version's id) and each Step in turn:
//
//   - createSecret puts the next keyring (Next: a key added, perhaps one
//     promoted and some retired) as the version token, staged AWSPENDING;
//   - setSecret does nothing: no other system holds the keys;
//   - testSecret reads the pending keyring and signs and verifies a link
//     with it, and checks it still verifies what the current one signs;
//   - finishSecret moves AWSCURRENT to the pending version.
//
// Every step may be called again (Secrets Manager retries a failed step):
// each checks what is done already and does it once. Logs name key ids,
// never keys or the secret's value.
package rotation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// The rotation steps and staging labels of Secrets Manager's contract.
const (
	StepCreate = "createSecret"
	StepSet    = "setSecret"
	StepTest   = "testSecret"
	StepFinish = "finishSecret"

	StageCurrent = "AWSCURRENT"
	StagePending = "AWSPENDING"
)

// Event is what Secrets Manager invokes the function with.
type Event struct {
	SecretID           string `json:"SecretId"`
	ClientRequestToken string `json:"ClientRequestToken"`
	Step               string `json:"Step"`
}

// API is the part of the Secrets Manager client the rotation calls
// (*secretsmanager.Client).
type API interface {
	DescribeSecret(context.Context, *sm.DescribeSecretInput, ...func(*sm.Options)) (*sm.DescribeSecretOutput, error)
	GetSecretValue(context.Context, *sm.GetSecretValueInput, ...func(*sm.Options)) (*sm.GetSecretValueOutput, error)
	PutSecretValue(context.Context, *sm.PutSecretValueInput, ...func(*sm.Options)) (*sm.PutSecretValueOutput, error)
	UpdateSecretVersionStage(context.Context, *sm.UpdateSecretVersionStageInput, ...func(*sm.Options)) (*sm.UpdateSecretVersionStageOutput, error)
}

var _ API = (*sm.Client)(nil)

// Rotator rotates the keyring secret.
type Rotator struct {
	Client  API
	Now     func() time.Time // nil: time.Now
	Overlap time.Duration    // 0: keys.DefaultOverlap
	Life    time.Duration    // 0: LinkLife
	Logger  *slog.Logger     // nil: slog.Default()
}

func (r *Rotator) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Rotator) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.Default()
	}
	return r.Logger
}

// Handle runs one step. An error fails the step, and Secrets Manager the
// rotation: the current keyring stays as it is.
func (r *Rotator) Handle(ctx context.Context, e Event) error {
	if e.SecretID == "" || e.ClientRequestToken == "" {
		return errors.New("rotation: the event needs SecretId and ClientRequestToken")
	}
	if !slices.Contains([]string{StepCreate, StepSet, StepTest, StepFinish}, e.Step) {
		return fmt.Errorf("rotation: unknown step %q", e.Step)
	}
	desc, err := r.Client.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(e.SecretID)})
	if err != nil {
		return fmt.Errorf("rotation: describing the secret: %w", err)
	}
	if !aws.ToBool(desc.RotationEnabled) {
		return errors.New("rotation: the secret does not have rotation enabled")
	}
	log := r.logger().With("step", e.Step, "version", e.ClientRequestToken)
	stages, known := desc.VersionIdsToStages[e.ClientRequestToken]
	switch {
	case slices.Contains(stages, StageCurrent):
		log.Info("rotation step skipped: the version is current already")
		return nil
	// Secrets Manager stages the token AWSPENDING before createSecret; a
	// caller that did not (a test, a hand-run step) gets it from createSecret.
	case !known && e.Step == StepCreate:
	case !slices.Contains(stages, StagePending):
		return fmt.Errorf("rotation: version %s is not staged %s", e.ClientRequestToken, StagePending)
	}
	switch e.Step {
	case StepCreate:
		return r.create(ctx, e, log)
	case StepTest:
		return r.test(ctx, e, log)
	case StepFinish:
		return r.finish(ctx, e, desc, log)
	}
	log.Info("rotation step done: no other system holds the keys")
	return nil
}

// create puts the next keyring as the pending version, unless it is there.
func (r *Rotator) create(ctx context.Context, e Event, log *slog.Logger) error {
	current, binary, err := r.value(ctx, e.SecretID, nil, StageCurrent)
	if err != nil {
		return err
	}
	if _, _, err := r.value(ctx, e.SecretID, &e.ClientRequestToken, StagePending); err == nil {
		log.Info("rotation step skipped: the pending keyring exists")
		return nil
	} else if !notFound(err) {
		return err
	}
	next, plan, err := Next(current, r.now(), or(r.Overlap, keys.DefaultOverlap), or(r.Life, LinkLife))
	if err != nil {
		return err
	}
	in := &sm.PutSecretValueInput{
		SecretId:           aws.String(e.SecretID),
		ClientRequestToken: aws.String(e.ClientRequestToken),
		VersionStages:      []string{StagePending},
	}
	if binary { // kept in the form the operator chose
		in.SecretBinary = next
	} else {
		in.SecretString = aws.String(string(next))
	}
	if _, err := r.Client.PutSecretValue(ctx, in); err != nil {
		return fmt.Errorf("rotation: putting the pending keyring: %w", err)
	}
	log.Info("rotation step done: pending keyring put", "added", plan.Added, "promoted", plan.Promoted, "retired", plan.Retired)
	return nil
}

// test checks the pending keyring: it parses, is no development keyring,
// signs a link its current key verifies, and still holds the key new links
// are signed with until finishSecret.
func (r *Rotator) test(ctx context.Context, e Event, log *slog.Logger) error {
	pendingJSON, _, err := r.value(ctx, e.SecretID, &e.ClientRequestToken, StagePending)
	if err != nil {
		return err
	}
	pending, err := parse(pendingJSON)
	if err != nil {
		return fmt.Errorf("rotation: pending keyring: %w", err)
	}
	currentJSON, _, err := r.value(ctx, e.SecretID, nil, StageCurrent)
	if err != nil {
		return err
	}
	current, err := parse(currentJSON)
	if err != nil {
		return fmt.Errorf("rotation: current keyring: %w", err)
	}
	now := r.now()
	for _, c := range []struct {
		name         string
		sign, verify *link.Keyring
	}{{"the pending keyring", pending, pending}, {"the current keyring", current, pending}} {
		if err := signVerify(c.sign, c.verify, now); err != nil {
			return fmt.Errorf("rotation: a link signed with %s does not verify with the pending one: %w", c.name, err)
		}
	}
	log.Info("rotation step done: pending keyring signs and verifies", "keyring", pending)
	return nil
}

// finish stages the pending version AWSCURRENT.
func (r *Rotator) finish(ctx context.Context, e Event, desc *sm.DescribeSecretOutput, log *slog.Logger) error {
	var current string
	for version, stages := range desc.VersionIdsToStages {
		if slices.Contains(stages, StageCurrent) {
			current = version
		}
	}
	_, err := r.Client.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{
		SecretId:            aws.String(e.SecretID),
		VersionStage:        aws.String(StageCurrent),
		MoveToVersionId:     aws.String(e.ClientRequestToken),
		RemoveFromVersionId: aws.String(current),
	})
	if err != nil {
		return fmt.Errorf("rotation: staging the pending version %s: %w", StageCurrent, err)
	}
	log.Info("rotation step done: the pending keyring is current", "previous", current)
	return nil
}

// value reads a version of the secret (by stage, and id if given) and
// whether it is binary. Errors never hold the value.
func (r *Rotator) value(ctx context.Context, secret string, version *string, stage string) ([]byte, bool, error) {
	out, err := r.Client.GetSecretValue(ctx, &sm.GetSecretValueInput{
		SecretId: aws.String(secret), VersionId: version, VersionStage: aws.String(stage),
	})
	if err != nil {
		return nil, false, fmt.Errorf("rotation: reading the %s keyring: %w", stage, err)
	}
	if s := aws.ToString(out.SecretString); s != "" {
		return []byte(s), false, nil
	}
	if len(out.SecretBinary) > 0 {
		return out.SecretBinary, true, nil
	}
	return nil, false, fmt.Errorf("rotation: the %s version has no value", stage)
}

func notFound(err error) bool {
	var nf *smtypes.ResourceNotFoundException
	return errors.As(err, &nf)
}

// parse reads a keyring as Load would from Secrets Manager.
func parse(data []byte) (*link.Keyring, error) {
	ring, err := link.ParseKeyring(data)
	if err != nil {
		return nil, err
	}
	if err := keys.RefuseDevelopment(ring); err != nil {
		return nil, err
	}
	return ring, nil
}

// signVerify signs an invitation link with sign's current key and verifies
// it with verify.
func signVerify(sign, verify *link.Keyring, now time.Time) error {
	raw, err := link.Sign(link.Params{
		Base: "https://rotation.invalid/check", Mode: link.ModeQuery, Purpose: link.PurposeInvite,
		Tenant: "rotation-check", UserPool: "us-east-1_Rotation0", Username: "rotation-check", Locale: "en",
		Expires: now.Add(time.Hour),
	}, sign)
	if err != nil {
		return err
	}
	_, err = link.Verify(raw, verify, now)
	return err
}

func or(d, otherwise time.Duration) time.Duration {
	if d <= 0 {
		return otherwise
	}
	return d
}
