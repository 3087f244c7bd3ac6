package localstack

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Region is the region the stack's clients use; cognito-local ignores it
// (its pool ids start "local_").
const Region = "us-east-1"

// Dummy credentials: nothing local checks signatures, but the SDK signs.
const (
	AccessKeyID     = "local"
	SecretAccessKey = "local"
)

// TenantAttribute is the custom attribute naming a user's tenant, as
// cogmail reads it by default.
const TenantAttribute = "custom:tenant_id"

// seedUsers are the users every stack starts with.
var seedUsers = []User{
	{Email: "ana@example.com", GivenName: "Ana", Locale: "en", Tenant: "default", Password: "Local-ana-Pass1!"},
	{Email: "jonas@example.com", GivenName: "Jonas", Locale: "de", Tenant: "acme", Password: "Local-jonas-Pass1!"},
	{Email: "layla@example.com", GivenName: "Layla", Locale: "ar", Tenant: "default", Password: "Local-layla-Pass1!"},
	{Email: "yuki@example.com", GivenName: "Yuki", Locale: "ja", Tenant: "default", Password: "Local-yuki-Pass1!"},
}

// NewClient returns a Cognito client for a local endpoint, with dummy
// credentials and none of the developer's AWS configuration.
func NewClient(endpoint string) *cip.Client {
	return cip.New(cip.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
	})
}

// Client returns a Cognito client for this stack's cognito-local.
func (i *Info) Client() *cip.Client { return NewClient(i.Cognito.Endpoint) }

// seed creates the pool, its two app clients and the users, filling in the
// ids cognito-local chose.
func seed(ctx context.Context, c *cip.Client, info *Info) error {
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String("cogmail-local"),
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		// Immutable, as it should be in production: users must not move
		// themselves into another tenant.
		Schema: []types.SchemaAttributeType{{
			Name: aws.String("tenant_id"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false),
		}},
	})
	if err != nil {
		return fmt.Errorf("create the user pool: %w", err)
	}
	info.UserPoolID = aws.ToString(pool.UserPool.Id)

	flows := []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	for _, cl := range []struct {
		into   *Client
		name   string
		secret bool
	}{{&info.Clients.Public, "cogmail-local-public", false}, {&info.Clients.Secret, "cogmail-local-secret", true}} {
		out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: pool.UserPool.Id, ClientName: aws.String(cl.name),
			GenerateSecret: cl.secret, ExplicitAuthFlows: flows,
		})
		if err != nil {
			return fmt.Errorf("create app client %s: %w", cl.name, err)
		}
		*cl.into = Client{Name: cl.name, ID: aws.ToString(out.UserPoolClient.ClientId), Secret: aws.ToString(out.UserPoolClient.ClientSecret)}
	}

	for _, u := range seedUsers {
		out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId:    pool.UserPool.Id,
			Username:      aws.String(u.Email),
			MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{
				{Name: aws.String("email"), Value: aws.String(u.Email)},
				{Name: aws.String("email_verified"), Value: aws.String("true")},
				{Name: aws.String("given_name"), Value: aws.String(u.GivenName)},
				{Name: aws.String("locale"), Value: aws.String(u.Locale)},
				{Name: aws.String(TenantAttribute), Value: aws.String(u.Tenant)},
			},
		})
		if err != nil {
			return fmt.Errorf("create user %s: %w", u.Email, err)
		}
		u.Username = aws.ToString(out.User.Username)
		if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: pool.UserPool.Id, Username: aws.String(u.Username),
			Password: aws.String(u.Password), Permanent: true,
		}); err != nil {
			return fmt.Errorf("set the password of %s: %w", u.Email, err)
		}
		info.Users = append(info.Users, u)
	}
	return nil
}
