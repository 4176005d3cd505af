package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	yaml "go.yaml.in/yaml/v4"
)

//go:generate go run ./internal/genschema -o schema.json

// Patterns shared by the schema and, where noted, the loader.
const (
	patName     = `^[a-z0-9][a-z0-9-]*$`
	patDuration = `^\+?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`
	octet       = `(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`
	patIPv4     = `^(` + octet + `\.){3}` + octet + `$`
	patCIDR     = `^(` + octet + `\.){3}` + octet + `/(3[0-2]|[12]?[0-9])$`
	patPorts    = `^[0-9]+(-[0-9]+)?$`
	// patNumPercent is the loader's syntax of a percentage string; it then
	// checks the range 0..100, which patPercent spells out for editors.
	patNumPercent = `^([0-9]+(\.[0-9]*)?|\.[0-9]+)%$`
	patPercent    = `^(100(\.0*)?|[0-9]{1,2}(\.[0-9]*)?|\.[0-9]+)%$`
	patURL        = `^(stun|turn):`
)

// Schema returns the JSON Schema (draft 2020-12) of the scenario format,
// generated from the struct tags of the Go types (the loader reads the same
// tags), with hand-written forms for the keys that accept several shapes.
// The schema checks shape only; the loader checks much more (references,
// addresses, URLs).
func Schema() ([]byte, error) {
	g := &schemaGen{defs: map[string]any{}}
	root := g.object(reflect.TypeFor[Scenario]())
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["title"] = "icelab scenario (format version 1)"
	root["description"] = "One small world (networks with NATs, hosts, STUN/TURN relays, WebRTC peers), one call between two peers, and what must happen."
	root["$defs"] = g.defs
	if g.err != nil {
		return nil, g.err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep "->" in descriptions readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type schemaGen struct {
	defs map[string]any
	err  error
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/$defs/" + name} }

// define adds a named definition once and returns a reference to it.
func (g *schemaGen) define(name string, build func() map[string]any) map[string]any {
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = nil // guards recursion
		g.defs[name] = build()
	}
	return ref(name)
}

// object is the schema of a struct: its keys, required ones, no others.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for _, f := range fieldsOf(t) {
		props[f.key] = g.field(&f)
		if f.required {
			required = append(required, f.key)
		}
	}
	o := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// field is the schema of one key, with its description and default.
func (g *schemaGen) field(f *field) map[string]any {
	s := g.schema(f.typ, &f.tags)
	if f.doc != "" {
		s["description"] = f.doc
	}
	if f.hasDef {
		var v any
		if err := yaml.Unmarshal([]byte(f.def), &v); err != nil {
			g.err = fmt.Errorf("default of %s: %w", f.key, err)
		}
		s["default"] = v
	}
	return s
}

func (g *schemaGen) schema(t reflect.Type, tg *tags) map[string]any {
	switch t {
	case durationType:
		return map[string]any{"type": "string", "pattern": patDuration}
	case addrType:
		return map[string]any{"type": "string", "format": "ipv4", "pattern": patIPv4}
	case prefixType:
		return map[string]any{"type": "string", "pattern": patCIDR}
	case portRangeType:
		return g.portRange()
	case portRangesType:
		return map[string]any{"oneOf": []any{
			g.portRange(),
			map[string]any{"type": "array", "items": g.portRange(), "minItems": 1},
		}}
	case natType:
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "string", "enum": natPresets},
			g.define("NAT", func() map[string]any { return g.object(natType) }),
			g.define("NATPreset", func() map[string]any {
				return map[string]any{
					"type":                 "object",
					"description":          "a preset with hairpinning or mapping-lifetime changed",
					"additionalProperties": false,
					"required":             []any{"preset"},
					"properties": map[string]any{
						"preset":           map[string]any{"type": "string", "enum": natPresets},
						"hairpinning":      map[string]any{"type": "boolean", "description": "hosts of the network reach each other through the public address; default true"},
						"mapping-lifetime": map[string]any{"type": "string", "pattern": patDuration, "description": "how long an idle mapping lives; not for one-to-one"},
					},
				}
			}),
		}}
	case iceServerType:
		return g.define("ICEServer", g.iceServer)
	case rulesType:
		return map[string]any{"oneOf": []any{
			g.define("Expect", func() map[string]any { return g.object(reflect.TypeFor[Expect]()) }),
			map[string]any{"type": "array", "minItems": 1,
				"items": g.define("ExpectRule", func() map[string]any { return g.object(reflect.TypeFor[ExpectRule]()) })},
		}}
	case matrixType:
		return map[string]any{
			"type": "object", "minProperties": 1,
			"propertyNames":        map[string]any{"pattern": patName},
			"additionalProperties": g.define("Dimension", func() map[string]any { return g.object(reflect.TypeFor[Dimension]()) }),
		}
	case valuesType:
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "array", "minItems": 1, "items": map[string]any{"type": []any{"string", "number", "boolean"}}},
			map[string]any{"type": "object", "minProperties": 1},
		}}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem(), tg)
	case reflect.Struct:
		return g.define(t.Name(), func() map[string]any { return g.object(t) })
	case reflect.Map:
		s := map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), tg.mapElem())}
		if tg.keys == "name" {
			s["propertyNames"] = map[string]any{"pattern": patName}
		}
		if n, err := strconv.Atoi(tg.min); err == nil {
			s["minProperties"] = n
		}
		return s
	case reflect.Slice:
		item := g.schema(t.Elem(), tg.elem())
		s := map[string]any{"type": "array", "items": item}
		if n, err := strconv.Atoi(tg.min); err == nil {
			s["minItems"] = n
		}
		if t.Elem().Kind() == reflect.String && (len(tg.enum) > 0 || tg.format != "") {
			s["uniqueItems"] = true
		}
		if tg.single {
			return map[string]any{"oneOf": []any{g.schema(t.Elem(), tg.elem()), s}}
		}
		return s
	case reflect.String:
		s := map[string]any{"type": "string"}
		if len(tg.enum) > 0 {
			s["enum"] = tg.enum
		}
		if tg.format == "name" {
			s["pattern"] = patName
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Uint16:
		s := map[string]any{"type": "integer"}
		if t.Kind() == reflect.Uint16 {
			s["minimum"], s["maximum"] = 0, 65535
		}
		if n, err := strconv.Atoi(tg.min); err == nil {
			s["minimum"] = n
		}
		if n, err := strconv.Atoi(tg.max); err == nil {
			s["maximum"] = n
		}
		if len(tg.enum) > 0 {
			var e []any
			for _, w := range tg.enum {
				n, err := strconv.Atoi(w)
				if err != nil {
					g.err = fmt.Errorf("enum %q of an integer", w)
				}
				e = append(e, n)
			}
			s["enum"] = e
		}
		return s
	case reflect.Float64:
		if tg.format == "percent" {
			return map[string]any{"oneOf": []any{
				map[string]any{"type": "number", "minimum": 0, "maximum": 100},
				map[string]any{"type": "string", "pattern": patPercent},
			}}
		}
		return map[string]any{"type": "number"}
	}
	g.err = fmt.Errorf("no schema for %s", t)
	return map[string]any{}
}

