package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	yaml "go.yaml.in/yaml/v4"
)

// yamlLine matches the position the YAML parser puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse reads the one YAML document of a file into a node tree.
func parse(path string, data []byte) (root *yaml.Node, err error) {
	fail := func(line, col int, format string, args ...any) error {
		return ErrorList{{File: path, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}}
	}
	// The YAML parser reports syntax errors by panicking internally and recovering;
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

// syntaxError turns a YAML syntax error into an *Error; the parser gives
// the 1-based line where it detected the problem (for an unclosed [ or {,
// the line after it) but no column.
func syntaxError(path string, data []byte, err error) error {
	line, msg := 1, err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if l, err := strconv.Atoi(m[1]); err == nil && l > 0 {
			line = l
		}
		msg = m[2]
		// A problem found at the end of the input is on the last line.
		last := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			last++
		}
		line = max(min(line, last), 1)
	} else if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	return ErrorList{{File: path, Line: line, Msg: "YAML syntax: " + msg}}
}
