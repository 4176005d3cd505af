package scenarios

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	yaml "go.yaml.in/yaml/v4"
)

// maxCases bounds the cartesian product of one file's matrix.
const maxCases = 1000

// Dimension is one matrix dimension: the values that the node at At takes,
// one per case.
type Dimension struct {
	Name   string        `yaml:"-"`
	At     string        `yaml:"at" doc:"dotted path into this document, like networks.home.nat; the last key may be one the document leaves out" required:"true"`
	Values []MatrixValue `yaml:"values" doc:"a list of scalars (their text names them) or a mapping name -> value (any YAML)" required:"true"`
}

// MatrixValue is one value of a dimension.
type MatrixValue struct {
	// Name is the scalar's text (list form) or the key (mapping form); it
	// appears in case ids and in when.
	Name string
	// Value is the value as plain YAML decodes it (string, int, float64,
	// bool, []any, map[string]any), for reports.
	Value any

	node *yaml.Node
}

var (
	matrixType = reflect.TypeFor[[]Dimension]()
	valuesType = reflect.TypeFor[[]MatrixValue]()
)

// matrix reads the dimensions, a mapping name -> {at, values}, in order.
func (d *decoder) matrix(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping of dimension name -> {at, values}, got %s", describe(n))
		return
	}
	var dims []Dimension
	d.entries(n, path, func(key, kp string, k, val *yaml.Node) {
		if !isName(key) {
			d.fail(k, kp, "bad dimension name %q: use lower-case letters, digits and '-', starting with a letter or digit", key)
			return
		}
		dim := Dimension{Name: key}
		d.decode(val, kp, reflect.ValueOf(&dim).Elem(), nil)
		dims = append(dims, dim)
	})
	if len(n.Content) == 0 {
		d.fail(n, path, "matrix needs at least one dimension")
	}
	v.Set(reflect.ValueOf(dims))
}

// values reads a dimension's values: a list of scalars or a mapping.
func (d *decoder) values(n *yaml.Node, path string, v reflect.Value) {
	var vals []MatrixValue
	seen := map[string]bool{}
	add := func(name string, k, val *yaml.Node, vp string) {
		if msg := badValueName(name); msg != "" {
			d.fail(k, vp, "%s", msg)
			return
		}
		if seen[name] {
			d.fail(k, vp, "value %q is named twice", name)
			return
		}
		seen[name] = true
		var x any
		if err := val.Decode(&x); err != nil {
			d.fail(val, vp, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
			return
		}
		vals = append(vals, MatrixValue{Name: name, Value: x, node: val})
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for i, item := range n.Content {
			ip := join(path, strconv.Itoa(i))
			item = d.resolve(item, ip)
			if item == nil {
				continue
			}
			if item.Kind != yaml.ScalarNode || item.ShortTag() == tagNull {
				d.fail(item, ip, "a value of the list form must be a scalar, named by its text; name structured values with a mapping {name: value}")
				continue
			}
			add(item.Value, item, item, ip)
		}
	case yaml.MappingNode:
		d.entries(n, path, func(key, kp string, k, val *yaml.Node) {
			add(key, k, val, kp)
		})
	default:
		d.fail(n, path, "expected a list of scalars or a mapping name -> value, got %s", describe(n))
		return
	}
	if len(n.Content) == 0 {
		d.fail(n, path, "a dimension needs at least one value")
	}
	v.Set(reflect.ValueOf(vals))
}

// badValueName explains why name cannot name a matrix value in a case id
// ("scenario/dim=value,dim=value"), or returns "".
func badValueName(name string) string {
	if name == "" {
		return "a value name must not be empty"
	}
	for _, r := range name {
		if r == ',' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Sprintf("value name %q must not contain ',', spaces or control characters (it appears in case ids); name the value with a mapping {name: value}", name)
		}
	}
	return ""
}

// target is where a dimension's value goes in a document: the mapping or
// list that holds it and the key or index in it.
type target struct {
	holder *yaml.Node
	key    string
	index  int
}

