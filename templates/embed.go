// Package templates embeds the email templates, message catalogs and tenant
// configurations, so the function carries everything it renders with. They
// cannot change after the build, whose tests and `cogmail check` validate
// them whole; a cold start only parses what its first message needs.
package templates

import "embed"

// FS holds layout.html.tmpl and one template per message, layout.txt.tmpl
// and one text template per notice, locales/<lang>.json and
// tenants/<id>/tenant.json.
//
//go:embed *.html.tmpl *.txt.tmpl locales tenants pages
var FS embed.FS
