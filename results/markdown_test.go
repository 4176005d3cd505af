package results

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// matrixCases builds cases of scenario "s" for every combination of the
// dimensions, in expansion order, ids written the way the loader writes them.
func matrixCases(dims []string, values [][]string, withOrder bool) []*Result {
	var out []*Result
	var rec func(i int, cell map[string]string, parts []string)
	rec = func(i int, cell map[string]string, parts []string) {
		if i == len(dims) {
			c := &Result{ID: "s/" + strings.Join(parts, ","), Scenario: "s", Verdict: Pass, Cell: map[string]string{}}
			for k, v := range cell {
				c.Cell[k] = v
			}
			if withOrder {
				c.CellOrder = dims
			}
			out = append(out, c)
			return
		}
		for _, v := range values[i] {
			cell[dims[i]] = v
			rec(i+1, cell, append(parts, dims[i]+"="+v))
		}
		delete(cell, dims[i])
	}
	rec(0, map[string]string{}, nil)
	return out
}

func TestGridLayout(t *testing.T) {
	tests := []struct {
		name      string
		dims      []string
		values    [][]string
		withOrder bool
		drop      string // id of a case to leave out
		rowDim    string
		cols      []string
		rows      []string
	}{
		{
			name: "one dimension is one row", dims: []string{"nat"}, values: [][]string{{"full-cone", "symmetric"}},
			rowDim: "", rows: []string{""}, cols: []string{"full-cone", "symmetric"},
		},
		{
			name: "two dimensions: rows by columns", dims: []string{"zeta", "alpha"},
			values:    [][]string{{"z1", "z2", "z3"}, {"a2", "a1"}},
			withOrder: true,
			rowDim:    "zeta", rows: []string{"z1", "z2", "z3"}, cols: []string{"a2", "a1"},
		},
		{
			name: "order read back from ids without CellOrder", dims: []string{"zeta", "alpha"},
			values: [][]string{{"z1", "z2"}, {"a1", "a2"}},
			rowDim: "zeta", rows: []string{"z1", "z2"}, cols: []string{"a1", "a2"},
		},
		{
			name: "values with commas and equals signs", dims: []string{"b", "a"},
			values: [][]string{{"x=1,y", "plain"}, {"p,q", "r"}},
			rowDim: "b", rows: []string{"x=1,y", "plain"}, cols: []string{"p,q", "r"},
		},
		{
			name: "three dimensions: first as rows, rest joined", dims: []string{"nat", "servers", "trickle"},
			values:    [][]string{{"cone", "sym"}, {"stun", "turn"}, {"on", "off"}},
			withOrder: true,
			rowDim:    "nat", rows: []string{"cone", "sym"},
			cols: []string{"servers=stun, trickle=on", "servers=stun, trickle=off", "servers=turn, trickle=on", "servers=turn, trickle=off"},
		},
		{
			name: "a filtered-out case leaves a hole", dims: []string{"r", "c"},
			values: [][]string{{"r1", "r2"}, {"c1", "c2"}}, withOrder: true, drop: "s/r=r2,c=c1",
			rowDim: "r", rows: []string{"r1", "r2"}, cols: []string{"c1", "c2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cases []*Result
			for _, c := range matrixCases(tt.dims, tt.values, tt.withOrder) {
				if c.ID != tt.drop {
					cases = append(cases, c)
				}
			}
			grids := matrixGrids(&Run{Cases: cases})
			if len(grids) != 1 {
				t.Fatalf("%d grids, want 1", len(grids))
			}
			g := grids[0]
			if g.RowDim != tt.rowDim || !reflect.DeepEqual(g.Rows, tt.rows) || !reflect.DeepEqual(g.Cols, tt.cols) {
				t.Fatalf("grid rowDim=%q rows=%q cols=%q\nwant rowDim=%q rows=%q cols=%q",
					g.RowDim, g.Rows, g.Cols, tt.rowDim, tt.rows, tt.cols)
			}
			// Every case sits in the cell its values name; holes are nil.
			placed := 0
			for i := range g.Rows {
				for j := range g.Cols {
					c := g.Cells[i][j]
					if c == nil {
						continue
					}
					placed++
					if g.RowDim != "" && c.Cell[g.RowDim] != g.Rows[i] {
						t.Errorf("case %s in row %q", c.ID, g.Rows[i])
					}
					if colLabel(c.Cell, g.ColDims) != g.Cols[j] {
						t.Errorf("case %s in column %q", c.ID, g.Cols[j])
					}
				}
			}
			if placed != len(cases) {
				t.Errorf("%d cases placed, want %d", placed, len(cases))
			}
		})
	}
}

