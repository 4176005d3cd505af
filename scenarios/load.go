package scenarios

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// File is one loaded scenario file.
type File struct {
	Path string
	// Scenario is the base document, matrix not applied. With a matrix the
	// base need not be valid on its own where every case overrides it (a
	// dimension may supply a key the document leaves out); Cases are.
	Scenario *Scenario
	// Cases are the runnable cases in matrix order: one without a matrix.
	Cases []*Case

	// name is the node of the scenario's name, for messages across files.
	name *yaml.Node
}

// Load loads one scenario file from memory; path is only used in messages.
// Every error of the file is reported together, as an ErrorList.
func Load(path string, data []byte) (*File, error) {
	root, err := parse(path, data)
	if err != nil {
		return nil, err
	}
	d := newDecoder(path)
	s := decodeScenario(d, root, path)
	f := &File{Path: path, Scenario: s, name: d.nodes["name"]}
	if !d.given("matrix") {
		if len(d.errs) > 0 {
			return nil, d.errs.err()
		}
		f.Cases = []*Case{{ID: s.Name, Scenario: s, Expect: s.ExpectRules[0].normalized()}}
		return f, nil
	}
	if d.overflow {
		return nil, d.errs.err()
	}
	ats := planMatrix(d, root, s)
	if d.failedUnder("matrix") {
		return nil, d.errs.err()
	}
	errs := expand(f, d, root, ats)
	if len(errs) > 0 {
		return nil, errs.err()
	}
	return f, nil
}

// decodeScenario decodes and validates a document tree.
func decodeScenario(d *decoder, root *yaml.Node, path string) *Scenario {
	s := &Scenario{}
	d.decode(root, "", reflect.ValueOf(s).Elem(), nil)
	s.File = path
	d.validate(s)
	return s
}

// planMatrix checks each dimension's at path against the document and
// the format, and returns the node of each at (where added keys are
// placed).
func planMatrix(d *decoder, root *yaml.Node, s *Scenario) []*yaml.Node {
	ats := make([]*yaml.Node, len(s.Matrix))
	total := 1
	for i, dim := range s.Matrix {
		p := "matrix." + dim.Name + ".at"
		ats[i] = d.pos(p)
		if dim.At == "" {
			continue
		}
		if _, msg := locate(root, dim.At, false); msg != "" {
			d.failAt(p, "%s", msg)
			continue
		}
		for _, prev := range s.Matrix[:i] {
			if prev.At != "" && overlaps(dim.At, prev.At) {
				d.failAt(p, "at %s overlaps matrix.%s.at %s: two dimensions would set the same node", dim.At, prev.Name, prev.At)
			}
		}
		if len(dim.Values) > 0 {
			total *= len(dim.Values)
			if total > maxCases {
				d.failAt("matrix."+dim.Name, "the matrix expands to more than %d cases", maxCases)
				total = 1
			}
		}
	}
	return ats
}

// expand builds the cases of a file with a matrix: each cell is applied
// to a copy of the document tree, which is then decoded and validated on
// its own. An error is reported once however many cases show it, and is
// marked with the first such case unless every case shows it. base is the
// decoder of the base document, for positions.
func expand(f *File, base *decoder, root *yaml.Node, ats []*yaml.Node) ErrorList {
	s := f.Scenario
	type seen struct {
		e     *Error
		count int
	}
	var found []*seen
	byKey := map[string]*seen{}
	used := make([]bool, len(s.ExpectRules))
	var unmatched []string
	all := cells(s.Matrix)
	for _, cell := range all {
		doc := copyNode(root, map[*yaml.Node]*yaml.Node{})
		names := make(map[string]string, len(cell))
		dimOrder := make([]string, len(cell))
		parts := make([]string, len(cell))
		for k, dim := range s.Matrix {
			v := dim.Values[cell[k]]
			t, msg := locate(doc, dim.At, true)
			if msg != "" {
				// planMatrix resolved the same path in the same tree.
				return ErrorList{{File: f.Path, Line: ats[k].Line, Col: ats[k].Column, Path: "matrix." + dim.Name + ".at",
					Msg: "internal error: " + msg}}
			}
			t.set(copyNode(v.node, map[*yaml.Node]*yaml.Node{}), ats[k])
			names[dim.Name] = v.Name
			dimOrder[k] = dim.Name
			parts[k] = dim.Name + "=" + v.Name
		}
		cellText := strings.Join(parts, ",")
		id := s.Name + "/" + cellText
		d := newDecoder(f.Path)
		cs := decodeScenario(d, doc, f.Path)
		if len(d.errs) == 0 {
			matched := -1
			for i := range cs.ExpectRules {
				if cs.ExpectRules[i].Matches(names) {
					matched = i
					break
				}
			}
			if matched < 0 {
				unmatched = append(unmatched, id)
			} else {
				if matched < len(used) {
					used[matched] = true
				}
				f.Cases = append(f.Cases, &Case{
					ID: id, Scenario: cs, Cell: names, CellOrder: dimOrder,
					Expect: cs.ExpectRules[matched].normalized(),
				})
			}
		}
		for _, e := range d.errs {
			key := fmt.Sprintf("%d:%d:%s:%s", e.Line, e.Col, e.Path, e.Msg)
			if x := byKey[key]; x != nil {
				x.count++
				continue
			}
			e.Case = cellText
			x := &seen{e: e, count: 1}
			byKey[key] = x
			found = append(found, x)
		}
	}
	var errs ErrorList
	for _, x := range found {
		if x.count == len(all) {
			x.e.Case = ""
		}
		errs = append(errs, x.e)
	}
	at := func(path, format string, args ...any) *Error {
		n := base.pos(path)
		e := &Error{File: f.Path, Line: 1, Col: 1, Path: path, Msg: fmt.Sprintf(format, args...)}
		if n != nil && n.Line > 0 {
			e.Line, e.Col = n.Line, n.Column
		}
		return e
	}
	if len(unmatched) > 0 {
		shown, more := unmatched, ""
		if len(shown) > 5 {
			shown, more = shown[:5], fmt.Sprintf(" and %d more", len(unmatched)-5)
		}
		errs = append(errs, at("expect", "no rule matches case %s%s: add a rule for it, or a last rule without when",
			strings.Join(shown, ", "), more))
	}
	if len(errs) == 0 {
		for i, u := range used {
			if !u {
				errs = append(errs, at(fmt.Sprintf("expect.%d", i), "this rule matches no case: the rules before it take every case it names"))
			}
		}
	}
	if len(errs) > 0 {
		f.Cases = nil
	}
	return errs
}

