package notify

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cogmail/cogmail/lambda/link"
)

// The wrapper the EventBridge rule's input transformer puts around a
// CloudTrail event: {"cogmail": "cloudtrail", "userPools": [...], "event":
// <the event>}. It carries pools the environment cannot: the demo pool
// names the notifier as its Post confirmation trigger, so the notifier's
// environment cannot name the pool (a cycle), but the rule, which nothing
// depends on, can.
const cloudTrailTag = "cloudtrail"

type cloudTrailWrapper struct {
	Cogmail   string          `json:"cogmail"`
	UserPools json.RawMessage `json:"userPools"` // read item by item: one bad value drops that value only
	Event     json.RawMessage `json:"event"`
}

// decodeCloudTrailWrapper reads the wrapper: the event inside as a bare
// CloudTrail event (the same id, so a bare and a wrapped copy send once),
// and the wrapper's pools.
func decodeCloudTrailWrapper(payload []byte) input {
	var w cloudTrailWrapper
	if err := json.Unmarshal(payload, &w); err != nil || w.Cogmail != cloudTrailTag || len(w.Event) == 0 || string(w.Event) == "null" {
		return input{shape: shapeCloudTrailWrapper, reason: "the CloudTrail wrapper has no event"}
	}
	in := decodeCloudTrail(w.Event)
	in.shape = shapeCloudTrailWrapper
	var bad int
	in.pools, bad = eventPools(w.UserPools)
	if bad > 0 {
		// The count only: a value that is not a pool id may be anything.
		in.warning = fmt.Sprintf("userPools: %d value(s) are not user pool ids: not served", bad)
	}
	return in
}

// eventPools reads a wrapper's userPools: the user pool ids, once each, and
// how many values are not one. Empty strings are skipped, as in
// COGMAIL_NOTIFY_POOLS: a template may leave a slot empty on purpose.
func eventPools(raw json.RawMessage) (pools []string, bad int) {
	if len(raw) == 0 {
		return nil, 0
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, 1 // not a list (null is an empty one)
	}
	for _, item := range items {
		var p string
		if err := json.Unmarshal(item, &p); err != nil || string(item) == "null" {
			bad++
			continue
		}
		switch p = strings.TrimSpace(p); {
		case p == "":
		case !link.UserPoolID(p):
			bad++
		case !slices.Contains(pools, p):
			pools = append(pools, p)
		}
	}
	return pools, bad
}

// served are the pools in's user may be in: COGMAIL_NOTIFY_POOLS, then the
// wrapper's userPools, in that order, once each.
func (n *Notifier) served(in input) []string {
	if len(in.pools) == 0 {
		return n.cfg.Pools
	}
	out := slices.Clone(n.cfg.Pools)
	for _, p := range in.pools {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// UnwrapCloudTrail is, for the rule's wrapper, the CloudTrail event inside
// and the user pools it names; for anything else, payload and nil. For
// `cogmail render`, which reads the event's user before the notifier does.
func UnwrapCloudTrail(payload []byte) (event []byte, userPools []string) {
	var w cloudTrailWrapper
	if json.Unmarshal(payload, &w) != nil || w.Cogmail != cloudTrailTag || len(w.Event) == 0 {
		return payload, nil
	}
	pools, _ := eventPools(w.UserPools)
	return w.Event, pools
}
