// Package e2e holds the end-to-end tests (TestE2E…): the whole journey a
// user takes, against cognito-local as the Cognito peer, the Lambda under the
// Runtime Interface Emulator, the reference page, and Debian's Chromium
// driven by Playwright; with moto_server, the notifier too (TestE2ENotify…:
// its SES, DynamoDB and dead-letter queue are moto_server's), and the Custom
// Email Sender mode in a second stack (TestE2ESender…: KMS and SES from
// moto_server). `go test -run E2E ./lambda/dev/e2e` selects them; they
// skip, saying why, only where Node.js, cognito-local, Chromium or (for the
// notifier's and the sender's) moto_server is absent.
package e2e
