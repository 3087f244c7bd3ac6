// Package layout holds no code: its tests keep the tree's one rule about
// imports, that what ships never links development tooling. The functions
// (lambda/cmd/bootstrap, lambda/cmd/pagefn, lambda/cmd/notifier,
// lambda/cmd/sender) are built from the standard library, cogmail's shipped
// packages and the AWS and golang.org/x/text modules only, the sender with
// the AWS Encryption SDK besides, which no other function links; outside
// lambda/dev and the operator's CLI (lambda/cmd/cogmail) only test files may
// import lambda/dev. ARCHITECTURE.md explains why.
package layout
