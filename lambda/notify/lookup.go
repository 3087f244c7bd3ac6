package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Users is the one Cognito call the notifier makes (*cognitoidentityprovider.Client).
type Users interface {
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, optFns ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// lookup finds a CloudTrail event's user by the sub Cognito records:
// AdminGetUser accepts the sub as the username. An admin call names its
// pool, which must be one served (Pools, and a wrapper's userPools);
// ChangePassword names none (its access token, which does, is hidden), so
// every pool served is asked in turn. A skip reason, or an error a later
// attempt may not meet.
func (n *Notifier) lookup(ctx context.Context, in *input) (skip string, err error) {
	if n.cfg.Users == nil {
		return "", errors.New("cognito: no client configured")
	}
	if in.sub == "" {
		return "event names no user (no additionalEventData.sub)", nil
	}
	pools := n.served(*in)
	if in.pool != "" {
		if !slices.Contains(pools, in.pool) {
			if in.shape == shapeCloudTrailWrapper {
				return "user pool not in COGMAIL_NOTIFY_POOLS or the event's userPools", nil
			}
			return "user pool not in COGMAIL_NOTIFY_POOLS", nil
		}
		pools = []string{in.pool}
	}
	if len(pools) == 0 {
		if in.shape == shapeCloudTrailWrapper {
			return "no user pool to look the user up in (COGMAIL_NOTIFY_POOLS and the event's userPools are empty)", nil
		}
		return "no user pool to look the user up in (COGMAIL_NOTIFY_POOLS is empty)", nil
	}
	for _, pool := range pools {
		out, err := n.cfg.Users.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(in.sub)})
		var notFound *types.UserNotFoundException
		var noPool *types.ResourceNotFoundException
		switch {
		case errors.As(err, &notFound), errors.As(err, &noPool):
			continue
		case err != nil:
			return "", fmt.Errorf("cognito: AdminGetUser: %s", safeError(err))
		}
		attrs := map[string]string{}
		for _, a := range out.UserAttributes {
			attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
		}
		// The sub is matched, not just looked up by: a username that
		// happens to read as this sub is another user.
		if attrs["sub"] != in.sub {
			continue
		}
		in.pool, in.username, in.attrs = pool, aws.ToString(out.Username), attrs
		return "", nil
	}
	return "user not found in the pools served", nil
}
