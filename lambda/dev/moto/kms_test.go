package moto

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A key and its alias, as the local stack makes them for cognito-local
// (which encrypts through the alias) and the sender (which needs the ARN).
func TestKMSKeyAndAlias(t *testing.T) {
	kms := KMS{Endpoint: Start(t), Region: "eu-west-1"}
	key, err := kms.CreateKey(t.Context(), "cogmail test")
	require.NoError(t, err)
	assert.Regexp(t, `^arn:aws:kms:eu-west-1:\d{12}:key/`+regexp.QuoteMeta(key.ID)+`$`, key.ARN, "the signing region is the key's")

	t.Run("case=alias", func(t *testing.T) {
		require.NoError(t, kms.CreateAlias(t.Context(), "alias/cogmail-test", key.ID))
	})
	t.Run("case=an error says what KMS said", func(t *testing.T) {
		err := kms.CreateAlias(t.Context(), "alias/cogmail-test", key.ID)
		assert.ErrorContains(t, err, "AlreadyExists")
	})
}
