package event_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cogmail/cogmail/lambda/event"
)

// oddPayloads are shapes the scanner must read exactly as encoding/json does.
var oddPayloads = map[string]string{
	"duplicate names, the last counts": `{"triggerSource":"a","triggerSource":"b","request":{"codeParameter":"x"},"request":{"codeParameter":"y",` +
		`"codeParameter":"z","userAttributes":{"email":"1"},"userAttributes":{"email":"2","email":"3"}}}`,
	"duplicate object then null": `{"callerContext":{"clientId":"c"},"callerContext":null,"request":{"userAttributes":{"a":"1"},"userAttributes":null}}`,
	"duplicate null then object": `{"callerContext":null,"callerContext":{"clientId":"c"}}`,
	"escaped names":              `{"trigger\u0053ource":"CustomMessage_SignUp","req\u0075est":{"code\u0050arameter":"{####}","userAttributes":{"e\u006dail":"a@example.com","a\\b":"x","a\"b":"y","\/":"slash"}}}`,
	"escaped values":             `{"userName":"a\"b\\c\/d\n\u00e9\ud83d\ude00","request":{"codeParameter":"{\u0023###}","userAttributes":{"s":"\u2028\t","lone":"\ud800x"}}}`,
	"invalid UTF-8 in values":    "{\"userName\":\"a\xffb\",\"request\":{\"userAttributes\":{\"x\":\"\xc3\x28\",\"y\":\"\xed\xa0\x80\"}}}",
	"invalid UTF-8 in names":     "{\"request\":{\"userAttributes\":{\"\xff\":\"bad name\",\"\xef\xbf\xbd\":\"replacement\"}}}",
	"brackets and quotes inside strings": `{"a":"}]\"{[","b":["}",{"c":"]"}],"userName":"u","request":{"x":"{\"codeParameter\":1}",` +
		`"codeParameter":"{####}","userAttributes":{"k":"{\"v\":1}"}}}`,
	"whitespace everywhere":                   " \t\n{ \"userName\" \r\n: \"u\" , \"request\" :{ \"userAttributes\" : { \"n\" : 1.5e-3 , \"b\" : false } } } \n",
	"numbers kept as written":                 `{"userName":-0.0,"userPoolId":1E+2,"triggerSource":123456789012345678901234567890,"request":{"userAttributes":{"n":1e400,"m":-12.50}}}`,
	"literals":                                `{"userName":true,"userPoolId":false,"triggerSource":null,"request":{"codeParameter":null,"usernameParameter":false,"userAttributes":{"t":true,"f":false,"n":null}}}`,
	"names differing in case":                 `{"TriggerSource":"no","triggersource":"no","request":{"userAttributes":{"Email":"E","email":"e"}}}`,
	"empty names and values":                  `{"":"","request":{"":{},"userAttributes":{"":"empty","e":""}}}`,
	"deep nesting":                            `{"x":[[[[{"a":[{"b":{"c":[1,{"d":"}"}]}}]}]]]],"userName":"deep"}`,
	"wrong types at every level":              `{"callerContext":[{"clientId":"c"}],"request":[{"codeParameter":"x"}],"userAttributes":{"a":"top-level, not in request"}}`,
	"client metadata":                         `{"request":{"clientMetadata":{"locale":"pt-BR","n":7,"o":{},"locale":"fr"}}}`,
	"request a string":                        `{"request":"{\"codeParameter\":\"x\"}"}`,
	"empty object":                            `{}`,
	"empty object with spaces":                " { \n } ",
	"response not an object":                  `{"response":[1,2]}`,
	"response twice":                          `{"response":{"a":1},"userName":"u","response":{"b":2,"emailSubject":"old"}}`,
	"response with escaped names":             `{"response":{"email\u0053ubject":"old","sms\u004dessage":null,"keep":"<&>","keep":2}}`,
	"response pretty":                         "{\n  \"response\" : {\n    \"smsMessage\" : null ,\n    \"other\" : [ 1 , 2 ]\n  }\n}\n",
	"response last member, no trailing space": `{"a":1,"response":null}`,
}

// reference reads payload as the old encoding/json implementation did. ok
// is false when encoding/json does not read it as an object.
type reference struct {
	fields     [6]string // triggerSource, userPoolId, userName, clientId, codeParameter, usernameParameter
	attributes map[string]string
	metadata   map[string]string
}

func decode(payload []byte) (map[string]any, bool) {
	if !json.Valid(payload) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var top map[string]any
	if dec.Decode(&top) != nil || top == nil {
		return nil, false
	}
	return top, true
}

// asText is the documented conversion: strings as they are, numbers and
// booleans as their literal text, anything else as "".
func asText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

func asTexts(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = asText(v)
	}
	return out
}

func referenceOf(payload []byte) (reference, bool) {
	top, ok := decode(payload)
	if !ok {
		return reference{}, false
	}
	caller, _ := top["callerContext"].(map[string]any)
	request, _ := top["request"].(map[string]any)
	return reference{
		fields: [6]string{
			asText(top["triggerSource"]), asText(top["userPoolId"]), asText(top["userName"]),
			asText(caller["clientId"]), asString(request["codeParameter"]), asString(request["usernameParameter"]),
		},
		attributes: asTexts(request["userAttributes"]),
		metadata:   asTexts(request["clientMetadata"]),
	}, true
}

