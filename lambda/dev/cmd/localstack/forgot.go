package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cogmail/cogmail/lambda/dev/localstack"
	"github.com/cogmail/cogmail/lambda/dev/patience"
)

var firstHref = regexp.MustCompile(`href="([^"]*)"`)

// forgot does what an app does when a user forgets a password: it calls
// ForgotPassword on the running stack, waits for the email and prints its
// button's link, so a person can open it without any AWS tooling.
func forgot(ctx context.Context, state string, args []string, stdout io.Writer) error {
	if len(args) == 0 || len(args) > 2 {
		return errors.New("usage: localstack forgot [-state DIR] EMAIL [LOCALE]")
	}
	email, locale := args[0], ""
	if len(args) == 2 {
		locale = args[1]
	}
	info, err := localstack.ReadInfo(state)
	if err != nil {
		return fmt.Errorf("localstack forgot: is the stack up (make local-up)? %w", err)
	}
	msgs, err := info.Mailbox.Messages()
	if err != nil {
		return err
	}
	in := &cip.ForgotPasswordInput{ClientId: aws.String(info.Clients.Public.ID), Username: aws.String(email)}
	if locale != "" {
		in.ClientMetadata = map[string]string{"locale": locale}
	}
	if _, err := localstack.NewClient(info.Cognito.Endpoint).ForgotPassword(ctx, in); err != nil {
		return fmt.Errorf("localstack forgot: %w", err)
	}
	// Idle, an email comes within a second, the sender's within two
	// (its cold start, KMS, SES and the mailbox's polling).
	wait, cancel := context.WithTimeout(ctx, patience.For(3*time.Second))
	defer cancel()
	// In the Custom Email Sender mode the sender sends the email through
	// SES, after cognito-local's call has returned.
	sender := info.Mode == localstack.ModeCustomEmailSender
	msg, err := info.Mailbox.WaitFor(wait, func(m localstack.Message) bool {
		return m.Seq >= len(msgs) && (sender && m.SentTo(email) || !sender && strings.EqualFold(m.Destination, email))
	})
	if err != nil {
		return fmt.Errorf("localstack forgot: no email arrived: %w", err)
	}
	subject, body, code := msg.EmailSubject, msg.EmailMessage, "the code in it is "+msg.Code
	if sender {
		subject, body, code = msg.Subject, msg.HTML, "its text part: jq -r .text"
	}
	m := firstHref.FindStringSubmatch(body)
	if m == nil {
		return errors.New("localstack forgot: the email has no link")
	}
	fmt.Fprintf(stdout, "%s\n\nOpen this link in a browser to choose a new password:\n\n  %s\n\n(%s; the whole email is the last line of %s)\n",
		subject, html.UnescapeString(m[1]), code, info.Mailbox)
	return nil
}
