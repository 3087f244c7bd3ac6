package handler

// Unexported helpers the external tests check directly.
var (
	ExampleHost = exampleHost
	PageBase    = pageBase
)
