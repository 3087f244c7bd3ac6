package templates

// Every test binary accepts -update, so that `go test ./... -update`
// rewrites golden files without failing in packages that have none.
import _ "github.com/cogmail/cogmail/lambda/dev/golden"
