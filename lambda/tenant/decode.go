package tenant

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/cogmail/cogmail/lambda/internal/hint"
)

// FieldError is one problem with one field of a tenant.json, named by its
// JSON path: "brand.primaryColor", "match.userPoolIds[1]".
type FieldError struct {
	Path string
	Msg  string
	// meant is the known field an unknown one is probably a typo of.
	meant string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// decode reads a tenant.json into t strictly. err is set when the file holds
// no tenant object at all: text that is not JSON (a *hint.At, with its line
// and column), data after the object, or another kind of value. Otherwise
// problems lists, each with its path (a *FieldError), every unknown field
// (with the nearest known name), field given twice and value of the wrong
// type. Names must match exactly, as in the schema: encoding/json alone
// would take "resetURL" for "resetUrl".
func decode(data []byte, t *Tenant) (problems []error, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, hint.Syntax(data, err)
	}
	if err := hint.Trailing(data, dec.InputOffset(), "data after the tenant object"); err != nil {
		return nil, err
	}
	if raw[0] != '{' {
		return nil, errors.New("the file must hold a JSON object, not " + jsonKind(raw))
	}
	decodeValue("", raw, reflect.ValueOf(t).Elem(), &problems)
	return problems, nil
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

func decodeValue(path string, raw json.RawMessage, v reflect.Value, errs *[]error) {
	custom := reflect.PointerTo(v.Type()).Implements(unmarshaler)
	null := string(raw) == "null"
	switch {
	case v.Kind() == reflect.Struct && !custom:
		decodeObject(path, raw, v, errs)
		return
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct && !custom && !null:
		// An optional object (sender): read as strictly as any other.
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		decodeObject(path, raw, v.Elem(), errs)
		return
	case v.Kind() == reflect.Slice && !custom && !null:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			*errs = append(*errs, &FieldError{Path: path, Msg: "must be a list, not " + jsonKind(raw)})
			return
		}
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, item := range items {
			decodeValue(fmt.Sprintf("%s[%d]", path, i), item, s.Index(i), errs)
		}
		v.Set(s)
		return
	}
	if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
		msg := err.Error()
		if te := (*json.UnmarshalTypeError)(nil); errors.As(err, &te) {
			msg = "must be " + wants(v.Type()) + ", not " + jsonKind(raw)
		}
		*errs = append(*errs, &FieldError{Path: path, Msg: msg})
	}
}

// decodeObject reads a JSON object into struct v, key by key in the file's
// order. null leaves v empty: Validate says what is missing.
func decodeObject(path string, raw json.RawMessage, v reflect.Value, errs *[]error) {
	if string(raw) == "null" {
		return
	}
	if raw[0] != '{' {
		*errs = append(*errs, &FieldError{Path: path, Msg: "must be an object, not " + jsonKind(raw)})
		return
	}
	fields, names := jsonFields(v.Type())
	dec := json.NewDecoder(bytes.NewReader(raw))
	_, _ = dec.Token() // '{'; raw is valid JSON
	seen := map[string]bool{}
	for dec.More() {
		tok, _ := dec.Token()
		key, _ := tok.(string)
		var value json.RawMessage
		_ = dec.Decode(&value)
		at := key
		if path != "" {
			at = path + "." + key
		}
		i, known := fields[key]
		switch {
		case !known:
			fe := &FieldError{Path: at, Msg: "unknown field"}
			if meant, ok := hint.Nearest(key, names); ok {
				fe.Msg += fmt.Sprintf("; did you mean %q?", meant)
				fe.meant = strings.TrimSuffix(at, key) + meant
			} else {
				fe.Msg += " (known: " + strings.Join(names, ", ") + ")"
			}
			*errs = append(*errs, fe)
		case seen[key]:
			*errs = append(*errs, &FieldError{Path: at, Msg: "given twice"})
		default:
			seen[key] = true
			decodeValue(at, value, v.Field(i), errs)
		}
	}
}

// jsonFields maps the JSON names of typ's exported fields to their index.
func jsonFields(typ reflect.Type) (map[string]int, []string) {
	fields := map[string]int{}
	var names []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		fields[name] = i
		names = append(names, name)
	}
	sort.Strings(names)
	return fields, names
}

// jsonKind names the kind of a JSON value for people.
func jsonKind(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "text"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	return "a number"
}

// wants names what a Go type takes, in JSON's words.
func wants(typ reflect.Type) string {
	switch typ.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a number"
}

// explained lists the paths that decoding problems already account for:
// the field itself, and the known field an unknown one was probably meant to
// be (brand.primaryColour stands for brand.primaryColor, which is therefore
// missing). Validate's complaints about those paths would only repeat them.
func explained(problems []error) map[string]bool {
	paths := map[string]bool{}
	for _, e := range problems {
		var fe *FieldError
		if !errors.As(e, &fe) {
			continue
		}
		paths[fe.Path] = true
		if fe.meant != "" {
			paths[fe.meant] = true
		}
	}
	return paths
}

// split lists the errors a joined error holds, or err alone.
func split(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// covered reports whether path, or a field or list holding it, is in paths.
func covered(paths map[string]bool, path string) bool {
	for p := path; p != ""; {
		if paths[p] {
			return true
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return false
}
