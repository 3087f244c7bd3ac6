package rotation

import (
	"fmt"
	"sort"
	"time"

	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
)

// LinkLife is the longest a link cogmail signs stays valid: an invitation's,
// as long as Cognito's temporary password (7 days by default). A key that
// stopped signing this long ago verifies no live link.
const LinkLife = 7 * 24 * time.Hour

// Plan says what one rotation did to the keyring, by key id (never keys).
type Plan struct {
	Added    string   `json:"added"`
	Promoted string   `json:"promoted,omitempty"` // "" when the current key stays
	Retired  []string `json:"retired,omitempty"`
}

// Next is the keyring after one rotation at now. Each rotation:
//
//   - promotes the newest key added at least overlap ago, if it is newer
//     than the current key: every verifier re-reading the keyring (at most
//     every 5 minutes, lambda/internal/keyring) knows it by then;
//   - retires the keys added at least overlap+life ago that are neither the
//     current key before nor after this rotation, once the current key
//     before it was itself added that long ago. A key that stops being
//     current at a promotion stays so its links, which live up to life,
//     verify. The second condition keeps a key that was superseded recently
//     although it is old: the current key was promoted no sooner than
//     overlap after it was added, so the keys before it stopped signing
//     life ago or more. Keys newer than the current key never signed and
//     go by age alone. A ring whose current key has no "added" time retires
//     nothing: when it became current is unknown;
//   - adds a new key, not current.
//
// Keys without an "added" time are never promoted.
func Next(ring []byte, now time.Time, overlap, life time.Duration) ([]byte, Plan, error) {
	var plan Plan
	parsed, err := link.ParseKeyring(ring)
	if err != nil {
		return nil, plan, err
	}
	before := parsed.Current()
	beforeAdded, beforeKnown := parsed.Added(before)

	// Promote: the newest key old enough, newer than the current one.
	after := before
	var newest time.Time
	for _, kid := range parsed.IDs() {
		at, ok := parsed.Added(kid)
		if kid == before || !ok || now.Sub(at) < overlap || (beforeKnown && at.Before(beforeAdded)) {
			continue
		}
		if at.After(newest) || (at.Equal(newest) && kid > after) {
			after, newest = kid, at
		}
	}
	out := ring
	if after != before {
		if out, err = keys.Promote(out, after, now, overlap); err != nil {
			return nil, plan, fmt.Errorf("rotation: promoting %q: %w", after, err)
		}
		plan.Promoted = after
	}

	// Retire.
	if beforeKnown {
		settled := now.Sub(beforeAdded) >= overlap+life
		for _, kid := range parsed.IDs() {
			if kid == before || kid == after {
				continue
			}
			at, ok := parsed.Added(kid)
			old := !ok || now.Sub(at) >= overlap+life
			neverCurrent := ok && at.After(beforeAdded)
			if !old || !(settled || neverCurrent) {
				continue
			}
			if out, err = keys.Retire(out, kid); err != nil {
				return nil, plan, fmt.Errorf("rotation: retiring %q: %w", kid, err)
			}
			plan.Retired = append(plan.Retired, kid)
		}
		sort.Strings(plan.Retired)
	}

	if out, plan.Added, err = keys.Add(out, now); err != nil {
		return nil, plan, fmt.Errorf("rotation: adding a key: %w", err)
	}
	return out, plan, nil
}
