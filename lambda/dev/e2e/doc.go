// Package e2e holds the end-to-end tests (TestE2E…): the whole journey a
// user takes, against cognito-local as the Cognito peer, the Lambda under the
// Runtime Interface Emulator, the reference page, and Debian's Chromium
// driven by Playwright. `go test -run E2E ./lambda/dev/e2e` selects them; they
// skip, saying why, only where Node.js, cognito-local or Chromium is absent.
package e2e
