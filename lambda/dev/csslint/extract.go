// Extract and what it reports: a Use of a CSS feature, and the Audience of
// clients that render it.

package csslint

// Use is one CSS feature used by an email.
type Use struct {
	// Name is what templates/css-fallbacks.json keys: a property as written
	// ("border-radius", "-webkit-text-size-adjust", "mso-hide"), an at-rule
	// ("@media"), a media feature ("@media (prefers-color-scheme)"), a value
	// feature ("display:none", "!important", "rgba()", "rem unit",
	// "system-ui"), a selector feature ("Class selector", ":hover"),
	// "<style>" or "CSS comments".
	Name string
	// Decl is the declaration, rule or prelude it was found in, as written:
	// "border-radius:8px", "@media (prefers-color-scheme: dark)".
	Decl string
	// Context is where: `<td style="…">`, `<style> .cm-body`, `<style>
	// @media (prefers-color-scheme: dark) { .cm-body }`.
	Context string
	// Within lists the features this use takes effect only through, outermost
	// first: "<style>", "@media", "@media (prefers-color-scheme)". A client
	// that supports none of one of them never applies this use, so Check does
	// not hold it to that client.
	Within []string
	// Audience is who renders it, from Outlook's conditional comments.
	Audience Audience
	// Source names the email, for messages; Extract leaves it empty.
	Source string
}

// Audience is which clients render a piece of HTML.
type Audience int

const (
	// Everyone renders it.
	Everyone Audience = iota
	// OnlyMSO: inside <!--[if mso]>…<![endif]-->, which only Outlook for
	// Windows renders; every other client reads a comment.
	OnlyMSO
	// NotMSO: inside <!--[if !mso]><!-->…<!--<![endif]-->, which every client
	// but Outlook for Windows renders.
	NotMSO
	// Nobody: hidden from Outlook for Windows inside a block only it reads.
	Nobody
)

func (a Audience) sees(client string) bool {
	switch a {
	case OnlyMSO:
		return client == MSO
	case NotMSO:
		return client != MSO
	case Nobody:
		return false
	}
	return true
}

func (a Audience) within(inner Audience) Audience {
	switch {
	case a == Everyone:
		return inner
	case inner == Everyone || inner == a:
		return a
	}
	return Nobody
}

// Extract lists the CSS features used by an HTML email: in style attributes
// and in <style> elements, with where each came from. Comments are skipped,
// except Outlook's conditional ones, whose content counts for the clients
// that render it.
func Extract(doc string) []Use {
	var x extractor
	x.html(doc, Everyone)
	return x.uses
}

type extractor struct{ uses []Use }

func (x *extractor) add(u Use) { x.uses = append(x.uses, u) }

// Names of the uses that are not properties.
const (
	nameStyle     = "<style>"
	nameComments  = "CSS comments"
	nameImportant = "!important"
	nameNesting   = "CSS nesting"
	nameCustom    = "--*"
)
