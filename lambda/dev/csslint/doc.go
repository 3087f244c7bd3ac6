// Package csslint checks the CSS of rendered emails against caniemail's
// support data (the caniemail npm package's data/caniemail.json, installed
// into infra/local/node_modules by make node-deps).
//
// Extract lists what an email's CSS uses: properties, at-rules, media
// features, selector features, and the value features caniemail tests on
// their own (display:none, !important, rgba(), rem unit, system-ui…), from
// style attributes and <style> elements, minding Outlook's conditional
// comments. Check holds each use to Gmail (webmail, iOS, Android), Outlook
// (Windows, Outlook.com, macOS, iOS, Android) and Apple Mail (macOS, iOS):
// the latest tested version of each must be "y", or
// templates/css-fallbacks.json must say why the email is still fine there.
//
// # The fallbacks file
//
// Each entry is keyed by the name the failure message prints (a property as
// written, "@media (prefers-color-scheme)", "Class selector", "<style>"…):
//
//	"border-radius": {
//	  "clients": ["outlook-windows"],
//	  "fallback": "Square corners in Outlook for Windows (note #1) …"
//	}
//
// "clients" names exactly the clients that lack full support (see Clients
// for the IDs); "fallback" says what they show instead and why that is fine,
// citing caniemail's notes. The test prints the entry to add, with a TODO
// reason that itself fails until it is replaced. An entry for something no
// email uses, or a client that now supports it or never renders it, fails
// too, so the file never goes stale. For a name caniemail has no feature for
// (font-family, say) "clients" is empty and the reason says why it is safe.
// Outlook's own mso- properties pass by definition.
//
// A use inside a rule that a client drops whole (a property in
// @media (prefers-color-scheme: dark) in Gmail, say) is not held to that
// client, nor is markup inside <!--[if mso]> to any client but Outlook for
// Windows, nor <!--[if !mso]><!--> markup to it.
package csslint
