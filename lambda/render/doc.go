// Package render turns one message into the subject, HTML body and SMS text
// Cognito sends, in the tenant's brand and the user's language; and a
// notice, or a message in sender mode (Message.Sent), into the subject,
// HTML and text parts cogmail sends itself through SES.
//
// The embedded templates and catalogs are parsed on first use (Open): a
// cold start parses the layout, the one template and the languages its
// message needs; a tenant's overrides are read, and checked, on its first
// message; each email's compiled form is made on its second (compile.go).
// Text is cleaned where it is written, to fit Cognito's rules (clean.go);
// checking the answer is the gate's, not this package's.
//
// The files follow the path of a message, and each calls only into itself
// and the files after it, so that a reader goes down, never back up
// (files_test.go holds them to it):
//
//	render.go     the Renderer, Message and Email; Render, the way in
//	texts.go      Texts: the same words for pages, the other way in
//	notice.go     notices and sender mode: the HTML and text parts sent through SES, executed every time
//	compile.go    an email's compiled form: static parts and slots
//	page.go       executing a template: the page it sees, and what each message shows
//	view.go       a tenant's view: the base templates and catalogs with its overrides
//	words.go      looking a key up along the language chain
//	validate.go   checking catalogs against English, and everything at once (New, Validate)
//	templates.go  the base templates, parsed per message on first use
//	catalog.go    the base catalogs, parsed per language on first use; reading catalog files
//	pseudo.go     the pseudo-locale, derived from English
//	scan.go       the fast reader of well-formed catalogs
//	text.go       what catalogs hold: entries, plural forms, {tokens}
//	clean.go      cleaning text to fit Cognito's rules
package render
