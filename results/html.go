package results

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
)

//go:embed report.html.tmpl
var reportTemplate string

// reportTmpl is parsed once; html/template escapes every value by context
// (text, attribute, SVG), which is what keeps case ids and log lines inert.
var reportTmpl = template.Must(template.New("report").Parse(reportTemplate))

// maxLogLines caps each log excerpt in the HTML report; results.json keeps
// every line.
const maxLogLines = 200

// openLimit: when at most this many cases did not pass, their sections start
// open, so a small failing run shows its details without a click.
const openLimit = 5

// WriteHTML writes one self-contained HTML report: inline CSS, JS and SVG
// only, nothing loaded from the network (a Content-Security-Policy says so to
// the browser too).
func WriteHTML(w io.Writer, r *Run) error {
	if r == nil {
		return errors.New("results: write html: nil run")
	}
	bw := bufio.NewWriter(w)
	if err := reportTmpl.Execute(bw, buildView(r)); err != nil {
		return fmt.Errorf("results: write html: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("results: write html: %w", err)
	}
	return nil
}

type htmlView struct {
	Started  string
	Clock    string
	Wall     string
	Totals   totals
	Bar      []barPart
	Failures []*htmlCase
	Grids    []htmlGrid
	Cases    []*htmlCase
}

// barPart is one verdict's share of the totals bar, in percent.
type barPart struct {
	Class string
	Pct   float64
	Title string
}

type htmlGrid struct {
	Scenario    string
	Description string
	Corner      string
	RowDim      string
	Cols        []string
	Rows        []htmlGridRow
}

type htmlGridRow struct {
	Label string
	Cells []htmlGridCell
}

type htmlGridCell struct {
	Present bool
	Anchor  string
	Class   string // path class
	Verdict string
	Glyph   string
	Text    string
	Time    string
	Flaky   bool
	Title   string
}

type htmlCase struct {
	Anchor      string
	ID          string
	Scenario    string
	File        string
	Description string
	Labels      []string
	Cell        []string
	Verdict     string
	Glyph       string
	Class       string
	PathText    string
	Time        string
	Flaky       bool
	Outcomes    string
	Open        bool
	Seed        int64
	Wall        string
	Reasons     []string
	Failure     string
	Checks      []checkRow
	World       *worldNode
	Pairs       []pairRow
	Gathered    []gatherGroup
	Timeline    *timelineSVG
	Allocations []Allocation
	Wire        *Wire
	NAT         []natRow
	RelayLogs   []logBlock
	Log         *logBlock
}

// checkRow is one line of the expected vs observed table. Status is "ok",
// "bad", or "" when nothing was expected.
type checkRow struct {
	What, Expected, Observed, Status string
}

type pairRow struct {
	Peer                 string
	Local, Remote        Candidate
	LocalAddr, RemoteAdr string
}

type gatherGroup struct {
	Peer  string
	Types string
	Cands []candRow
}

type candRow struct {
	Type, Addr, Protocol, Related string
}

type natRow struct {
	Network string
	NATBehavior
}

type logBlock struct {
	Name  string
	Lines []string
	More  int
}

func buildView(r *Run) *htmlView {
	t := countCases(r)
	v := &htmlView{Clock: r.Clock, Totals: t}
	if !r.StartedAt.IsZero() {
		v.Started = r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	if r.WallMS > 0 {
		v.Wall = fmtMS(r.WallMS)
	}
	if t.Cases > 0 {
		for _, p := range []struct {
			class, word string
			n           int
		}{{"v-pass", "passed", t.Pass}, {"v-fail", "failed", t.Fail}, {"v-error", "errors", t.Error}} {
			if p.n > 0 {
				v.Bar = append(v.Bar, barPart{p.class, round1(100 * float64(p.n) / float64(t.Cases)), fmt.Sprintf("%d %s", p.n, p.word)})
			}
		}
	}
	anchors := make(map[*Result]string, len(r.Cases))
	open := t.Fail+t.Error <= openLimit
	for i, c := range r.Cases {
		// Anchors are positional: ids are user text and need no slugging.
		anchors[c] = fmt.Sprintf("case-%d", i+1)
		hc := buildCase(c, anchors[c])
		hc.Open = open && c.Verdict != Pass
		v.Cases = append(v.Cases, hc)
		if c.Verdict != Pass {
			v.Failures = append(v.Failures, hc)
		}
	}
	for _, g := range matrixGrids(r) {
		v.Grids = append(v.Grids, buildHTMLGrid(g, anchors))
	}
	return v
}

func buildHTMLGrid(g grid, anchors map[*Result]string) htmlGrid {
	hg := htmlGrid{Scenario: g.Scenario, Description: g.Description, RowDim: g.RowDim, Cols: g.Cols}
	hg.Corner = strings.Join(g.ColDims, ", ") + " →"
	if g.RowDim != "" {
		hg.Corner = g.RowDim + " ↓ · " + hg.Corner
	}
	for i, label := range g.Rows {
		row := htmlGridRow{Label: label}
		for _, c := range g.Cells[i] {
			if c == nil {
				row.Cells = append(row.Cells, htmlGridCell{})
				continue
			}
			cell := htmlGridCell{
				Present: true,
				Anchor:  anchors[c],
				Class:   pathClass(c),
				Verdict: c.Verdict,
				Glyph:   verdictGlyph(c.Verdict),
				Text:    pathText(c),
				Time:    connectText(c),
				Flaky:   c.Flaky,
				Title:   c.ID + ": " + c.Verdict,
			}
			if len(c.Reasons) > 0 {
				cell.Title += " — " + strings.Join(c.Reasons, "; ")
			}
			row.Cells = append(row.Cells, cell)
		}
		hg.Rows = append(hg.Rows, row)
	}
	return hg
}

func verdictGlyph(v string) string {
	switch v {
	case Pass:
		return "✓"
	case Fail:
		return "✗"
	default:
		return "!"
	}
}

func buildCase(c *Result, anchor string) *htmlCase {
	o := c.Observed
	hc := &htmlCase{
		Anchor:      anchor,
		ID:          c.ID,
		Scenario:    c.Scenario,
		File:        c.File,
		Description: c.Description,
		Labels:      c.Labels,
		Verdict:     c.Verdict,
		Glyph:       verdictGlyph(c.Verdict),
		Class:       pathClass(c),
		PathText:    pathText(c),
		Time:        connectText(c),
		Flaky:       c.Flaky,
		Outcomes:    strings.Join(c.Outcomes, ", "),
		Seed:        c.Seed,
		Reasons:     c.Reasons,
		Failure:     o.Failure,
		Checks:      buildChecks(c),
		World:       buildWorld(c.World),
		Timeline:    buildTimeline(o),
		Allocations: o.Allocations,
		Wire:        o.Wire,
	}
	if c.WallMS > 0 {
		hc.Wall = fmtMS(c.WallMS)
	}
	for _, d := range dimOrder([]*Result{c}) {
		hc.Cell = append(hc.Cell, d+"="+c.Cell[d])
	}
	for _, p := range sortedKeys(o.Selected) {
		if pr := o.Selected[p]; pr != nil {
			hc.Pairs = append(hc.Pairs, pairRow{Peer: p, Local: pr.Local, Remote: pr.Remote,
				LocalAddr: candAddr(pr.Local), RemoteAdr: candAddr(pr.Remote)})
		}
	}
	for _, p := range sortedKeys(o.Gathered) {
		g := gatherGroup{Peer: p, Types: strings.Join(candidateTypes(o.Gathered[p]), ", ")}
		for _, cand := range o.Gathered[p] {
			row := candRow{Type: cand.Type, Addr: candAddr(cand), Protocol: cand.Protocol}
			if cand.RelatedAddress != "" {
				row.Related = hostPort(cand.RelatedAddress, cand.RelatedPort)
			}
			g.Cands = append(g.Cands, row)
		}
		hc.Gathered = append(hc.Gathered, g)
	}
	for _, n := range sortedKeys(o.NAT) {
		hc.NAT = append(hc.NAT, natRow{Network: n, NATBehavior: o.NAT[n]})
	}
	for _, name := range sortedKeys(o.RelayLog) {
		hc.RelayLogs = append(hc.RelayLogs, excerpt(name, o.RelayLog[name]))
	}
	if len(c.Log) > 0 {
		b := excerpt("case log", c.Log)
		hc.Log = &b
	}
	return hc
}

// excerpt keeps the last maxLogLines lines: the end of a log is where a
// failure shows.
func excerpt(name string, lines []string) logBlock {
	b := logBlock{Name: name}
	if n := len(lines); n > maxLogLines {
		b.More = n - maxLogLines
		lines = lines[n-maxLogLines:]
	}
	b.Lines = make([]string, len(lines))
	for i, l := range lines {
		b.Lines[i] = visibleControls(l)
	}
	return b
}

// visibleControls shows control characters (terminal colour codes, NULs) as
// \xNN: browsers would drop or mangle them, and they are evidence.
func visibleControls(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			fmt.Fprintf(&b, `\x%02x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0)
}

func candAddr(c Candidate) string {
	return hostPort(c.Address, c.Port)
}

func hostPort(addr string, port int) string {
	if addr == "" {
		return ""
	}
	if strings.Contains(addr, ":") {
		addr = "[" + addr + "]"
	}
	return fmt.Sprintf("%s:%d", addr, port)
}

// buildChecks lays out the expected vs observed table. The status column is
// the report's own reading of each rule, to guide the eye; the verdict and
// reasons come from the runner and are the authority.
func buildChecks(c *Result) []checkRow {
	e, o := c.Expected, c.Observed
	var rows []checkRow
	add := func(what, exp, obs string, expected, ok bool) {
		status := ""
		if expected {
			status = "bad"
			if ok {
				status = "ok"
			}
		}
		if !expected && exp == "" && obs == "" {
			// Nothing asked, nothing seen (e.g. reach classes of a call
			// that never connected): the row would be noise.
			return
		}
		if exp == "" {
			exp = "—"
		}
		if obs == "" {
			obs = "—"
		}
		rows = append(rows, checkRow{What: what, Expected: exp, Observed: obs, Status: status})
	}
	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	expConnected := ""
	if e.Connected != nil {
		expConnected = yesNo(*e.Connected)
	}
	add("connected", expConnected, yesNo(o.Connected), e.Connected != nil, e.Connected != nil && *e.Connected == o.Connected)
	if e.Connected != nil && !*e.Connected {
		// connected: false makes every other key moot.
		if o.Failure != "" {
			add("failure", "", o.Failure, false, false)
		}
		return rows
	}
	obsPath, obsOff, obsAns := "", "", ""
	if o.Connected {
		obsPath, obsOff, obsAns = o.Path, o.Offerer, o.Answerer
	}
	add("path", e.Path, obsPath, e.Path != "", o.Connected && e.Path == o.Path)
	add("offerer reached as", strings.Join(e.Offerer, " or "), obsOff, len(e.Offerer) > 0, o.Connected && slices.Contains(e.Offerer, o.Offerer))
	add("answerer reached as", strings.Join(e.Answerer, " or "), obsAns, len(e.Answerer) > 0, o.Connected && slices.Contains(e.Answerer, o.Answerer))
	within := ""
	if e.WithinMS > 0 {
		within = "≤ " + fmtMS(e.WithinMS)
	}
	add("connect time", within, connectText(c), e.WithinMS > 0, o.Connected && o.ConnectMS <= e.WithinMS)
	for _, p := range sortedKeys(e.Gathered) {
		got := candidateTypes(o.Gathered[p])
		ok := true
		for _, want := range e.Gathered[p] {
			ok = ok && slices.Contains(got, want)
		}
		add("gathered by "+p, strings.Join(e.Gathered[p], ", "), strings.Join(got, ", "), true, ok)
	}
	for _, s := range e.RelayLog {
		where := relayLogHit(o.RelayLog, s)
		obs := "not found"
		if where != "" {
			obs = "found in " + where
		}
		add("relay log", "“"+s+"”", obs, true, where != "")
	}
	if o.Data.Sent > 0 || o.Data.Echoed > 0 {
		add("data echoed", "", fmt.Sprintf("%d of %d", o.Data.Echoed, o.Data.Sent), false, false)
	}
	return rows
}

func relayLogHit(logs map[string][]string, sub string) string {
	for _, name := range sortedKeys(logs) {
		for _, line := range logs[name] {
			if strings.Contains(line, sub) {
				return name
			}
		}
	}
	return ""
}
