package sender

import (
	// The users' time zones, as the function embeds them (cmd/sender): the
	// tests' times do not depend on the machine's zone database.
	_ "time/tzdata"

	// Every test binary accepts -update, so that `go test ./... -update`
	// rewrites golden files without failing in packages that have none.
	_ "github.com/cogmail/cogmail/lambda/dev/golden"
)
