// Package deploy holds no code: its tests check the deployment files at the
// module root. TestTemplateLints runs cfn-lint (with the SAM translator) over
// template.yaml, and TestTemplateShape pins the facts the function relies on —
// runtime, architecture, memory, Cognito's 5-second timeout, JSON logs with a
// retention, and a demo pool that sends through SES — so that an edit to the
// template which lints clean but breaks one of them still fails `go test
// ./...`. The other tests pin what makes one `sam deploy` enough: no
// dependency cycle between the function, its page, the demo pool and the
// page's configuration secret; the page URL and overlay layer wiring; and
// grants that only read the secrets they name.
package deploy
