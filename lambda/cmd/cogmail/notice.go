package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"
	// The users' time zones, as the notifier embeds them: what render
	// prints does not depend on this machine's zone database.
	_ "time/tzdata"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/notify"
)

// noticeNow is the notifier's clock here: a Post confirmation event's time
// and the report link's expiry. Tests fix it.
var noticeNow = time.Now

// placeholderEmail is the address a CloudTrail event's email is shown for
// without -user FILE: the event names no address.
const placeholderEmail = "user@example.com"

// renderNotice prints, as JSON, the email the notifier would send for a
// Post confirmation, wrapper or CloudTrail event, bare or in the rule's
// wrapper (from, reply-to, to, subject, text and HTML parts), or why it
// would send none. Nothing is sent, claimed or looked up: a CloudTrail
// event's user is userFile's (the JSON `aws cognito-idp admin-get-user`
// prints), else a placeholder, and the output says so.
func renderNotice(ctx context.Context, payload []byte, userFile string, stdout, stderr io.Writer, getenv func(string) string, logger *slog.Logger) int {
	var ev struct {
		Region string `json:"region"`
		Detail *struct {
			AWSRegion         string `json:"awsRegion"`
			RequestParameters struct {
				UserPoolID string `json:"userPoolId"`
			} `json:"requestParameters"`
			AdditionalEventData struct {
				Sub string `json:"sub"`
			} `json:"additionalEventData"`
		} `json:"detail"`
	}
	// The rule's wrapper: the user is the event's inside, and its pools
	// are served as COGMAIL_NOTIFY_POOLS's.
	event, wrapperPools := notify.UnwrapCloudTrail(payload)
	_ = json.Unmarshal(event, &ev) // notify.Accepts read it already
	if ev.Detail == nil && userFile != "" {
		fmt.Fprintln(stderr, "cogmail render: -user is for CloudTrail events: the others carry their user")
		return 2
	}

	cfg := notify.Configure(ctx, getenv, logger)
	cfg.SES, cfg.Claims, cfg.Invoke, cfg.Now = nil, nil, nil, noticeNow
	var note string
	if ev.Detail != nil {
		d := ev.Detail
		user, err := readUser(userFile, d.AdditionalEventData.Sub)
		if err != nil {
			fmt.Fprintf(stderr, "cogmail render: %v\n", err)
			return 1
		}
		if userFile == "" {
			note = "the event names no address: the email is shown for a placeholder user (" + placeholderEmail +
				", verified, no name, the tenant's default language, UTC); give -user FILE, the JSON of `aws cognito-idp admin-get-user`, for a real one"
		}
		cfg.Users = user
		if len(cfg.Pools) == 0 && len(wrapperPools) == 0 {
			// No pool served: the event's pool is, and ChangePassword's
			// user is taken to be in a placeholder pool.
			pool := d.RequestParameters.UserPoolID
			if pool == "" {
				region := d.AWSRegion
				if region == "" {
					region = ev.Region
				}
				pool = region + "_Placeholder"
				note = join(note, "ChangePassword names no user pool: the user is taken to be in "+pool+" (COGMAIL_NOTIFY_POOLS lists the pools the notifier asks)")
			}
			if link.UserPoolID(pool) {
				cfg.Pools = []string{pool}
			}
		}
	}
	d, err := notify.New(cfg).Draft(ctx, payload)
	if err != nil {
		fmt.Fprintf(stderr, "cogmail render: the notifier would fail (and Lambda retry): %v\n", err)
		return 1
	}
	if d.Skip == "" { // the placeholder did not matter to a skip
		d.Note = join(d.Note, note)
	}
	_, _ = stdout.Write(d.JSON())
	return 0
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// fileUser answers AdminGetUser with one user, whatever the pool.
type fileUser struct{ out *cip.AdminGetUserOutput }

func (f fileUser) AdminGetUser(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error) {
	return f.out, nil
}

// readUser reads the user as `aws cognito-idp admin-get-user` prints it;
// without a file, the placeholder user. sub is the event's: a file without
// one gets it, a file with another one is another user.
func readUser(file, sub string) (fileUser, error) {
	var u struct {
		Username       string
		UserAttributes []struct{ Name, Value string }
	}
	if file == "" {
		u.Username = sub
		u.UserAttributes = []struct{ Name, Value string }{{"email", placeholderEmail}, {"email_verified", "true"}}
	} else {
		data, err := os.ReadFile(file)
		if err != nil {
			return fileUser{}, err
		}
		if err := json.Unmarshal(data, &u); err != nil {
			return fileUser{}, fmt.Errorf("-user %s: not the JSON of admin-get-user: %v", file, err)
		}
	}
	out := &cip.AdminGetUserOutput{Username: aws.String(u.Username)}
	hasSub := false
	for _, a := range u.UserAttributes {
		if a.Name == "sub" {
			if a.Value != sub {
				return fileUser{}, errors.New("-user " + file + " is another user: its sub is not the event's additionalEventData.sub")
			}
			hasSub = true
		}
		out.UserAttributes = append(out.UserAttributes, types.AttributeType{Name: aws.String(a.Name), Value: aws.String(a.Value)})
	}
	if !hasSub {
		out.UserAttributes = append(out.UserAttributes, types.AttributeType{Name: aws.String("sub"), Value: aws.String(sub)})
	}
	if out.Username == nil || *out.Username == "" {
		out.Username = aws.String(sub)
	}
	return fileUser{out}, nil
}
