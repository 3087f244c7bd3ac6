package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cogmail/cogmail/lambda/dev/tenantsync"
)

// tenantsSubUsage is each subcommand's usage, for `cogmail tenants CMD -h`.
var tenantsSubUsage = map[string]string{
	"push": `  cogmail tenants push [-dry-run] DIR s3://BUCKET/PREFIX/
                            check DIR's tenants (DIR/tenants/<id>/) as cogmail check -templates DIR
                            does and refuse, uploading nothing, on any failure or on a tenant id or
                            match value another tenant (in S3 or embedded) owns; else upload each
                            tenant's changed files, its manifest, then the index; print per tenant
                            added, changed (n files) or unchanged. -dry-run prints what would change
`,
	"pull": `  cogmail tenants pull s3://BUCKET/PREFIX/ DIR [ID…]
                            write S3's tenants (all in its index, or the IDs) to DIR/tenants/<id>/,
                            each folder then holding exactly the files S3 has
`,
	"diff": `  cogmail tenants diff DIR s3://BUCKET/PREFIX/
                            print what differs between DIR's tenants and S3's, per tenant and file:
                            only-local, only-in-S3, differs (with a short line diff); exit 1 when
                            anything differs, 0 when nothing does, 2 on trouble (as diff(1))
`,
	"rm": `  cogmail tenants rm ID… s3://BUCKET/PREFIX/
                            take tenants out of S3: out of the index first, then their files
`,
}

// tenantsUsage is `cogmail tenants`'s part of `cogmail -h`.
var tenantsUsage = tenantsSubUsage["push"] + tenantsSubUsage["pull"] + tenantsSubUsage["diff"] + tenantsSubUsage["rm"]

const tenantsNote = `
S3 is reached as the AWS CLI reaches it: credentials and region from the
environment or a profile (AWS_PROFILE), an endpoint from AWS_ENDPOINT_URL_S3.
The role needs s3:GetObject, s3:PutObject and s3:DeleteObject on the prefix
and s3:ListBucket on the bucket for it (infra/README.md). Layout, and how
the functions read it: templates/README.md, "Tenants in S3".
`

// tenantsCmd moves tenants between a templates folder and S3:
// `cogmail tenants push|pull|diff|rm`.
func tenantsCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "cogmail tenants: give one of push, pull, diff, rm\nusage:\n%s%s", tenantsUsage, tenantsNote)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(stdout, "usage:\n%s%s", tenantsUsage, tenantsNote)
		return 0
	}
	sub := args[0]
	if _, ok := tenantsSubUsage[sub]; !ok {
		fmt.Fprintf(stderr, "cogmail tenants: unknown command %q\nusage:\n%s%s", sub, tenantsUsage, tenantsNote)
		return 2
	}
	flags := flag.NewFlagSet("tenants "+sub, flag.ContinueOnError)
	dryRun := false
	if sub == "push" {
		flags.BoolVar(&dryRun, "dry-run", false, "print what would change, and change nothing")
	}
	flags.SetOutput(io.Discard) // the usage is ours
	flags.Usage = func() {}
	switch err := flags.Parse(args[1:]); {
	case errors.Is(err, flag.ErrHelp):
		tenantsCommandUsage(stdout, flags, sub)
		return 0
	case err != nil:
		return tenantsUsageError(flags, sub, stderr, "%v", err)
	}
	rest := flags.Args()

	// Each subcommand's S3 URL and other arguments.
	var raw, dir string
	var ids []string
	switch sub {
	case "push", "diff":
		if len(rest) != 2 {
			return tenantsUsageError(flags, sub, stderr, "give DIR and s3://BUCKET/PREFIX/")
		}
		dir, raw = rest[0], rest[1]
	case "pull":
		if len(rest) < 2 {
			return tenantsUsageError(flags, sub, stderr, "give s3://BUCKET/PREFIX/ and DIR")
		}
		raw, dir, ids = rest[0], rest[1], rest[2:]
	case "rm":
		if len(rest) < 2 {
			return tenantsUsageError(flags, sub, stderr, "give one tenant id or more, then s3://BUCKET/PREFIX/")
		}
		ids, raw = rest[:len(rest)-1], rest[len(rest)-1]
	}
	target, err := tenantsync.ParseURL(raw)
	if err != nil {
		return tenantsUsageError(flags, sub, stderr, "%v", err)
	}
	if sub == "push" || sub == "diff" {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			return tenantsUsageError(flags, sub, stderr, "%s is not a folder", dir)
		}
	}
	client, err := tenantsync.NewClient(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "cogmail tenants %s: %v\n", sub, err)
		return 1
	}
	s := &tenantsync.Sync{S3: client, To: target}
	switch sub {
	case "push":
		err = s.Push(ctx, dir, tenantsync.PushOptions{DryRun: dryRun, Out: stdout, Getenv: getenv})
	case "pull":
		err = s.Pull(ctx, dir, ids, stdout)
	case "rm":
		err = s.Remove(ctx, ids, stdout)
	case "diff":
		differs, err := s.Diff(ctx, dir, stdout)
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "cogmail tenants diff: %v\n", err)
			return 2
		case differs:
			return 1
		}
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "cogmail tenants %s: %v\n", sub, err)
		return 1
	}
	return 0
}

func tenantsUsageError(flags *flag.FlagSet, sub string, stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "cogmail tenants %s: %s\n", sub, fmt.Sprintf(format, args...))
	tenantsCommandUsage(stderr, flags, sub)
	return 2
}

func tenantsCommandUsage(w io.Writer, flags *flag.FlagSet, sub string) {
	fmt.Fprintf(w, "usage:\n%s", tenantsSubUsage[sub])
	printFlags(w, flags)
	fmt.Fprint(w, tenantsNote)
}