// LoadFile loads one scenario file from disk.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ErrorList{{File: path, Msg: err.Error()}}
	}
	return Load(path, data)
}

// isYAML reports whether a file name has a YAML extension.
func isYAML(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// LoadFS loads every *.yaml and *.yml file below root in fsys, sorted by
// path. Scenario names must be unique across them. The files that loaded
// are returned even when others failed; the error lists every problem.
func LoadFS(fsys fs.FS, root string) ([]*File, error) {
	var paths []string
	var errs ErrorList
	err := fs.WalkDir(fsys, root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, &Error{File: p, Msg: err.Error()})
			return nil
		}
		if e.IsDir() && p != root && skipDir(e.Name()) {
			return fs.SkipDir
		}
		if !e.IsDir() && isYAML(p) {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		errs = append(errs, &Error{File: root, Msg: err.Error()})
	}
	slices.Sort(paths)
	return loadAll(paths, func(p string) ([]byte, error) { return fs.ReadFile(fsys, p) }, errs)
}

// LoadPaths loads files and folders (recursively: every *.yaml and *.yml
// below them), sorted by path. A file named explicitly is loaded whatever
// its extension. Scenario names must be unique across the run. The files
// that loaded are returned even when others failed; the error lists every
// problem.
func LoadPaths(paths []string) ([]*File, error) {
	var files []string
	var errs ErrorList
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, &Error{File: p, Msg: err.Error()})
			continue
		}
		if !st.IsDir() {
			files = append(files, filepath.Clean(p))
			continue
		}
		err = filepath.WalkDir(p, func(q string, e fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, &Error{File: q, Msg: err.Error()})
				return nil
			}
			if e.IsDir() && q != p && skipDir(e.Name()) {
				return filepath.SkipDir
			}
			if !e.IsDir() && isYAML(q) {
				files = append(files, q)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, &Error{File: p, Msg: err.Error()})
		}
	}
	slices.Sort(files)
	files = slices.Compact(files)
	return loadAll(files, os.ReadFile, errs)
}

// loadAll loads each path and checks that scenario names are unique.
func loadAll(paths []string, read func(string) ([]byte, error), errs ErrorList) ([]*File, error) {
	var out []*File
	names := map[string]*File{}
	for _, p := range paths {
		data, err := read(p)
		if err != nil {
			errs = append(errs, &Error{File: p, Msg: err.Error()})
			continue
		}
		f, err := Load(p, data)
		if err != nil {
			if l, ok := err.(ErrorList); ok {
				errs = append(errs, l...)
			} else {
				errs = append(errs, &Error{File: p, Msg: err.Error()})
			}
			continue
		}
		name := f.Scenario.Name
		if first := names[name]; first != nil {
			line := 1
			if first.name != nil {
				line = first.name.Line
			}
			e := &Error{File: p, Line: 1, Col: 1, Path: "name", Msg: fmt.Sprintf("scenario name %q is already used by %s:%d", name, first.Path, line)}
			if f.name != nil {
				e.Line, e.Col = f.name.Line, f.name.Column
			}
			errs = append(errs, e)
			continue
		}
		names[name] = f
		out = append(out, f)
	}
	return out, errs.err()
}

// skipDir reports whether a folder met while walking is left out, as the go
// tool leaves them out: testdata (fixtures, such as the loader's own
// malformed files) and folders starting with '.' or '_'. A folder named on
// the command line is always read.
func skipDir(name string) bool {
	return name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}
