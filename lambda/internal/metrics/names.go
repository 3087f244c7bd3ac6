// Package metrics writes CloudWatch Embedded Metric Format into the one JSON
// log line each invocation already writes, and names every metric,
// dimension and value once: the functions emit these names and
// template.yaml's alarms and dashboard read them (a deploy test checks).
package metrics

// DefaultNamespace is the CloudWatch namespace; COGMAIL_METRICS_NAMESPACE
// overrides it.
const (
	DefaultNamespace = "cogmail"
	EnvNamespace     = "COGMAIL_METRICS_NAMESPACE"
)

// Metric names.
const (
	Answers      = "Answers"      // trigger: one per answer, by Kind and Outcome
	RenderMillis = "RenderMillis" // trigger: time to write the answer, by Kind
	EmailChars   = "EmailChars"   // trigger: the email's size in characters, by Kind
	LinkChecks   = "LinkChecks"   // page: links verified, by Result
	PageActions  = "PageActions"  // page: resets, activations, confirmations and reports, by Action and Result
	PageErrors   = "PageErrors"   // page: answers with a 5xx status
	Notices      = "Notices"      // notifier: one per event, by Kind and Outcome
	Sent         = "Sent"         // sender: one per event, by Kind and Outcome
	// TenantsRefused: a tenant version read from S3 that failed its checks
	// and is not served (every function; the tenant is a property).
	TenantsRefused = "TenantsRefused"
)

// Dimension names. Every metric also carries Function.
const (
	DimFunction = "Function"
	DimKind     = "Kind"
	DimOutcome  = "Outcome"
	DimResult   = "Result"
	DimAction   = "Action"
)

// Function dimension values.
const (
	FunctionTrigger  = "trigger"
	FunctionPage     = "page"
	FunctionNotifier = "notifier"
	FunctionSender   = "sender"
)

// Outcome values the alarms watch.
const (
	OutcomeRendered       = "rendered"
	OutcomeFallback       = "fallback"
	OutcomePassthrough    = "passthrough"
	OutcomeCognitoDefault = "cognito-default"
)

// KindOther is the Kind of an event a function does not render or send.
const KindOther = "other"
