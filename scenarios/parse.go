package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parserProblems are the yaml.v3 parser (not scanner) error messages.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// yamlLine matches the position yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse reads the one YAML document of a file into a node tree.
func parse(path string, data []byte) (root *yaml.Node, err error) {
	fail := func(line, col int, format string, args ...any) error {
		return ErrorList{{File: path, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}}
	}
	// yaml.v3 reports syntax errors by panicking internally and recovering;
	// a panic that escapes it is a parser bug, and must not take the
	// caller down with it.
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fail(1, 0, "YAML parser failure: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fail(1, 1, "empty file: expected a scenario (a mapping with name, hosts, peers, call and expect)")
		}
		return nil, syntaxError(path, data, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(path, data, err)
	default:
		line := max(next.Line, 1)
		if len(next.Content) > 0 && next.Content[0].Line > 0 {
			line = next.Content[0].Line
		}
		return nil, fail(line, 1, "a file holds one scenario: found a second YAML document")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fail(1, 1, "empty file: expected a scenario (a mapping with name, hosts, peers, call and expect)")
	}
	return doc.Content[0], nil
}

// syntaxError turns a yaml.v3 error into an *Error; yaml.v3 gives a line
// but no column.
func syntaxError(path string, data []byte, err error) error {
	line, msg := 1, err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if l, err := strconv.Atoi(m[1]); err == nil && l > 0 {
			line = l
		}
		msg = m[2]
		if parserProblems[msg] {
			// yaml.v3 prints the 0-based line of a parser error's mark
			// (the start of the enclosing collection); scanner errors
			// are already 1-based.
			line++
		}
		// A problem found at the end of the input is on the last line.
		last := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			last++
		}
		line = max(min(line, last), 1)
	} else if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	return ErrorList{{File: path, Line: line, Msg: "YAML syntax: " + msg + flowHint(data, line, msg)}}
}

// flowHint explains the likeliest cause of a flow-collection error: this
// YAML parser (libyaml rules) ends a plain word at '?' inside [...] and
// {...}, so turn:host:3478?transport=udp must be quoted there.
func flowHint(data []byte, line int, msg string) string {
	if !strings.HasPrefix(msg, "did not find expected ',' or") {
		return ""
	}
	lines := bytes.Split(data, []byte("\n"))
	if line < 1 || line > len(lines) || !bytes.Contains(lines[line-1], []byte("?")) {
		return ""
	}
	return ` (inside [...] or {...} a '?' ends an unquoted word: quote it, like "turn:host:3478?transport=udp")`
}
