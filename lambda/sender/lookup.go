package sender

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// lookup reads the takeover notice's user with AdminGetUser on the event's
// pool: the event carries Threat Protection's attributes, not the user's
// (no email, locale or tenant). drop says why the notice cannot be sent;
// err is a failure a later attempt may not meet.
func (s *Sender) lookup(ctx context.Context, in *input) (drop string, err error) {
	if s.cfg.Users == nil {
		return "", errors.New("cognito: no client configured")
	}
	out, err := s.cfg.Users.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(in.pool), Username: aws.String(in.username)})
	var notFound *types.UserNotFoundException
	var noPool *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound), errors.As(err, &noPool):
		return "user not found", nil
	case err != nil:
		return "", fmt.Errorf("cognito: AdminGetUser: %s", safeError(err))
	}
	attrs := map[string]string{}
	for _, a := range out.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	// Threat Protection's own attributes stay (EVENT_ID, LOGIN_TIME);
	// the user's come from Cognito.
	for _, k := range []string{attrEventID, attrLoginTime} {
		if v := in.attrs[k]; v != "" {
			attrs[k] = v
		}
	}
	in.attrs = attrs
	return "", nil
}
