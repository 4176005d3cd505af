package scenarios

import (
	"reflect"
	"strings"
	"sync"
)

// The struct tags of types.go are the one source of truth for the format:
// the loader and the JSON Schema both read them.
//
//	yaml:"key"          the document key ("-": not a key; ",inline": fields promoted)
//	doc:"..."           description (schema)
//	required:"true"     the key must be present
//	default:"yaml"      value used when the key is absent, written in YAML and
//	                    decoded like a document value
//	enum:"a|b|c"        allowed words (for a list or a map of lists: of each element)
//	min:"n" max:"n"     integer bounds; a duration's lower bound ("1ns": > 0);
//	                    for lists and maps min is the least number of entries
//	format:"name"       the name syntax [a-z0-9][a-z0-9-]*
//	format:"percent"    "2%" or a number 0..100
//	keys:"name"         map keys use the name syntax
//	single:"true"       a list that may be written as its one element (for a
//	                    map of lists: each value)
type tags struct {
	key      string
	doc      string
	required bool
	def      string
	hasDef   bool
	enum     []string
	min, max string
	format   string
	keys     string
	single   bool
}

// field is one document key of a struct type.
type field struct {
	tags
	index []int
	typ   reflect.Type
}

// elem returns the tags that apply to the elements of a list or the values
// of a map: the value rules, not the key-level ones.
func (t *tags) elem() *tags {
	if t == nil {
		return &tags{}
	}
	return &tags{enum: t.enum, format: t.format}
}

// mapElem returns the tags that apply to the values of a map: the value
// rules, and single, which for a map of lists lets each value be one word.
func (t *tags) mapElem() *tags {
	e := t.elem()
	e.single = t != nil && t.single
	return e
}

// fieldCache memoizes fieldsOf: a pure function of the type, so sharing
// it between concurrent loads is safe. Callers must not modify the result.
var fieldCache sync.Map // reflect.Type -> []field

// fieldsOf lists the document keys of struct type t in declaration order,
// with inline structs flattened.
func fieldsOf(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	fs := computeFields(t)
	fieldCache.Store(t, fs)
	return fs
}

func computeFields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		y, ok := sf.Tag.Lookup("yaml")
		if !ok {
			continue
		}
		key, opts, _ := strings.Cut(y, ",")
		if key == "-" {
			continue
		}
		if opts == "inline" {
			for _, f := range computeFields(sf.Type) {
				f.index = append([]int{i}, f.index...)
				out = append(out, f)
			}
			continue
		}
		f := field{index: []int{i}, typ: sf.Type}
		f.key = key
		f.doc = sf.Tag.Get("doc")
		f.required = sf.Tag.Get("required") == "true"
		f.def, f.hasDef = sf.Tag.Lookup("default")
		if e := sf.Tag.Get("enum"); e != "" {
			f.enum = strings.Split(e, "|")
		}
		f.min = sf.Tag.Get("min")
		f.max = sf.Tag.Get("max")
		f.format = sf.Tag.Get("format")
		f.keys = sf.Tag.Get("keys")
		f.single = sf.Tag.Get("single") == "true"
		out = append(out, f)
	}
	return out
}

// keysOf lists the document keys of struct type t, for messages.
func keysOf(t reflect.Type) []string {
	fs := fieldsOf(t)
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = f.key
	}
	return keys
}

// lookupField finds the field of key in fs.
func lookupField(fs []field, key string) *field {
	for i := range fs {
		if fs[i].key == key {
			return &fs[i]
		}
	}
	return nil
}
