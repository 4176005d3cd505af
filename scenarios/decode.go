package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// YAML core tags as yaml.Node.ShortTag reports them.
const (
	tagNull      = "!!null"
	tagBool      = "!!bool"
	tagStr       = "!!str"
	tagInt       = "!!int"
	tagFloat     = "!!float"
	tagTimestamp = "!!timestamp"
	tagMap       = "!!map"
	tagSeq       = "!!seq"
	tagMerge     = "!!merge"
)

// maxNodes bounds the work of one decode: aliases can make a small file
// stand for a huge tree ("billion laughs").
const maxNodes = 50_000

// decoder turns a yaml.Node tree into the types of this package, by
// reflection over their struct tags, and collects every error with the
// position of the node that causes it.
type decoder struct {
	file string
	errs ErrorList
	// nodes holds the value node of every key path present in the
	// document; keys holds the key node of every mapping entry.
	nodes map[string]*yaml.Node
	keys  map[string]*yaml.Node
	// quiet > 0 while defaults are decoded: their nodes are not the
	// document's and must not be recorded.
	quiet    int
	budget   int
	overflow bool
}

func newDecoder(file string) *decoder {
	return &decoder{
		file:   file,
		nodes:  map[string]*yaml.Node{},
		keys:   map[string]*yaml.Node{},
		budget: maxNodes,
	}
}

// maxErrors bounds the errors of one decode: past it, more say nothing new.
const maxErrors = 200

// fail records an error at node n.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	if len(d.errs) >= maxErrors {
		if len(d.errs) == maxErrors {
			d.errs = append(d.errs, &Error{File: d.file, Line: 1, Col: 1, Msg: fmt.Sprintf("too many errors (more than %d); stopping", maxErrors)})
			d.budget = 0
			d.overflow = true
		}
		return
	}
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line, col = n.Line, n.Column
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// failAt records an error at the node of path, or of its nearest ancestor
// present in the document (defaults have no node of their own).
func (d *decoder) failAt(path, format string, args ...any) {
	d.fail(d.pos(path), path, format, args...)
}

// failKey records an error at the key node of path.
func (d *decoder) failKey(path, format string, args ...any) {
	n := d.keys[path]
	if n == nil {
		n = d.pos(path)
	}
	d.fail(n, path, format, args...)
}

// pos returns the node of path or of its nearest ancestor.
func (d *decoder) pos(path string) *yaml.Node {
	for {
		if n := d.nodes[path]; n != nil {
			return n
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return d.nodes[""]
		}
		path = path[:i]
	}
}

// given reports whether the document has a value at path.
func (d *decoder) given(path string) bool { return d.nodes[path] != nil }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// resolve follows aliases, charges the work budget, records the node and
// rejects tags this format does not use. It returns nil when decoding must
// not go on.
func (d *decoder) resolve(n *yaml.Node, path string) *yaml.Node {
	if d.budget <= 0 {
		if !d.overflow {
			d.overflow = true
			d.fail(n, path, "document too large: more than %d values (alias expansion?)", maxNodes)
		}
		return nil
	}
	d.budget--
	for depth := 0; n.Kind == yaml.AliasNode; depth++ {
		if n.Alias == nil || depth > 64 {
			d.fail(n, path, "unresolvable alias *%s", n.Value)
			return nil
		}
		n = n.Alias
	}
	if d.quiet == 0 {
		if _, ok := d.nodes[path]; !ok {
			d.nodes[path] = n
		}
	}
	switch tag := n.ShortTag(); tag {
	case tagNull, tagBool, tagStr, tagInt, tagFloat, tagTimestamp, tagMap, tagSeq:
	case tagMerge:
		d.fail(n, path, "merge keys (<<) are not supported: write the keys out")
		return nil
	default:
		d.fail(n, path, "unsupported YAML tag %s", tag)
		return nil
	}
	if n.Kind == yaml.DocumentNode {
		d.fail(n, path, "unexpected YAML document node")
		return nil
	}
	return n
}

