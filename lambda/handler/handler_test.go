package handler_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/dev/golden"
	"github.com/cogmail/cogmail/lambda/gate"
	"github.com/cogmail/cogmail/lambda/handler"
	"github.com/cogmail/cogmail/lambda/keys"
	"github.com/cogmail/cogmail/lambda/link"
	"github.com/cogmail/cogmail/lambda/trigger"
)

// TestRecordedEvents compares every recorded event's full answer with its
// golden file, and checks what must hold whatever the golden file says:
// rendered answers pass the gate, other events come back byte for byte.
func TestRecordedEvents(t *testing.T) {
	h, _ := fixture(t, nil)
	for name, payload := range recorded(t) {
		t.Run("event="+name, func(t *testing.T) {
			out, a := invoke(t, h, payload)

			var pretty bytes.Buffer
			require.NoError(t, json.Indent(&pretty, out, "", "  "))
			pretty.WriteByte('\n')
			golden.Assert(t, filepath.Join(eventsDir, "golden", name+".json"), pretty.Bytes())

			kind, known := trigger.Of(a.TriggerSource)
			rendersByContract := known && a.Request.CodeParameter != "" &&
				(!kind.NeedsUsername() || a.Request.UsernameParameter != "")
			if !rendersByContract {
				assert.Equal(t, string(payload), string(out), "an event cogmail does not render goes back unchanged")
				return
			}
			require.True(t, a.rendered(), "a renderable event must get an email")
			golden.Assert(t, filepath.Join(eventsDir, "golden", name+".html"), []byte(a.email()))
			assert.NoError(t, gate.Check(a.gateMessage()))
			assertKeepsEveryField(t, payload, out)
		})
	}
}

// assertKeepsEveryField checks that the answer holds every field of the
// event, unknown ones included, with only the response's three fields set.
func assertKeepsEveryField(t *testing.T, payload, out []byte) {
	t.Helper()
	var in, got map[string]any
	require.NoError(t, json.Unmarshal(payload, &in))
	require.NoError(t, json.Unmarshal(out, &got))
	for k, v := range in {
		if k == "response" {
			continue
		}
		assert.Equal(t, v, got[k], "field %s", k)
	}
	if resp, ok := in["response"].(map[string]any); ok {
		gotResp := got["response"].(map[string]any)
		for k, v := range resp {
			if k != "emailSubject" && k != "emailMessage" && k != "smsMessage" {
				assert.Equal(t, v, gotResp[k], "response field %s", k)
			}
		}
	}
}

func TestResetEmail(t *testing.T) {
	h, _ := fixture(t, nil)
	_, a := invoke(t, h, readEvent(t, "forgot-password"))
	body := a.email()

	links := hrefs(body)
	require.NotEmpty(t, links)
	signed := links[0]
	t.Run("case=the button is the first link and carries the literal placeholder", func(t *testing.T) {
		assert.Contains(t, signed, "&code={####}", "Cognito only substitutes the literal placeholder")
		assert.NotContains(t, strings.ToLower(body), "%7b%23%23%23%23%7d")
		assert.True(t, strings.HasPrefix(signed, "https://app.example.com/reset-password?"), signed)
	})
	t.Run("case=the link verifies and binds the user, tenant, language and purpose", func(t *testing.T) {
		claims, err := link.Verify(strings.Replace(signed, "{####}", "123456", 1), keys.Development(), testNow)
		require.NoError(t, err)
		assert.Equal(t, link.PurposeReset, claims.Purpose)
		assert.Equal(t, a.UserName, claims.Username)
		assert.Equal(t, "default", claims.Tenant)
		assert.Equal(t, "en", claims.Locale)
		assert.Equal(t, testNow.Add(3600e9), claims.Expires)
		assert.Equal(t, "123456", claims.Code)
	})
	t.Run("case=order: button, code, raw link, expiry, not-you", func(t *testing.T) {
		button := strings.Index(body, "<a href=")
		code := strings.Index(body, ">{####}<")
		raw := strings.Index(body, ">https://app.example.com/reset-password?")
		expiry := strings.Index(body, "expire in 1 hour")
		notYou := strings.Index(body, "did not ask")
		for _, at := range []int{button, code, raw, expiry, notYou} {
			require.GreaterOrEqual(t, at, 0, body)
		}
		assert.True(t, button < code && code < raw && raw < expiry && expiry < notYou,
			"button %d, code %d, raw link %d, expiry %d, not-you %d", button, code, raw, expiry, notYou)
		hrefEnd := button + strings.Index(body[button:], `" `)
		first := strings.Index(body, "{####}")
		assert.True(t, button < first && first < hrefEnd,
			"the first {####} in the document must be the button's: cognito-local substitutes only the first")
	})
	t.Run("case=html lang and dir", func(t *testing.T) {
		assert.Contains(t, body, `<html lang="en" dir="ltr">`)
	})
}

func TestInviteEmail(t *testing.T) {
	h, _ := fixture(t, nil)
	for _, name := range []string{"admin-create-user", "local-admin-create-user", "odd-admin-create-user-email-pool", "odd-hostile-attributes"} {
		t.Run("event="+name, func(t *testing.T) {
			_, a := invoke(t, h, readEvent(t, name))
			body := a.email()
			links := hrefs(body)
			require.NotEmpty(t, links)
			for _, l := range links {
				decoded, _ := url.QueryUnescape(l)
				for _, p := range []string{"{####}", "{username}"} {
					assert.NotContains(t, l, p, "a credential placeholder must never be in a URL")
					assert.NotContains(t, decoded, p)
				}
			}
			claims, err := link.Verify(links[0], keys.Development(), testNow)
			require.NoError(t, err)
			assert.Equal(t, link.PurposeInvite, claims.Purpose)
			assert.Equal(t, a.UserName, claims.Username)
			assert.Equal(t, "", claims.Code)
			assert.Contains(t, body, ">{username}</textarea>")
			assert.Contains(t, body, ">{####}</textarea>")
			assert.Contains(t, body, "expires in 7 days")
		})
	}
}

// The caller of ForgotPassword sets clientMetadata: whatever it says, the
// link goes to the tenant's configured page.
func TestClientMetadataCannotMoveTheLink(t *testing.T) {
	h, _ := fixture(t, nil)
	_, a := invoke(t, h, readEvent(t, "odd-client-metadata-attack"))
	body := a.email()
	for _, l := range hrefs(body) {
		u, err := url.Parse(l)
		require.NoError(t, err)
		assert.Equal(t, "app.example.com", u.Host)
		assert.Equal(t, "/reset-password", u.Path)
		assert.Equal(t, "default", u.Query().Get("tenant"))
		assert.Equal(t, "en", u.Query().Get("locale"))
	}
	assert.NotContains(t, body, "evil")
}

func TestHostileAttributes(t *testing.T) {
	h, _ := fixture(t, nil)
	_, a := invoke(t, h, readEvent(t, "odd-hostile-attributes"))
	body := a.email()
	assert.NotContains(t, body, "<script", "attributes are escaped")
	assert.Contains(t, body, "&lt;script&gt;")
	assert.Less(t, gate.Length(body), 10000, "a 3,000-character attribute must not inflate the body")
}

// Setup only logs why the templates failed; Validate, which cogmail check
// reports, must say it too.
func TestValidateSaysWhyTemplatesFailed(t *testing.T) {
	h := handler.New(handler.Config{RendererErr: errors.New("layout.html.tmpl:3: unexpected EOF")})
	err := h.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "templates failed to load: layout.html.tmpl:3: unexpected EOF")
}
