package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogmail/cogmail/lambda/sender"
)

// Sample codes `cogmail render` shows a Custom Email Sender event's email
// with when no -code is given: it decrypts nothing (the CLI does not link
// the Encryption SDK, and the recorded events carry a placeholder). The
// temporary password is written as Cognito hands it over, HTML-escaped.
const (
	sampleCode     = "123456"
	samplePassword = "Tmp&lt;7x&gt;Pq2!"
)

const takeoverSource = sender.Prefix + "AccountTakeOverNotification"

// renderSender prints, as JSON, the email the Custom Email Sender function
// would send for a CustomEmailSender_* event (from, reply-to, to, subject,
// text and HTML parts), or why it would send none. code stands for the
// decrypted request.code ("": a sample, and a note says so); the takeover
// notice's user is userFile's (the JSON `aws cognito-idp admin-get-user`
// prints), else a placeholder. Nothing is decrypted, sent, claimed or
// looked up.
func renderSender(ctx context.Context, payload []byte, code, userFile string, stdout, stderr io.Writer, getenv func(string) string, logger *slog.Logger) int {
	var ev struct {
		TriggerSource string `json:"triggerSource"`
		UserName      string `json:"userName"`
	}
	_ = json.Unmarshal(payload, &ev) // sender.Accepts read it already
	takeover := ev.TriggerSource == takeoverSource
	if userFile != "" && !takeover {
		fmt.Fprintln(stderr, "cogmail render: -user is for CloudTrail events and the takeover notice: the others carry their user")
		return 2
	}
	if code != "" && takeover {
		fmt.Fprintln(stderr, "cogmail render: -code is not for the takeover notice: it has no code")
		return 2
	}

	cfg := sender.Configure(ctx, getenv, logger, nil)
	cfg.SES, cfg.Claims, cfg.Now = nil, nil, noticeNow
	var note string
	if !takeover {
		if code == "" {
			code = sampleCode
			if ev.TriggerSource == sender.Prefix+"AdminCreateUser" {
				code = samplePassword
			}
			note = "request.code is not decrypted: the email is shown with the sample code " + code + "; give -code CODE (the decrypted code) for another"
		}
		cfg.Decrypter = fixedCode(code)
	} else {
		u, err := takeoverUser(userFile, ev.UserName)
		if err != nil {
			fmt.Fprintf(stderr, "cogmail render: %v\n", err)
			return 1
		}
		cfg.Users = u
		if userFile == "" {
			note = "the event names no address: the email is shown for a placeholder user (" + placeholderEmail +
				", verified, no name, the tenant's default language, UTC); give -user FILE, the JSON of `aws cognito-idp admin-get-user`, for a real one"
		}
	}
	d, err := sender.New(cfg).Draft(ctx, payload)
	if err != nil {
		fmt.Fprintf(stderr, "cogmail render: the sender would fail (and Lambda retry): %v\n", err)
		return 1
	}
	d.Note = join(d.Note, note)
	_, _ = stdout.Write(d.JSON())
	return 0
}

// fixedCode "decrypts" every code to itself.
type fixedCode string

func (c fixedCode) Decrypt(context.Context, string, string) (string, error) { return string(c), nil }

// takeoverUser answers AdminGetUser with userFile's user, else the
// placeholder user, named username as the event names them.
func takeoverUser(userFile, username string) (fileUser, error) {
	out := &cip.AdminGetUserOutput{Username: aws.String(username)}
	if userFile == "" {
		for _, a := range [][2]string{{"email", placeholderEmail}, {"email_verified", "true"}, {"sub", username}} {
			out.UserAttributes = append(out.UserAttributes, types.AttributeType{Name: aws.String(a[0]), Value: aws.String(a[1])})
		}
		return fileUser{out}, nil
	}
	data, err := os.ReadFile(userFile)
	if err != nil {
		return fileUser{}, err
	}
	var u struct {
		Username       string
		UserAttributes []struct{ Name, Value string }
	}
	if err := json.Unmarshal(data, &u); err != nil {
		return fileUser{}, fmt.Errorf("-user %s: not the JSON of admin-get-user: %v", userFile, err)
	}
	if u.Username != "" && u.Username != username {
		return fileUser{}, fmt.Errorf("-user %s is another user: its Username is not the event's userName", userFile)
	}
	for _, a := range u.UserAttributes {
		out.UserAttributes = append(out.UserAttributes, types.AttributeType{Name: aws.String(a.Name), Value: aws.String(a.Value)})
	}
	return fileUser{out}, nil
}