func TestNoGridWithoutMatrix(t *testing.T) {
	if g := matrixGrids(&Run{Cases: []*Result{{ID: "a", Scenario: "a", Verdict: Pass}}}); len(g) != 0 {
		t.Fatalf("plain scenario got %d grids", len(g))
	}
}

func TestMarkdownCells(t *testing.T) {
	tests := []struct {
		c    *Result
		want string
	}{
		{&Result{Verdict: Pass, Observed: Observed{Connected: true, Path: "direct", ConnectMS: 1000}}, "✅ direct 1.0s"},
		{&Result{Verdict: Fail, Observed: Observed{Connected: true, Path: "relayed", ConnectMS: 250}}, "❌ relayed 250ms"},
		{&Result{Verdict: Error}, "⛔ no call"},
		{&Result{Verdict: Pass}, "✅ no call"},
		{&Result{Verdict: Fail, Flaky: true, Observed: Observed{Connected: true, Path: "direct", ConnectMS: 3412}}, "❌ direct 3.4s ⚠️"},
		{nil, "·"},
	}
	for _, tt := range tests {
		if got := mdCell(tt.c); got != tt.want {
			t.Errorf("mdCell = %q, want %q", got, tt.want)
		}
	}
}

func TestMarkdownEscapesUserText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"a|b", `a\|b`},
		{"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"},
		{"*bold* _it_ [link](x) `code`", `\*bold\* \_it\_ \[link\](x) \` + "`code\\`"},
		{"two\nlines", "two lines"},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	codes := []struct{ in, want string }{
		{"nat-matrix/a=b", "`nat-matrix/a=b`"},
		{"has`tick", "``has`tick``"},
		{"`edge`", "`` `edge` ``"},
		{"pipe|in|id", "`pipe\\|in\\|id`"},
	}
	for _, tt := range codes {
		if got := mdCode(tt.in); got != tt.want {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every table row must have as many cells as its header, whatever the text:
// a stray pipe would shift the columns on GitHub.
func TestMarkdownTablesStayRectangular(t *testing.T) {
	r := fixtureRun()
	r.Cases[0].ID = "basic|direct"
	r.Cases[0].Observed.Offerer = "re|flexive"
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	cols := -1
	for i, line := range strings.Split(buf.String(), "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = -1
			continue
		}
		n := strings.Count(line, "|") - strings.Count(line, `\|`)
		if cols == -1 {
			cols = n
		} else if n != cols {
			t.Errorf("line %d has %d unescaped pipes, table header has %d: %s", i+1, n, cols, line)
		}
	}
}

func TestMarkdownTotals(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	tot := countCases(fixtureRun())
	want := fmt.Sprintf("**%d cases**: ✅ %d passed · ❌ %d failed · ⛔ %d error", tot.Cases, tot.Pass, tot.Fail, tot.Error)
	if !strings.Contains(buf.String(), want) {
		t.Errorf("summary lacks totals line %q", want)
	}
	// Failures come before the grids and the all-cases table.
	s := buf.String()
	if f, g := strings.Index(s, "### Failures"), strings.Index(s, "### `nat-matrix`"); f < 0 || g < 0 || f > g {
		t.Error("failures must come before the matrix grids")
	}
}
