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
	wait, cancel := context.WithTimeout(ctx, patience.For(2*time.Second))
	defer cancel()
	msg, err := info.Mailbox.WaitFor(wait, func(m localstack.Message) bool {
		return m.Seq >= len(msgs) && strings.EqualFold(m.Destination, email)
	})
	if err != nil {
		return fmt.Errorf("localstack forgot: no email arrived: %w", err)
	}
	m := firstHref.FindStringSubmatch(msg.EmailMessage)
	if m == nil {
		return errors.New("localstack forgot: the email has no link")
	}
	fmt.Fprintf(stdout, "%s\n\nOpen this link in a browser to choose a new password:\n\n  %s\n\n(the code in it is %s; the whole email is the last line of %s)\n",
		msg.EmailSubject, html.UnescapeString(m[1]), msg.Code, info.Mailbox)
	return nil
}