// locate resolves the dotted path at in the document root. It checks the
// path against the format (every key must be one the format allows there,
// every key but the last must exist in the document) and returns where the
// value goes. With own set it replaces aliases on the way by copies, so
// that setting the value changes this path only.
func locate(root *yaml.Node, at string, own bool) (target, string) {
	segs := strings.Split(at, ".")
	for _, s := range segs {
		if s == "" {
			return target{}, fmt.Sprintf("at must be a dotted path like networks.home.nat, got %q", at)
		}
	}
	switch segs[0] {
	case "matrix":
		return target{}, "the matrix cannot change itself"
	case "name":
		return target{}, "the scenario name cannot vary: it prefixes every case id"
	}
	node, typ := root, reflect.TypeFor[Scenario]()
	for i, seg := range segs {
		last := i == len(segs)-1
		here := strings.Join(segs[:i], ".")
		where := here
		if where == "" {
			where = "the top level"
		}
		var next reflect.Type
		switch shape, st := shapeOf(typ, node); shape {
		case shapeStruct:
			f := lookupField(fieldsOf(st), seg)
			if f == nil {
				return target{}, fmt.Sprintf("%s has no key %q%s; allowed: %s", where, seg, suggest(seg, keysOf(st)), strings.Join(keysOf(st), ", "))
			}
			next = f.typ
		case shapeMap:
			next = st.Elem()
		case shapeList:
			idx, err := strconv.Atoi(seg)
			if err != nil || idx < 0 || idx >= len(node.Content) {
				return target{}, fmt.Sprintf("%s is a list of %d items; %q is not an index of it (0..%d)", here, len(node.Content), seg, len(node.Content)-1)
			}
			if last {
				return target{holder: node, index: idx}, ""
			}
			node = deref(node, idx, own)
			typ = st.Elem()
			continue
		default:
			return target{}, fmt.Sprintf("%s is a single value; it has no %q", here, seg)
		}
		if node.Kind != yaml.MappingNode {
			return target{}, fmt.Sprintf("%s is not a mapping in the document", where)
		}
		vi := valueIndex(node, seg)
		if last {
			return target{holder: node, key: seg, index: -1}, ""
		}
		if vi < 0 {
			return target{}, fmt.Sprintf("%s does not exist in the document: the matrix can add only the last key of its path", join(here, seg))
		}
		node = deref(node, vi, own)
		typ = next
	}
	return target{}, "empty path"
}

// set puts v at t, adding the key (positioned at pos) when it is missing.
func (t target) set(v, pos *yaml.Node) {
	if t.holder.Kind == yaml.SequenceNode {
		t.holder.Content[t.index] = v
		return
	}
	if vi := valueIndex(t.holder, t.key); vi >= 0 {
		t.holder.Content[vi] = v
		return
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: tagStr, Value: t.key, Line: pos.Line, Column: pos.Column}
	t.holder.Content = append(t.holder.Content, k, v)
}

// valueIndex returns the index in mapping n of the value of key, or -1.
func valueIndex(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.ScalarNode && k.Value == key {
			return i + 1
		}
	}
	return -1
}

// deref returns child i of n with aliases resolved. With own set, a child
// that other nodes may share (an alias, or an anchor that aliases point to)
// is replaced by a private copy, so that changes below it stay on this path.
func deref(n *yaml.Node, i int, own bool) *yaml.Node {
	c := n.Content[i]
	if c.Kind != yaml.AliasNode && c.Anchor == "" {
		return c
	}
	t := c
	for depth := 0; t.Kind == yaml.AliasNode && t.Alias != nil && depth < 64; depth++ {
		t = t.Alias
	}
	if own {
		t = copyNode(t, map[*yaml.Node]*yaml.Node{})
		t.Anchor = ""
		n.Content[i] = t
	}
	return t
}

type shape int

const (
	shapeLeaf shape = iota
	shapeStruct
	shapeMap
	shapeList
)

// shapeOf says how a path continues below a node of type t holding n: into
// a struct's keys, a map's names, a list's indexes, or not at all. Union
// types take the shape of the form the document uses.
func shapeOf(t reflect.Type, n *yaml.Node) (shape, reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case natType, iceServerType:
		if n.Kind == yaml.MappingNode {
			return shapeStruct, t
		}
		return shapeLeaf, t
	case rulesType:
		switch n.Kind {
		case yaml.MappingNode:
			return shapeStruct, reflect.TypeFor[ExpectRule]()
		case yaml.SequenceNode:
			return shapeList, t
		}
		return shapeLeaf, t
	case portRangesType:
		if n.Kind == yaml.SequenceNode {
			return shapeList, t
		}
		return shapeLeaf, t
	}
	if hooked(t) {
		return shapeLeaf, t
	}
	switch t.Kind() {
	case reflect.Struct:
		return shapeStruct, t
	case reflect.Map:
		return shapeMap, t
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			return shapeList, t
		}
	}
	return shapeLeaf, t
}

// copyNode deep-copies a node tree, keeping aliases pointing into the copy.
func copyNode(n *yaml.Node, memo map[*yaml.Node]*yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if c, ok := memo[n]; ok {
		return c
	}
	c := *n
	memo[n] = &c
	if n.Content != nil {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, k := range n.Content {
			c.Content[i] = copyNode(k, memo)
		}
	}
	if n.Alias != nil {
		c.Alias = copyNode(n.Alias, memo)
	}
	return &c
}

// overlaps reports whether one dotted path is the other or lies below it.
func overlaps(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+".") || strings.HasPrefix(b, a+".")
}

// cells enumerates the cartesian product of dims in document order, the
// last dimension varying fastest: each cell holds one value index per
// dimension.
func cells(dims []Dimension) [][]int {
	total := 1
	for _, d := range dims {
		total *= len(d.Values)
	}
	out := make([][]int, 0, total)
	cur := make([]int, len(dims))
	for {
		out = append(out, append([]int(nil), cur...))
		i := len(dims) - 1
		for ; i >= 0; i-- {
			cur[i]++
			if cur[i] < len(dims[i].Values) {
				break
			}
			cur[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}