// portRange is a port or an "a-b" range.
func (g *schemaGen) portRange() map[string]any {
	return g.define("PortRange", func() map[string]any {
		return map[string]any{
			"description": `a UDP port 1-65535 or an inclusive range "a-b"`,
			"oneOf": []any{
				map[string]any{"type": "integer", "minimum": 1, "maximum": 65535},
				map[string]any{"type": "string", "pattern": patPorts},
			},
		}
	})
}

// iceServer splits the reflected ICEServer into its three forms: a URL,
// {relay: NAME}, and {urls, username, credential}.
func (g *schemaGen) iceServer() map[string]any {
	obj := g.object(iceServerType)
	props := obj["properties"].(map[string]any)
	relay := map[string]any{
		"type": "object", "additionalProperties": false, "required": []string{"relay"},
		"properties": map[string]any{"relay": props["relay"]},
	}
	rest := map[string]any{}
	for k, v := range props {
		if k != "relay" {
			rest[k] = v
		}
	}
	urls := map[string]any{"type": "object", "additionalProperties": false, "required": []string{"urls"}, "properties": rest}
	return map[string]any{"oneOf": []any{
		map[string]any{"type": "string", "pattern": patURL, "description": "stun:host[:port] or turn:host[:port][?transport=udp] (turn: needs credentials: use the object form)"},
		relay,
		urls,
	}}
}