// describe names what n holds, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.ShortTag() {
	case tagNull:
		return "null"
	case tagStr, tagTimestamp:
		return strconv.Quote(n.Value)
	case tagInt:
		return "integer " + n.Value
	case tagFloat:
		return "number " + n.Value
	case tagBool:
		return "boolean " + n.Value
	}
	return n.Value
}

// quoteHint suggests quoting a plain scalar that YAML read as another type.
func quoteHint(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return ""
	}
	switch n.ShortTag() {
	case tagInt, tagFloat, tagBool:
		return fmt.Sprintf(" (quote it: %q)", n.Value)
	case tagNull:
		return " (write a value or leave the key out)"
	}
	return ""
}

// decode decodes n into v. t holds the tags of the key n is the value of
// (or of the list or map it is an element of); it may be nil.
func (d *decoder) decode(n *yaml.Node, path string, v reflect.Value, t *tags) {
	n = d.resolve(n, path)
	if n == nil {
		return
	}
	if t == nil {
		t = &tags{}
	}
	switch v.Type() {
	case durationType:
		d.duration(n, path, v, t)
		return
	case addrType:
		d.addr(n, path, v)
		return
	case prefixType:
		d.prefix(n, path, v)
		return
	case portRangeType:
		if r, ok := d.portRange(n, path); ok {
			v.Set(reflect.ValueOf(r))
		}
		return
	case portRangesType:
		d.portRanges(n, path, v, t)
		return
	case natType:
		d.nat(n, path, v)
		return
	case iceServerType:
		d.iceServer(n, path, v)
		return
	case rulesType:
		d.rules(n, path, v)
		return
	case matrixType:
		d.matrix(n, path, v)
		return
	case valuesType:
		d.values(n, path, v)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.decode(n, path, p.Elem(), t)
		v.Set(p)
	case reflect.Struct:
		d.structure(n, path, v)
	case reflect.Map:
		d.mapping(n, path, v, t)
	case reflect.Slice:
		d.list(n, path, v, t)
	case reflect.String:
		if s, ok := d.word(n, path, t); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		if b, ok := d.boolean(n, path); ok {
			v.SetBool(b)
		}
	case reflect.Int, reflect.Int64, reflect.Uint16:
		if i, ok := d.integer(n, path, v.Kind(), t); ok {
			if v.Kind() == reflect.Uint16 {
				v.SetUint(uint64(i))
			} else {
				v.SetInt(i)
			}
		}
	case reflect.Float64:
		if f, ok := d.percent(n, path); ok {
			v.SetFloat(f)
		}
	default:
		d.fail(n, path, "internal error: cannot decode into %s", v.Type())
	}
}

// key reads the key node of a mapping entry.
func (d *decoder) key(k *yaml.Node, path string) (string, bool) {
	for depth := 0; k.Kind == yaml.AliasNode && k.Alias != nil && depth < 64; depth++ {
		k = k.Alias
	}
	switch {
	case k.Kind != yaml.ScalarNode:
		d.fail(k, path, "a key must be a plain word, got %s", describe(k))
		return "", false
	case k.ShortTag() == tagMerge:
		d.fail(k, path, "merge keys (<<) are not supported: write the keys out")
		return "", false
	case k.ShortTag() == tagNull:
		d.fail(k, path, "a key must be a plain word, got null")
		return "", false
	}
	return k.Value, true
}

// entries walks the entries of mapping n, reporting duplicate keys, and
// calls fn with each key, its path, and both nodes.
func (d *decoder) entries(n *yaml.Node, path string, fn func(key, kp string, k, v *yaml.Node)) {
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key, ok := d.key(k, path)
		if !ok {
			continue
		}
		kp := join(path, key)
		if first := seen[key]; first != nil {
			d.fail(k, kp, "duplicate key %q (first at line %d)", key, first.Line)
			continue
		}
		seen[key] = k
		if d.quiet == 0 {
			if _, ok := d.keys[kp]; !ok {
				d.keys[kp] = k
			}
		}
		fn(key, kp, k, v)
	}
}

