package results

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Verdict marks in Markdown. GitHub renders emoji everywhere, and they keep
// the grids narrow.
const (
	mdPass  = "✅"
	mdFail  = "❌"
	mdError = "⛔"
	mdFlaky = "⚠️"
)

// WriteMarkdown writes a summary that fits a GitHub step summary
// ($GITHUB_STEP_SUMMARY): a totals line, the failures with their reasons, a
// grid per matrix scenario, then a table of every case.
func WriteMarkdown(w io.Writer, r *Run) error {
	if r == nil {
		return errors.New("results: write markdown: nil run")
	}
	bw := bufio.NewWriter(w)
	writeMarkdown(bw, r)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("results: write markdown: %w", err)
	}
	return nil
}

func writeMarkdown(w *bufio.Writer, r *Run) {
	t := countCases(r)
	w.WriteString("## icelab\n\n")
	fmt.Fprintf(w, "**%d %s**: %s %d passed · %s %d failed · %s %d %s",
		t.Cases, plural(t.Cases, "case", "cases"), mdPass, t.Pass, mdFail, t.Fail, mdError, t.Error, plural(t.Error, "error", "errors"))
	if t.Flaky > 0 {
		fmt.Fprintf(w, " · %s %d flaky", mdFlaky, t.Flaky)
	}
	var meta []string
	if r.Clock != "" {
		meta = append(meta, mdText(r.Clock)+" clock")
	}
	if r.WallMS > 0 {
		meta = append(meta, fmtMS(r.WallMS)+" wall")
	}
	if len(meta) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(meta, ", "))
	}
	w.WriteString("\n\n")

	if fs := failures(r); len(fs) > 0 {
		w.WriteString("### Failures\n\n")
		for _, c := range fs {
			fmt.Fprintf(w, "- %s %s", verdictEmoji(c.Verdict), mdCode(c.ID))
			if c.Flaky {
				fmt.Fprintf(w, " %s flaky (%s)", mdFlaky, mdText(strings.Join(c.Outcomes, ", ")))
			}
			w.WriteString("\n")
			for _, reason := range c.Reasons {
				fmt.Fprintf(w, "  - %s\n", mdText(reason))
			}
			if len(c.Reasons) == 0 && c.Observed.Failure != "" {
				fmt.Fprintf(w, "  - %s\n", mdText(c.Observed.Failure))
			}
		}
		w.WriteString("\n")
	}

	for _, g := range matrixGrids(r) {
		writeMarkdownGrid(w, g)
	}

	w.WriteString("### All cases\n\n")
	w.WriteString("| | case | path | offerer | answerer | connect | data |\n")
	w.WriteString("|---|---|---|---|---|---|---|\n")
	for _, c := range r.Cases {
		mark := verdictEmoji(c.Verdict)
		if c.Flaky {
			mark += " " + mdFlaky
		}
		data := ""
		if c.Observed.Data.Sent > 0 {
			data = fmt.Sprintf("%d/%d", c.Observed.Data.Echoed, c.Observed.Data.Sent)
		}
		o := c.Observed
		offerer, answerer := "", ""
		if o.Connected {
			offerer, answerer = o.Offerer, o.Answerer
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n",
			mark, mdCode(c.ID), mdText(pathText(c)), mdText(offerer), mdText(answerer), connectText(c), data)
	}
}

func writeMarkdownGrid(w *bufio.Writer, g grid) {
	fmt.Fprintf(w, "### %s\n\n", mdCode(g.Scenario))
	if g.Description != "" {
		fmt.Fprintf(w, "%s\n\n", mdText(g.Description))
	}
	corner := mdText(strings.Join(g.ColDims, ", ")) + " →"
	if g.RowDim != "" {
		corner = mdText(g.RowDim) + " ↓ · " + corner
	}
	w.WriteString("| " + corner + " |")
	for _, col := range g.Cols {
		w.WriteString(" " + mdText(col) + " |")
	}
	w.WriteString("\n|---|")
	for range g.Cols {
		w.WriteString("---|")
	}
	w.WriteString("\n")
	for i, row := range g.Rows {
		label := "**" + mdText(row) + "**"
		if g.RowDim == "" {
			label = ""
		}
		w.WriteString("| " + label + " |")
		for _, c := range g.Cells[i] {
			w.WriteString(" " + mdCell(c) + " |")
		}
		w.WriteString("\n")
	}
	w.WriteString("\n")
}

// mdCell is a grid cell: verdict, how the call went, and its connect time,
// e.g. "✅ direct 1.0s", "❌ relayed 2.3s", "⛔ no call".
func mdCell(c *Result) string {
	if c == nil {
		return "·"
	}
	s := verdictEmoji(c.Verdict) + " " + mdText(pathText(c))
	if t := connectText(c); t != "" {
		s += " " + t
	}
	if c.Flaky {
		s += " " + mdFlaky
	}
	return s
}

func verdictEmoji(v string) string {
	switch v {
	case Pass:
		return mdPass
	case Fail:
		return mdFail
	default:
		return mdError
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// mdText makes user text inert in GitHub Markdown, including inside table
// cells: line breaks become spaces, HTML-significant characters become
// entities (GitHub would otherwise render tags), and Markdown punctuation is
// backslash-escaped.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '[', ']', '|', '#', '~', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode puts user text in a code span that survives tables: the fence is
// longer than any backtick run inside, pipes are escaped (GFM strips the
// backslash before parsing the span), and line breaks become spaces.
func mdCode(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
	s = strings.ReplaceAll(s, "|", `\|`)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
