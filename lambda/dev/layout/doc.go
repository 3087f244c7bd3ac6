// Package layout holds no code: its tests keep the tree's one rule about
// imports, that what ships never links development tooling. The functions
// (lambda/cmd/bootstrap, lambda/cmd/pagefn) are built from the standard
// library, cogmail's shipped packages and the AWS and golang.org/x/text
// modules only; outside lambda/dev and the operator's CLI (lambda/cmd/cogmail)
// only test files may import lambda/dev. ARCHITECTURE.md explains why.
package layout