// structure decodes mapping n into struct v, then fills defaults.
func (d *decoder) structure(n *yaml.Node, path string, v reflect.Value) {
	fs := fieldsOf(v.Type())
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping with keys %s, got %s", strings.Join(keysOf(v.Type()), ", "), describe(n))
		return
	}
	seen := map[string]bool{}
	var unknown []string
	d.entries(n, path, func(key, kp string, k, val *yaml.Node) {
		seen[key] = true
		f := lookupField(fs, key)
		if f == nil {
			d.fail(k, kp, "unknown key %q%s; allowed: %s", key, suggest(key, keysOf(v.Type())), strings.Join(keysOf(v.Type()), ", "))
			unknown = append(unknown, key)
			return
		}
		d.decode(val, kp, v.FieldByIndex(f.index), &f.tags)
	})
	for i := range fs {
		f := &fs[i]
		if seen[f.key] {
			continue
		}
		if f.required {
			if suggest(f.key, unknown) != "" {
				continue // the unknown key's "did you mean" says it all
			}
			d.fail(n, path, "missing required key %q", f.key)
			continue
		}
		d.fillDefault(n, join(path, f.key), v.FieldByIndex(f.index), f)
	}
}

// fillDefault sets the default of an absent key: its default tag decoded
// like document text, or the defaults of its fields for a nested struct.
func (d *decoder) fillDefault(at *yaml.Node, path string, v reflect.Value, f *field) {
	if f.hasDef {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(f.def), &doc); err != nil || len(doc.Content) != 1 {
			d.fail(at, path, "internal error: bad default %q", f.def)
			return
		}
		n := doc.Content[0]
		place(n, at)
		d.quiet++
		d.decode(n, path, v, &f.tags)
		d.quiet--
		return
	}
	if v.Kind() == reflect.Struct && !hooked(v.Type()) {
		fs := fieldsOf(v.Type())
		for i := range fs {
			if !fs[i].required {
				d.fillDefault(at, join(path, fs[i].key), v.FieldByIndex(fs[i].index), &fs[i])
			}
		}
	}
}

// place moves n and its children to the position of at, so that errors in
// defaults point at the mapping that lacks the key.
func place(n, at *yaml.Node) {
	n.Line, n.Column = at.Line, at.Column
	for _, c := range n.Content {
		place(c, at)
	}
}

// hooked reports whether t has its own decoder (a union or a parsed value).
func hooked(t reflect.Type) bool {
	switch t {
	case durationType, addrType, prefixType, portRangeType, portRangesType, natType,
		iceServerType, rulesType, matrixType, valuesType:
		return true
	}
	return false
}

// mapping decodes a mapping into map v.
func (d *decoder) mapping(n *yaml.Node, path string, v reflect.Value, t *tags) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping of name -> value, got %s", describe(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	et := v.Type().Elem()
	d.entries(n, path, func(key, kp string, k, val *yaml.Node) {
		if t.keys == "name" && !isName(key) {
			d.fail(k, kp, "bad name %q: use lower-case letters, digits and '-', starting with a letter or digit", key)
			return
		}
		if key == "" {
			d.fail(k, kp, "empty key")
			return
		}
		e := reflect.New(et).Elem()
		d.decode(val, kp, e, t.mapElem())
		if e.Kind() == reflect.Pointer && e.IsNil() {
			// The value did not decode (reported): keep the entry, zero,
			// so that references to it are not reported as dangling too.
			e.Set(reflect.New(et.Elem()))
		}
		setName(e, key)
		m.SetMapIndex(reflect.ValueOf(key), e)
	})
	if min, err := strconv.Atoi(t.min); err == nil && m.Len() < min {
		d.fail(n, path, "needs at least %d %s, got %d", min, plural(min, "entry", "entries"), m.Len())
	}
	v.Set(m)
}

// setName fills the Name field of a struct (or pointer to one) with its key.
func setName(e reflect.Value, key string) {
	if e.Kind() == reflect.Pointer {
		if e.IsNil() {
			return
		}
		e = e.Elem()
	}
	if e.Kind() != reflect.Struct {
		return
	}
	if f := e.FieldByName("Name"); f.IsValid() && f.Kind() == reflect.String && f.CanSet() {
		f.SetString(key)
	}
}

