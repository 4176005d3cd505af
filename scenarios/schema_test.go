package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

func TestSchemaUpToDate(t *testing.T) {
	want, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("schema.json is stale: run `go generate ./scenarios`")
	}
	var v map[string]any
	if err := json.Unmarshal(want, &v); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if v["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", v["$schema"])
	}
}

// TestSchemaMatchesTypes checks that the schema's keys are exactly the
// loader's: every struct's properties are its yaml keys.
func TestSchemaMatchesTypes(t *testing.T) {
	s := loadSchema(t)
	defs := s["$defs"].(map[string]any)
	for name, typ := range map[string]reflect.Type{
		"Network": reflect.TypeFor[Network](), "NAT": natType, "Link": reflect.TypeFor[Link](),
		"FirewallRule": reflect.TypeFor[FirewallRule](), "Host": reflect.TypeFor[Host](),
		"Relay": reflect.TypeFor[Relay](), "RelayAuth": reflect.TypeFor[RelayAuth](), "Peer": reflect.TypeFor[Peer](),
		"Call": reflect.TypeFor[Call](), "Data": reflect.TypeFor[Data](), "Expect": reflect.TypeFor[Expect](),
		"ExpectRule": reflect.TypeFor[ExpectRule](), "Dimension": reflect.TypeFor[Dimension](),
	} {
		def, ok := defs[name].(map[string]any)
		if !ok {
			t.Errorf("no $defs/%s", name)
			continue
		}
		var props []string
		for k := range def["properties"].(map[string]any) {
			props = append(props, k)
		}
		slices.Sort(props)
		keys := keysOf(typ)
		slices.Sort(keys)
		if !slices.Equal(props, keys) {
			t.Errorf("%s: schema keys %v, loader keys %v", name, props, keys)
		}
	}
}

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	b, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// yamlFiles lists the YAML files of a folder of testdata or the library.
func yamlFiles(t *testing.T, fsys fs.FS, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	paths, err := fs.Glob(fsys, dir+"/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = b
	}
	return out
}

// TestSchemaAcceptsGood validates every good file and library file against
// the schema, so that the editor never flags a document the loader takes.
func TestSchemaAcceptsGood(t *testing.T) {
	s := loadSchema(t)
	files := yamlFiles(t, os.DirFS("."), "testdata/good")
	for p, b := range yamlFiles(t, Library(), "*") {
		files[p] = b
	}
	if len(files) < 8 {
		t.Fatalf("only %d files", len(files))
	}
	for p, b := range files {
		if _, err := Load(p, b); err != nil {
			t.Errorf("loader: %v", err)
		}
		var doc any
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if errs := validate(s, s, doc, ""); len(errs) > 0 {
			t.Errorf("%s: schema rejects it:\n  %s", p, strings.Join(errs, "\n  "))
		}
	}
}

// TestSchemaRejectsBad checks that the schema catches the malformed files
// whose problem is one of shape (the loader catches them all).
func TestSchemaRejectsBad(t *testing.T) {
	s := loadSchema(t)
	for _, name := range []string{
		"unknown-key-top", "unknown-key-network", "version", "missing-required", "bad-name",
		"wrong-type-string", "wrong-type-bool", "bad-candidates", "bad-policy", "bad-expect-path",
		"bad-expect-reach", "data-size", "bad-cidr", "ipv6", "bad-ip", "nat-object-missing", "nat-object-word",
		"nat-preset-unknown", "firewall-no-action", "duration-number", "duration-syntax", "duration-negative",
		"percent-range", "percent-syntax", "port-zero", "port-too-big", "labels-duplicate", "url-scheme",
		"matrix-structured-in-list", "not-mapping",
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "bad", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if errs := validate(s, s, doc, ""); len(errs) == 0 {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// validate is a small JSON Schema validator for the keywords Schema uses.
// It returns what fails, one line each.
func validate(root, s map[string]any, v any, at string) []string {
	if r, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(r, "#/$defs/")
		def, ok := root["$defs"].(map[string]any)[name].(map[string]any)
		if !ok {
			return []string{at + ": bad $ref " + r}
		}
		if errs := validate(root, def, v, at); len(errs) > 0 {
			return errs
		}
	}
	fail := func(format string, args ...any) []string { return []string{at + ": " + fmt.Sprintf(format, args...)} }
	if ty, ok := s["type"]; ok {
		types, ok := ty.([]any)
		if !ok {
			types = []any{ty}
		}
		if !slices.ContainsFunc(types, func(x any) bool { return hasType(v, x.(string)) }) {
			return fail("%v (%T) is not of type %v", v, v, ty)
		}
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return equalJSON(x, v) }) {
		return fail("%v is not one of %v", v, e)
	}
	if p, ok := s["pattern"].(string); ok {
		if str, ok := v.(string); ok && !regexp.MustCompile(p).MatchString(str) {
			return fail("%q does not match %s", str, p)
		}
	}
	if n, ok := number(v); ok {
		if m, ok := s["minimum"].(float64); ok && n < m {
			return fail("%v < minimum %v", n, m)
		}
		if m, ok := s["maximum"].(float64); ok && n > m {
			return fail("%v > maximum %v", n, m)
		}
	}
	if one, ok := s["oneOf"].([]any); ok {
		matched := 0
		var why []string
		for _, sub := range one {
			errs := validate(root, sub.(map[string]any), v, at)
			if len(errs) == 0 {
				matched++
			}
			why = append(why, errs...)
		}
		if matched != 1 {
			return append(fail("matches %d of oneOf", matched), why...)
		}
	}
	var errs []string
	switch x := v.(type) {
	case []any:
		if m, ok := s["minItems"].(float64); ok && float64(len(x)) < m {
			errs = append(errs, fail("%d items < minItems %v", len(x), m)...)
		}
		if s["uniqueItems"] == true {
			for i := range x {
				for j := range i {
					if equalJSON(x[i], x[j]) {
						errs = append(errs, fail("items %d and %d are equal", j, i)...)
					}
				}
			}
		}
		if it, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				errs = append(errs, validate(root, it, e, fmt.Sprintf("%s.%d", at, i))...)
			}
		}
	case map[string]any:
		if m, ok := s["minProperties"].(float64); ok && float64(len(x)) < m {
			errs = append(errs, fail("%d properties < minProperties %v", len(x), m)...)
		}
		for _, r := range asList(s["required"]) {
			if _, ok := x[r.(string)]; !ok {
				errs = append(errs, fail("missing %s", r)...)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, e := range x {
			kp := strings.TrimPrefix(at+"."+k, ".")
			if pn, ok := s["propertyNames"].(map[string]any); ok {
				errs = append(errs, validate(root, pn, k, kp)...)
			}
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, validate(root, ps, e, kp)...)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					errs = append(errs, kp+": not allowed")
				}
			case map[string]any:
				errs = append(errs, validate(root, ap, e, kp)...)
			}
		}
	}
	return errs
}

func asList(v any) []any { l, _ := v.([]any); return l }

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func hasType(v any, ty string) bool {
	switch ty {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "number":
		_, ok := number(v)
		return ok
	case "integer":
		n, ok := number(v)
		return ok && n == math.Trunc(n)
	}
	return false
}

func equalJSON(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	return reflect.DeepEqual(a, b)
}
