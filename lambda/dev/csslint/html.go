// The HTML side of Extract: markup scanning, Outlook's conditional comments,
// start tags, style attributes and <style> elements.

package csslint

import (
	"html"
	"regexp"
	"strings"
)

// Elements whose content is text, not markup, up to their end tag.
var rawText = map[string]bool{"style": true, "script": true, "textarea": true, "title": true, "xmp": true}

var conditionalStart = regexp.MustCompile(`(?is)^<!--\[if([^\]]*)\]>(<!-->)?`)

const (
	revealedEnd = "<!--<![endif]-->"
	hiddenEnd   = "<![endif]-->"
)

// html scans markup, keeping track of conditional comments.
func (x *extractor) html(doc string, aud Audience) {
	stack := []Audience{aud}
	cur := func() Audience { return stack[len(stack)-1] }
	for i := 0; i < len(doc); {
		lt := strings.IndexByte(doc[i:], '<')
		if lt < 0 {
			return
		}
		i += lt
		rest := doc[i:]
		switch {
		case strings.HasPrefix(rest, revealedEnd):
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			i += len(revealedEnd)
		case strings.HasPrefix(rest, "<!--"):
			if m := conditionalStart.FindStringSubmatch(rest); m != nil {
				cond := conditionAudience(m[1])
				if m[2] != "" {
					// <!--[if !mso]><!--> … <!--<![endif]-->: markup to every
					// client but the one the condition keeps out; with a
					// positive condition, markup to all.
					next := cur()
					if cond == NotMSO {
						next = next.within(NotMSO)
					}
					stack = append(stack, next)
					i += len(m[0])
					continue
				}
				// <!--[if mso]> … <![endif]-->: a comment, except to Outlook for Windows.
				body := rest[len(m[0]):]
				end := strings.Index(body, hiddenEnd)
				if end < 0 {
					end = len(body)
				}
				if cond == OnlyMSO {
					x.html(body[:end], cur().within(OnlyMSO))
				}
				i += len(m[0]) + min(end+len(hiddenEnd), len(body))
				continue
			}
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return
			}
			i += 4 + end + 3
		case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "</") || strings.HasPrefix(rest, "<?"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return
			}
			i += end + 1
		case len(rest) > 1 && isLetter(rest[1]):
			name, attrs, n := startTag(rest)
			i += n
			if style, ok := attrs["style"]; ok && cur() != Nobody {
				x.inline(name, style, cur())
			}
			if rawText[name] {
				end := indexFold(doc[i:], "</"+name)
				if end < 0 {
					end = len(doc) - i
				}
				if name == "style" && cur() != Nobody {
					x.styleSheet(doc[i:i+end], cur())
				}
				i += end
			}
		default:
			i++
		}
	}
}

// conditionAudience reads a conditional comment's condition: Outlook for
// Windows evaluates it; every other client treats the block as a comment
// (hidden form) or ignores the condition (revealed form).
func conditionAudience(cond string) Audience {
	c := strings.ToLower(strings.Join(strings.Fields(cond), " "))
	if strings.Contains(c, "!mso") || strings.Contains(c, "! mso") || strings.Contains(c, "not mso") {
		return NotMSO
	}
	return OnlyMSO
}

// startTag reads "<name attr=… >" at s[0]: the lower-case name, the
// attributes (entity-decoded) and the tag's length.
func startTag(s string) (name string, attrs map[string]string, n int) {
	i := 1
	for i < len(s) && !isSpace(s[i]) && s[i] != '>' && s[i] != '/' {
		i++
	}
	name = strings.ToLower(s[1:i])
	attrs = map[string]string{}
	for i < len(s) {
		for i < len(s) && (isSpace(s[i]) || s[i] == '/') {
			i++
		}
		if i >= len(s) || s[i] == '>' {
			break
		}
		start := i
		for i < len(s) && !isSpace(s[i]) && s[i] != '>' && s[i] != '/' && s[i] != '=' {
			i++
		}
		if i == start { // a stray character
			i++
			continue
		}
		key := strings.ToLower(s[start:i])
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		value := ""
		if i < len(s) && s[i] == '=' {
			i++
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			if i < len(s) && (s[i] == '"' || s[i] == '\'') {
				q := s[i]
				end := strings.IndexByte(s[i+1:], q)
				if end < 0 {
					end = len(s) - i - 1
				}
				value = s[i+1 : i+1+end]
				i += end + 2
			} else {
				start := i
				for i < len(s) && !isSpace(s[i]) && s[i] != '>' {
					i++
				}
				value = s[start:i]
			}
		}
		if _, dup := attrs[key]; !dup { // HTML keeps the first
			attrs[key] = html.UnescapeString(value)
		}
	}
	return name, attrs, min(i+1, len(s))
}

func (x *extractor) inline(tag, style string, aud Audience) {
	ctx := "<" + tag + ` style="` + clip(oneLine(style), 80) + `">`
	css, comments := stripComments(style)
	if comments {
		x.add(Use{Name: nameComments, Decl: clip(oneLine(style), 80), Context: ctx, Audience: aud})
	}
	x.declarations(css, ctx, nil, aud)
}

// styleSheet reads a <style> element's text.
func (x *extractor) styleSheet(text string, aud Audience) {
	x.add(Use{Name: nameStyle, Decl: "<style>", Context: "<style>", Audience: aud})
	css, comments := stripComments(text)
	if comments {
		x.add(Use{Name: nameComments, Decl: "/* … */", Context: "<style>", Within: []string{nameStyle}, Audience: aud})
	}
	x.rules(css, "<style>", []string{nameStyle}, aud, false)
}