// list decodes a sequence (or, with single, one scalar) into slice v.
func (d *decoder) list(n *yaml.Node, path string, v reflect.Value, t *tags) {
	et := v.Type().Elem()
	if n.Kind != yaml.SequenceNode {
		if t.single && n.Kind == yaml.ScalarNode && n.ShortTag() != tagNull {
			e := reflect.New(et).Elem()
			d.decode(n, path, e, t.elem())
			v.Set(reflect.Append(reflect.MakeSlice(v.Type(), 0, 1), e))
			return
		}
		what := "a list"
		if t.single {
			what = "a word or a list"
		}
		d.fail(n, path, "expected %s, got %s", what, describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	seen := map[string]int{}
	for i, item := range n.Content {
		ip := join(path, strconv.Itoa(i))
		e := reflect.New(et).Elem()
		d.decode(item, ip, e, t.elem())
		if e.Kind() == reflect.String && (len(t.enum) > 0 || t.format != "") && e.String() != "" {
			if first, dup := seen[e.String()]; dup {
				d.fail(item, ip, "%q is listed twice (also item %d)", e.String(), first)
				continue
			}
			seen[e.String()] = i
		}
		s = reflect.Append(s, e)
	}
	if min, err := strconv.Atoi(t.min); err == nil && s.Len() < min {
		d.fail(n, path, "needs at least %d %s, got %d", min, plural(min, "item", "items"), s.Len())
	}
	v.Set(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// str reads a string scalar.
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case tagStr, tagTimestamp:
			return n.Value, true
		}
	}
	d.fail(n, path, "expected a string, got %s%s", describe(n), quoteHint(n))
	return "", false
}

// word reads a string and applies the enum and format rules of t.
func (d *decoder) word(n *yaml.Node, path string, t *tags) (string, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return "", false
	}
	if len(t.enum) > 0 && !contains(t.enum, s) {
		d.fail(n, path, "expected one of %s, got %q%s", strings.Join(t.enum, ", "), s, suggest(s, t.enum))
		return "", false
	}
	if t.format == "name" && !isName(s) {
		d.fail(n, path, "bad name %q: use lower-case letters, digits and '-', starting with a letter or digit", s)
		return "", false
	}
	return s, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isName reports whether s matches [a-z0-9][a-z0-9-]*.
func isName(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// boolean reads a YAML 1.2 boolean (true/false, not yes/no).
func (d *decoder) boolean(n *yaml.Node, path string) (bool, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == tagBool {
		switch n.Value {
		case "true", "True", "TRUE":
			return true, true
		case "false", "False", "FALSE":
			return false, true
		}
	}
	d.fail(n, path, "expected true or false, got %s", describe(n))
	return false, false
}

// parseInt parses an integer scalar the way YAML resolves it.
func parseInt(s string) (int64, error) {
	return strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
}

// integer reads an integer and applies the bounds and enum of t.
func (d *decoder) integer(n *yaml.Node, path string, kind reflect.Kind, t *tags) (int64, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != tagInt {
		d.fail(n, path, "expected an integer, got %s", describe(n))
		return 0, false
	}
	i, err := parseInt(n.Value)
	if err != nil {
		d.fail(n, path, "integer %s is out of range", n.Value)
		return 0, false
	}
	lo, hi := int64(math.MinInt32), int64(math.MaxInt32)
	if kind == reflect.Uint16 {
		lo, hi = 0, math.MaxUint16
	}
	if m, err := strconv.ParseInt(t.min, 10, 64); err == nil {
		lo = m
	}
	if m, err := strconv.ParseInt(t.max, 10, 64); err == nil {
		hi = m
	}
	if len(t.enum) > 0 && !contains(t.enum, strconv.FormatInt(i, 10)) {
		d.fail(n, path, "expected %s, got %d", strings.Join(t.enum, " or "), i)
		return 0, false
	}
	if i < lo || i > hi {
		d.fail(n, path, "must be between %d and %d, got %d", lo, hi, i)
		return 0, false
	}
	return i, true
}
