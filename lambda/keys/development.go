package keys

import (
	"errors"
	"fmt"

	"github.com/cogmail/cogmail/lambda/link"
)

// DevelopmentJSON is the built-in development keyring. It is public, so a link
// it signs proves nothing: it is used only outside Lambda, where neither
// COGMAIL_KEYS_SECRET_ARN nor COGMAIL_SIGNING_KEYS is set, and never inside it.
const DevelopmentJSON = `{"current":"dev-1","keys":{"dev-1":"Y29nbWFpbC1kZXZlbG9wbWVudC1rZXktTk9ULUEtU0VDUkVULTAx"}}`

// DevelopmentKeyID is the development key's id. A keyring using it is refused
// wherever the development key is, whatever key it names: someone copied the
// development keyring and meant it.
const DevelopmentKeyID = "dev-1"

// ErrDevelopmentKey is wrapped by the errors of Load and RefuseDevelopment
// when a keyring holds the public development key, by its id or its bytes,
// where production keys are required.
var ErrDevelopmentKey = errors.New("keys: the public development key is not a production key")

// RefuseDevelopment fails when ring holds the public development key, by its
// id or, under any id, by its bytes: anyone can sign links with it. Inside
// Lambda, from Secrets Manager and in a page serving the public, that is
// what it must not be. It names key ids only.
func RefuseDevelopment(ring *link.Keyring) error {
	if ring == nil {
		return nil
	}
	for _, kid := range ring.IDs() {
		if kid == DevelopmentKeyID {
			return fmt.Errorf("%w: the keyring has key id %q, the development keyring's; generate a key (infra/README.md)", ErrDevelopmentKey, kid)
		}
	}
	if kid, ok := ring.Find(developmentKey); ok {
		return fmt.Errorf("%w: key %q is the development key, which is public; generate a key (infra/README.md)", ErrDevelopmentKey, kid)
	}
	return nil
}

// IsDevelopment reports whether ring holds the development key (see
// RefuseDevelopment): the links it verifies prove nothing.
func IsDevelopment(ring *link.Keyring) bool { return RefuseDevelopment(ring) != nil }

// developmentKey is the development key's bytes, decoded from
// DevelopmentJSON's base64 (the package's tests prove they agree).
var developmentKey = []byte("cogmail-development-key-NOT-A-SECRET-01")
