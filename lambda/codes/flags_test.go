package codes_test

import (
	// Every test binary accepts -update (go test ./... -update), which
	// rewrites golden files without failing in packages that have none.
	_ "github.com/cogmail/cogmail/lambda/dev/golden"
)