// checkEquivalent fails when Parse reads payload otherwise than encoding/json.
func checkEquivalent(t *testing.T, payload []byte) {
	t.Helper()
	e, err := event.Parse(payload)
	want, ok := referenceOf(payload)
	if !ok {
		require.Error(t, err, "encoding/json does not read this as an object")
		require.Nil(t, e)
		return
	}
	require.NoError(t, err)
	got := [6]string{e.TriggerSource, e.UserPoolID, e.UserName, e.ClientID, e.CodeParameter, e.UsernameParameter}
	require.Equal(t, want.fields, got, "%q", payload)
	for name, value := range want.attributes {
		require.Equal(t, value, e.Attribute(name), "attribute %q in %q", name, payload)
	}
	for name, value := range want.metadata {
		require.Equal(t, value, e.Metadata(name), "metadata %q in %q", name, payload)
	}
}

// checkResponse fails unless WithResponse's answer decodes as the event with
// only response's three fields set.
func checkResponse(t *testing.T, payload []byte, r event.Response) []byte {
	t.Helper()
	e, err := event.Parse(payload)
	require.NoError(t, err)
	out, err := e.WithResponse(r)
	require.NoError(t, err)
	require.True(t, json.Valid(out), "%q", out)

	want, _ := decode(payload)
	response, _ := want["response"].(map[string]any)
	if response == nil {
		response = map[string]any{}
	}
	response["emailSubject"], response["emailMessage"], response["smsMessage"] =
		roundTrip(r.EmailSubject), roundTrip(r.EmailMessage), roundTrip(r.SMSMessage)
	want["response"] = response
	got, ok := decode(out)
	require.True(t, ok, "%q", out)
	require.Equal(t, want, got, "%q", out)
	return out
}

// roundTrip is s as encoding/json writes and reads it back (invalid UTF-8
// becomes U+FFFD).
func roundTrip(s string) string {
	b, _ := json.Marshal(s)
	var back string
	_ = json.Unmarshal(b, &back)
	return back
}

func recorded(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		out[filepath.Base(f)] = b
	}
	return out
}

var testResponse = event.Response{
	EmailSubject: "Q&A <reset>",
	EmailMessage: "<p>Code {####}</p>\n<a href=\"https://app.example.com/r?a=1&b=2\">\u2028go\u00a0\U0001F600</a>",
	SMSMessage:   "Code {####}\t\x01\\",
}

func TestParseReadsAsEncodingJSON(t *testing.T) {
	for name, payload := range recorded(t) {
		t.Run("case=events/"+name, func(t *testing.T) { checkEquivalent(t, payload) })
	}
	for name, payload := range oddPayloads {
		t.Run("case="+name, func(t *testing.T) { checkEquivalent(t, []byte(payload)) })
	}
}

func TestWithResponseDecodesAsEncodingJSON(t *testing.T) {
	for name, payload := range recorded(t) {
		t.Run("case=events/"+name, func(t *testing.T) { checkResponse(t, payload, testResponse) })
	}
	for name, payload := range oddPayloads {
		t.Run("case="+name, func(t *testing.T) { checkResponse(t, []byte(payload), testResponse) })
	}
}

func TestWithResponseKeepsTheBytes(t *testing.T) {
	r := event.Response{EmailSubject: "S", EmailMessage: "<b>{####}</b> & \"more\"", SMSMessage: "{####}"}
	const ours = `"emailSubject":"S","emailMessage":"<b>{####}</b> & \"more\"","smsMessage":"{####}"}`
	tests := []struct{ name, payload, want string }{
		{"case=odd spacing and key order",
			"\n{ \"zeta\" :1.50 ,\"response\" : {\"smsMessage\" : null , \"futureResponse\" :  [ 1,2 ] ,\"emailSubject\":null\t},\n" +
				"  \"request\":{\"userAttributes\":{\"b\":\"\\u00e9\",\"a\":true}} , \"alpha\":null }\n\n",
			"\n{ \"zeta\" :1.50 ,\"response\" : {\"futureResponse\" :  [ 1,2 ]," + ours + ",\n" +
				"  \"request\":{\"userAttributes\":{\"b\":\"\\u00e9\",\"a\":true}} , \"alpha\":null }\n\n"},
		{"case=no response, pretty",
			"{\n  \"userName\": \"u\",\n  \"version\": 1\n}\n",
			"{\n  \"userName\": \"u\",\n  \"version\": 1,\"response\":{" + ours + "\n}\n"},
		{"case=no response, empty object", `{}`, `{"response":{` + ours + `}`},
		{"case=no response, empty object with spaces", " { \n } ", " {\"response\":{" + ours + " \n } "},
		{"case=response null", `{"response":null,"a":"\u0041"}`, `{"response":{` + ours + `,"a":"\u0041"}`},
		{"case=response twice, each replaced, the last one's members kept",
			`{"response":{"a":1},"b":2,"response":{"c":3}}`,
			`{"response":{"c":3,` + ours + `,"b":2,"response":{"c":3,` + ours + `}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := event.Parse([]byte(tc.payload))
			require.NoError(t, err)
			out, err := e.WithResponse(r)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(out))
			checkResponse(t, []byte(tc.payload), r)
		})
	}
}

func TestWithResponseOnAnEventNotParsed(t *testing.T) {
	out, err := new(event.Event).WithResponse(testResponse)
	assert.ErrorIs(t, err, event.ErrNotAnObject)
	assert.Nil(t, out)
}

func TestAllocations(t *testing.T) {
	payload := recorded(t)["forgot-password.json"]
	e, err := event.Parse(payload)
	require.NoError(t, err)
	parse := testing.AllocsPerRun(100, func() {
		e, _ := event.Parse(payload)
		_ = e.Attribute("email")
		_ = e.Metadata("locale")
	})
	assert.LessOrEqual(t, parse, 10.0, "Parse, Attribute and Metadata")
	answer := testing.AllocsPerRun(100, func() { _, _ = e.WithResponse(testResponse) })
	assert.LessOrEqual(t, answer, 3.0, "WithResponse")
}
