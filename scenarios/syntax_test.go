package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// TestSyntaxLines checks that YAML syntax errors name the line of the
// problem (the line where the parser detected it, 1-based).
func TestSyntaxLines(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"scanner: bad token", "name: x\nhosts:\n  a: @b\n", 3, "found character that cannot start any token"},
		{"scanner: tab indent", "name: x\nhosts:\n\ta: {}\n", 3, "found character that cannot start any token"},
		{"parser: block mapping", "name: x\nhosts:\n  a: {}\n b: {}\n", 4, "did not find expected key"},
		{"parser: unclosed flow", "name: x\nlabels: [a, b\nhosts: {}\n", 3, "did not find expected ',' or ']'"},
		{"first line", "[a\n", 1, "did not find expected ',' or ']'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("s.yaml", []byte(tc.src))
			var list ErrorList
			if !errors.As(err, &list) || len(list) != 1 {
				t.Fatalf("got %v, want one error", err)
			}
			if e := list[0]; e.Line != tc.line || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %v, want line %d with %q", e, tc.line, tc.msg)
			}
		})
	}
}
