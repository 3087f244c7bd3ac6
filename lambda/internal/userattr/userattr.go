// Package userattr reads the user attributes the notifier and the Custom
// Email Sender write with, as the trigger reads them.
package userattr

import (
	"strings"
	"time"
)

// Name is the user's name as the trigger reads it (given_name, else name);
// the renderer decides whether to greet by it (never in an email to an
// unproven address).
func Name(attrs map[string]string) string {
	if n := attrs["given_name"]; n != "" {
		return n
	}
	return attrs["name"]
}

// Zone is the user's time zone from their zoneinfo attribute (an IANA name;
// the binary embeds the database), else UTC. "Local" names the function's
// own zone, not the user's.
func Zone(zoneinfo string) *time.Location {
	zoneinfo = strings.TrimSpace(zoneinfo)
	if zoneinfo == "" || zoneinfo == "Local" || len(zoneinfo) > 64 {
		return time.UTC
	}
	loc, err := time.LoadLocation(zoneinfo)
	if err != nil {
		return time.UTC
	}
	return loc
}
