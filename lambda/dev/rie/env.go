// The environment Lambda gives a function that the emulator does not.

package rie

import (
	"strings"
)

// WithLambdaDefaults returns env plus the variables Lambda always sets for a
// function but the emulator does not, each only when env lacks it, so that a
// caller's own choice wins:
//   - AWS_REGION, from AWS_DEFAULT_REGION when set, else us-east-1 (the
//     region of the function ARN the emulator reports);
//   - AWS_DEFAULT_REGION, equal to AWS_REGION;
//   - TZ=:UTC, so that dates render as they will in Lambda rather than in the
//     developer's time zone.
//
// Variables the emulator sets itself (AWS_LAMBDA_FUNCTION_NAME and the other
// AWS_LAMBDA_* ones) are left to it.
func WithLambdaDefaults(env []string) []string {
	out := append([]string(nil), env...)
	region := lookup(env, "AWS_REGION")
	if region == "" {
		region = lookup(env, "AWS_DEFAULT_REGION")
		if region == "" {
			region = "us-east-1"
		}
		out = append(out, "AWS_REGION="+region)
	}
	if lookup(env, "AWS_DEFAULT_REGION") == "" {
		out = append(out, "AWS_DEFAULT_REGION="+region)
	}
	if _, ok := lookupOK(env, "TZ"); !ok {
		out = append(out, "TZ=:UTC")
	}
	return out
}

// lookup returns the value of key in env; like exec.Cmd, the last entry wins.
func lookup(env []string, key string) string {
	v, _ := lookupOK(env, key)
	return v
}

func lookupOK(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}
