package hint

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/cogmail/cogmail/lambda/dev/golden"
)

func TestNearest(t *testing.T) {
	brand := []string{"buttonTextColor", "footerLines", "logoDarkUrl", "logoUrl", "primaryColor", "productName", "supportEmail"}
	for _, tc := range []struct {
		name, want string
	}{
		{"primaryColour", "primaryColor"},
		{"primarycolor", "primaryColor"}, // case alone
		{"logoURL", "logoUrl"},
		{"suportEmail", "supportEmail"},
		{"prodcutName", "productName"}, // a swap is one edit
		{"font", ""},                   // nothing near
		{"productName", ""},            // known: no suggestion
		{"colour", ""},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			got, ok := Nearest(tc.name, brand)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.want != "", ok)
		})
	}
	t.Run("case=swapped letters in a short name", func(t *testing.T) {
		got, ok := Nearest("fwe", []string{"few", "many", "one", "other", "two", "zero"})
		assert.True(t, ok)
		assert.Equal(t, "few", got)
	})
	t.Run("case=did you mean", func(t *testing.T) {
		assert.Equal(t, `; did you mean "reset.heading"?`, DidYouMean("reset.headline", []string{"reset.button", "reset.heading"}))
		assert.Empty(t, DidYouMean("x", nil))
	})
}

func TestSyntax(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"trailing comma", "{\n  \"a\": 1,\n}", "3:1: invalid character '}' looking for beginning of object key string"},
		{"missing colon", `{"a" 1}`, "1:6: invalid character '1' after object key"},
		{"columns count characters", "{\"ä\": 1,, }", "1:9: invalid character ','"},
		{"empty", " \n", "the file is empty"},
		{"cut short", `{"a": [1,`, "unexpected EOF"},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			var v any
			err := Syntax([]byte(tc.data), json.Unmarshal([]byte(tc.data), &v))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestTrailing(t *testing.T) {
	data := []byte("{}\n\n  ]")
	assert.EqualError(t, Trailing(data, 2, "data after the object"), "3:3: data after the object")
	assert.NoError(t, Trailing([]byte("{} \n"), 2, "x"))
}
