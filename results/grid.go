package results

import (
	"maps"
	"slices"
	"strings"
)

// grid lays a matrix scenario's cases out as a table. With two dimensions the
// first gives the rows and the second the columns; with one there is a single
// row; with more, the first gives the rows and the rest are joined as columns.
type grid struct {
	Scenario    string
	Description string
	// RowDim names the row dimension ("" with one dimension); ColDims the
	// dimensions the columns stand for.
	RowDim  string
	ColDims []string
	Rows    []string // row labels: values of RowDim
	Cols    []string // column labels: a value, or "dim=value, dim=value"
	// Cells[row][col] is nil where the run holds no such case (filtered out).
	Cells [][]*Result
}

// matrixGrids builds one grid per scenario whose cases carry matrix cells.
func matrixGrids(r *Run) []grid {
	names, by := scenarioOrder(r)
	var out []grid
	for _, name := range names {
		if g, ok := buildGrid(name, by[name]); ok {
			out = append(out, g)
		}
	}
	return out
}

func buildGrid(scenario string, cases []*Result) (grid, bool) {
	dims := dimOrder(cases)
	if len(dims) == 0 {
		return grid{}, false
	}
	g := grid{Scenario: scenario}
	for _, c := range cases {
		if c.Description != "" {
			g.Description = c.Description
			break
		}
	}
	colDims := dims
	if len(dims) > 1 {
		g.RowDim, colDims = dims[0], dims[1:]
	}
	g.ColDims = colDims
	rowIdx := map[string]int{}
	colIdx := map[string]int{}
	type placed struct {
		row, col int
		c        *Result
	}
	var cells []placed
	// Values are indexed in order of first appearance: cases come in matrix
	// expansion order, so this is the order the document lists them.
	for _, c := range cases {
		row := ""
		if g.RowDim != "" {
			row = c.Cell[g.RowDim]
		}
		col := colLabel(c.Cell, colDims)
		ri, ok := rowIdx[row]
		if !ok {
			ri = len(g.Rows)
			rowIdx[row] = ri
			g.Rows = append(g.Rows, row)
		}
		ci, ok := colIdx[col]
		if !ok {
			ci = len(g.Cols)
			colIdx[col] = ci
			g.Cols = append(g.Cols, col)
		}
		cells = append(cells, placed{ri, ci, c})
	}
	g.Cells = make([][]*Result, len(g.Rows))
	for i := range g.Cells {
		g.Cells[i] = make([]*Result, len(g.Cols))
	}
	for _, p := range cells {
		if g.Cells[p.row][p.col] == nil {
			g.Cells[p.row][p.col] = p.c
		}
	}
	return g, true
}

func colLabel(cell map[string]string, dims []string) string {
	if len(dims) == 1 {
		return cell[dims[0]]
	}
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = d + "=" + cell[d]
	}
	return strings.Join(parts, ", ")
}

// dimOrder returns a scenario's matrix dimensions in document order: from
// CellOrder when the runner recorded it, else read back from the case id
// ("scenario/dim=value,dim=value"), else sorted. Dimensions missing from the
// first case's order are appended sorted.
func dimOrder(cases []*Result) []string {
	all := map[string]bool{}
	for _, c := range cases {
		for k := range c.Cell {
			all[k] = true
		}
	}
	if len(all) == 0 {
		return nil
	}
	var order []string
	for _, c := range cases {
		if len(c.CellOrder) > 0 {
			order = c.CellOrder
			break
		}
	}
	if order == nil {
		for _, c := range cases {
			if o := dimsFromID(c); o != nil {
				order = o
				break
			}
		}
	}
	var out []string
	for _, d := range order {
		if all[d] && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	for _, d := range slices.Sorted(maps.Keys(all)) {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// dimsFromID recovers the dimension order from an id. Values may contain ','
// or '=', so rather than splitting, it matches each known "dim=value" at the
// current position; nil when the id does not have that shape.
func dimsFromID(c *Result) []string {
	rest, ok := strings.CutPrefix(c.ID, c.Scenario+"/")
	if !ok || len(c.Cell) == 0 {
		return nil
	}
	var order []string
	used := map[string]bool{}
	for len(order) < len(c.Cell) {
		found := false
		for _, k := range slices.Sorted(maps.Keys(c.Cell)) {
			tok := k + "=" + c.Cell[k]
			if used[k] || !strings.HasPrefix(rest, tok) {
				continue
			}
			after := rest[len(tok):]
			if after != "" && !strings.HasPrefix(after, ",") {
				continue
			}
			used[k] = true
			order = append(order, k)
			rest = strings.TrimPrefix(after, ",")
			found = true
			break
		}
		if !found {
			return nil
		}
	}
	if rest != "" {
		return nil
	}
	return order
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
