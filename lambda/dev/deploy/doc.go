// Package deploy holds no code: its tests check the deployment files at the
// module root. TestTemplateLints runs cfn-lint (with the SAM translator) over
// template.yaml, and TestTemplateShape pins the facts the function relies on —
// runtime, architecture, memory, Cognito's 5-second timeout, JSON logs with a
// retention, and a demo pool that sends through SES — so that an edit to the
// template which lints clean but breaks one of them still fails `go test
// ./...`. The other tests pin what makes one `sam deploy` enough: no
// dependency cycle between the functions, the page, the notifier, the demo
// pool and the page's configuration secret; the page URL and overlay layer
// wiring; the notifier's environment, Post confirmation wiring, rule pattern
// (run by moto_server's EventBridge against events/cloudtrail), the rule's
// input transformer (its intrinsics resolved for every combination of the
// demo pool and UserPoolIds, the result parsed around a stand-in event) and
// dead-letter queue; the Custom Email Sender mode (MessageMode: the demo
// pool's trigger, the KMS key and its policy, the sender's environment,
// retries and dead-letter queue, the rules that refuse a sender that could
// send nothing); least privilege, every grant listed with the resources it
// names, each function's grants against the AWS calls its code declares,
// kms:Decrypt for the sender alone and conditioned on its pools, and what
// SAM adds to the roles (its translation, when cfn-lint is installed); a
// Makefile target per function; a deploy guide that documents every
// parameter; the alarms (each metric one the code emits, with the
// dimensions it emits, read from the metrics.Metric literals of lambda/;
// every function, dead-letter queue and metric filter watched; a runbook
// section in infra/README.md per alarm) and the dashboard; and the keyring's
// rotation schedule and function.
package deploy
