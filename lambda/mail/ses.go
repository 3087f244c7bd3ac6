package mail

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

// SES is the one call of the SES v2 API a Sender makes (*sesv2.Client).
type SES interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Sender sends messages through SES v2.
type Sender struct {
	SES SES
}

// Send sends m as raw content, from m.From.Address (the identity SES checks)
// to m.To, in configurationSet when it is not "". Reply-To travels in the
// message's own header, which is what a raw message's recipient reads. It
// returns SES's message id; its error is an *Error.
func (s *Sender) Send(ctx context.Context, m Message, configurationSet string) (string, error) {
	raw, err := m.Bytes()
	if err != nil {
		return "", &Error{Class: ClassInvalid, Code: "MessageNotWritten", err: err}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From.Address),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
	}
	if configurationSet != "" {
		in.ConfigurationSetName = aws.String(configurationSet)
	}
	out, err := s.SES.SendEmail(ctx, in)
	if err != nil {
		return "", classify(err)
	}
	return aws.ToString(out.MessageId), nil
}

// Class says what kind of failure a send met, and so whether to try again.
type Class string

const (
	// ClassThrottled: SES asked to slow down (TooManyRequests, Throttling,
	// a sending quota): later will do.
	ClassThrottled Class = "throttled"
	// ClassRefused: SES refused the message for a reason an operator can
	// fix (an unverified identity, sending paused, a missing configuration
	// set): a later attempt, or the dead-letter queue's redrive, may pass.
	ClassRefused Class = "refused"
	// ClassUnavailable: SES failed (5xx) or did not answer.
	ClassUnavailable Class = "unavailable"
	// ClassInvalid: the request itself is wrong (a malformed address or
	// message): the same request will always fail.
	ClassInvalid Class = "invalid"
)

// Error is a failed send. Its text holds the class and SES's error code,
// never SES's message, which may quote addresses (an unverified identity's
// refusal names the identities it checked).
type Error struct {
	Class Class
	Code  string // SES's error code, or what failed before the call
	err   error
}

func (e *Error) Error() string {
	return fmt.Sprintf("ses: SendEmail %s (%s, retryable %t)", e.Code, e.Class, e.Retryable())
}

// Unwrap gives the SDK's error, for errors.As; its text may hold addresses.
func (e *Error) Unwrap() error { return e.err }

// Retryable reports whether the same message may go through later.
func (e *Error) Retryable() bool { return e.Class != ClassInvalid }

// Retryable reports whether err, from Send, may go through later.
func Retryable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable()
	}
	return err != nil
}

// The error codes of the SES v2 API (and of the older API and the SDK's
// retryer) that mean "too fast".
var throttleCodes = map[string]bool{
	"TooManyRequestsException": true, "Throttling": true, "ThrottlingException": true,
	"RequestLimitExceeded": true, "SlowDown": true,
}

// The codes of a request SES will never accept as it is.
var invalidCodes = map[string]bool{
	"BadRequestException": true, "InvalidParameterValue": true, "ValidationException": true,
	"SerializationException": true,
}

func classify(err error) *Error {
	var api smithy.APIError
	if !errors.As(err, &api) {
		// No answer (network, timeout, cancelled) or the SDK's retry quota.
		return &Error{Class: ClassUnavailable, Code: "NoAnswer", err: err}
	}
	code := api.ErrorCode()
	var status interface{ HTTPStatusCode() int }
	class := ClassRefused
	switch {
	case throttleCodes[code]:
		class = ClassThrottled
	case invalidCodes[code]:
		class = ClassInvalid
	case api.ErrorFault() == smithy.FaultServer, errors.As(err, &status) && status.HTTPStatusCode() >= 500:
		class = ClassUnavailable
	}
	return &Error{Class: class, Code: code, err: err}
}
