package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flowJSON turns a YAML flow collection written as JSON, whose strings may
// also be YAML single-quoted ('…', a quote doubled inside), into JSON:
// what a YAML parser reads from it, for the template's JSON-form
// intrinsics. Anything else YAML allows there (plain scalars, comments,
// folded lines) fails the JSON parse or is refused here, never misread.
func flowJSON(text string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '"':
			// Copied as is: the template uses JSON's escapes only.
			j := i + 1
			for ; j < len(text) && text[j] != '"'; j++ {
				if text[j] == '\\' {
					j++
				}
			}
			if j >= len(text) {
				return "", errors.New("unterminated double-quoted string")
			}
			b.WriteString(text[i : j+1])
			i = j
		case '\'':
			var s strings.Builder
			j := i + 1
			for ; j < len(text); j++ {
				if text[j] == '\n' {
					return "", errors.New("a single-quoted string folded over lines")
				}
				if text[j] == '\'' {
					if j+1 < len(text) && text[j+1] == '\'' {
						s.WriteByte('\'')
						j++
						continue
					}
					break
				}
				s.WriteByte(text[j])
			}
			if j >= len(text) {
				return "", errors.New("unterminated single-quoted string")
			}
			quoted, err := json.Marshal(s.String())
			if err != nil {
				return "", err
			}
			b.Write(quoted)
			i = j
		case '#':
			return "", errors.New("a comment inside a flow collection")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// stack is what CloudFormation knows when it resolves intrinsics: the
// parameters' values (a string, or []string for a list), the conditions'
// values, and each created resource's Ref (a resource not created is
// absent, so naming it is an error).
type stack struct {
	params     map[string]any
	conditions map[string]bool
	resources  map[string]string
}

var subVariableName = regexp.MustCompile(`\$\{([^}]*)\}`)

// eval resolves Ref, Fn::If, Fn::Join and Fn::Sub in a JSON-form node as
// CloudFormation would; any other function is an error, not a guess.
func (s stack) eval(node any) (any, error) {
	switch n := node.(type) {
	case string:
		return n, nil
	case []any:
		out := make([]any, len(n))
		for i, item := range n {
			v, err := s.eval(item)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case map[string]any:
		if len(n) == 1 {
			for name, arg := range n {
				if name == "Ref" || strings.HasPrefix(name, "Fn::") {
					return s.function(name, arg)
				}
			}
		}
		out := map[string]any{}
		for k, v := range n {
			e, err := s.eval(v)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported node %T", node)
}

func (s stack) function(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		ref, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Ref of %T", arg)
		}
		return s.ref(ref)
	case "Fn::If":
		args, ok := arg.([]any)
		if !ok || len(args) != 3 {
			return nil, fmt.Errorf("Fn::If takes [condition, then, else]")
		}
		cond, known := s.conditions[fmt.Sprint(args[0])]
		if !known {
			return nil, fmt.Errorf("unknown condition %v", args[0])
		}
		if cond {
			return s.eval(args[1])
		}
		return s.eval(args[2])
	case "Fn::Join":
		args, ok := arg.([]any)
		if !ok || len(args) != 2 {
			return nil, fmt.Errorf("Fn::Join takes [delimiter, list]")
		}
		delimiter, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Join's delimiter must be a literal string")
		}
		list, err := s.eval(args[1])
		if err != nil {
			return nil, err
		}
		items, err := stringList(list)
		if err != nil {
			return nil, fmt.Errorf("Fn::Join: %w", err)
		}
		return strings.Join(items, delimiter), nil
	case "Fn::Sub":
		text, vars := arg, map[string]any{}
		if args, ok := arg.([]any); ok {
			if len(args) != 2 {
				return nil, fmt.Errorf("Fn::Sub takes a string or [string, variables]")
			}
			m, ok := args[1].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("Fn::Sub's variables must be a mapping")
			}
			text, vars = args[0], m
		}
		str, ok := text.(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Sub's string must be literal")
		}
		var failed error
		out := subVariableName.ReplaceAllStringFunc(str, func(m string) string {
			name := m[2 : len(m)-1]
			if strings.HasPrefix(name, "!") {
				return "${" + name[1:] + "}" // ${!Literal}
			}
			var v any
			var err error
			if node, ok := vars[name]; ok {
				v, err = s.eval(node)
			} else {
				v, err = s.ref(name)
			}
			value, isString := v.(string)
			if err == nil && !isString {
				err = fmt.Errorf("${%s} is not a string", name)
			}
			if err != nil && failed == nil {
				failed = err
			}
			return value
		})
		return out, failed
	}
	return nil, fmt.Errorf("%s is not resolved by this test", name)
}

func (s stack) ref(name string) (any, error) {
	if v, ok := s.params[name]; ok {
		return v, nil
	}
	if v, ok := s.resources[name]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("Ref %s: no such parameter, or a resource not created", name)
}

// stringList reads a resolved list of strings.
func stringList(v any) ([]string, error) {
	switch l := v.(type) {
	case []string:
		return l, nil
	case []any:
		out := make([]string, len(l))
		for i, item := range l {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("item %d is %T, not a string", i, item)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("%T is not a list", v)
}

// The resolver that the rule's tests rely on resolves what CloudFormation
// does, and refuses what it cannot say.
func TestIntrinsicResolver(t *testing.T) {
	s := stack{
		params:     map[string]any{"Name": "acme", "List": []string{"a", "b"}},
		conditions: map[string]bool{"Yes": true, "No": false},
		resources:  map[string]string{"Pool": "eu-west-1_Ab12Cd34E"},
	}
	for _, tc := range []struct {
		name, node, want, err string
	}{
		{name: "Ref of a parameter", node: `{"Ref": "Name"}`, want: "acme"},
		{name: "Ref of a resource", node: `{"Ref": "Pool"}`, want: "eu-west-1_Ab12Cd34E"},
		{name: "Ref of a resource not created", node: `{"Ref": "Other"}`, err: "no such parameter"},
		{name: "If", node: `{"Fn::If": ["No", "x", {"Fn::If": ["Yes", "y", "z"]}]}`, want: "y"},
		{name: "If of an unknown condition", node: `{"Fn::If": ["Maybe", "x", "y"]}`, err: "unknown condition"},
		{name: "Join of a list parameter", node: `{"Fn::Join": ['","', {"Ref": "List"}]}`, want: `a","b`},
		{name: "Sub with variables", node: `{"Fn::Sub": ['[${Pool}|${V}|${!Lit}]', {"V": {"Fn::Join": ["-", {"Ref": "List"}]}}]}`, want: "[eu-west-1_Ab12Cd34E|a-b|${Lit}]"},
		{name: "Sub of a list", node: `{"Fn::Sub": "${List}"}`, err: "not a string"},
		{name: "Sub of a resource not created", node: `{"Fn::Sub": "${Other}"}`, err: "no such parameter"},
		{name: "another function", node: `{"Fn::Select": ["0", ["a"]]}`, err: "not resolved"},
		{name: "single quotes and JSON quotes", node: `'it''s "x"'`, want: `it's "x"`},
	} {
		t.Run("case="+tc.name, func(t *testing.T) {
			text, err := flowJSON(tc.node)
			require.NoError(t, err)
			var node any
			require.NoError(t, json.Unmarshal([]byte(text), &node), text)
			got, err := s.eval(node)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	t.Run("case=flow YAML the converter refuses", func(t *testing.T) {
		for _, text := range []string{"['a\n b']", "[\"a\" # note\n]", "['open"} {
			_, err := flowJSON(text)
			assert.Error(t, err, "%q", text)
		}
	})
}
