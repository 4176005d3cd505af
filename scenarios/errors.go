package scenarios

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem in a scenario file, at the node that causes it.
type Error struct {
	File string
	// Line and Col are 1-based; Col is 0 when only the line is known (YAML
	// syntax errors), Line is 0 for errors about a whole file (unreadable).
	Line, Col int
	// Path is the dotted key path of the offending node, like
	// networks.home.subnet; list items are numbered from 0 (ice-servers.1).
	Path string
	Msg  string
	// Case is the matrix cell ("dim=value,dim=value") whose expansion shows
	// the problem, or "" when every case (or the base document) has it.
	Case string
}

// Error formats e as "file:line:col: path: msg".
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteByte(':')
		if e.Col > 0 {
			b.WriteString(strconv.Itoa(e.Col))
			b.WriteByte(':')
		}
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Case != "" {
		b.WriteString(" (case ")
		b.WriteString(e.Case)
		b.WriteByte(')')
	}
	return b.String()
}

// ErrorList holds every error found, sorted by file, line and column.
type ErrorList []*Error

// Error joins the errors, one per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives errors.As and errors.Is access to each *Error.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// sort orders l by file, line, column, then path and message so that the
// output is deterministic.
func (l ErrorList) sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
}

// err returns l as an error, or nil when it is empty (never a typed nil).
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	l.sort()
	return l
}
