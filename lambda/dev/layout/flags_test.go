package layout

// Every test binary must accept -update (see package golden).
import _ "github.com/cogmail/cogmail/lambda/dev/golden"
