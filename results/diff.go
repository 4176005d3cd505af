package results

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Change kinds.
const (
	ChangeVerdict   = "verdict"
	ChangePath      = "path"
	ChangeOfferer   = "offerer"
	ChangeAnswerer  = "answerer"
	ChangeConnectMS = "connect_ms"
	ChangeAdded     = "added"
	ChangeRemoved   = "removed"
)

// noCall is the path word for a case that did not connect, so that
// connected→not connected shows as a path change ("direct" → "none").
const noCall = "none"

// Change is one difference between a baseline and a current run, for one
// case. Base and New are display strings (a verdict, a path, "850ms").
type Change struct {
	ID         string
	Kind       string // verdict | path | offerer | answerer | connect_ms | added | removed
	Base, New  string
	Regression bool
}

// Diff is what changed between two runs. Regressions counts the Changes
// marked Regression (one case can contribute several, e.g. a verdict and a
// path).
type Diff struct {
	Changes     []Change
	Regressions int
}

// DiffOptions tunes Compare. Zero fields take the defaults.
type DiffOptions struct {
	// ConnectThreshold is the relative connect-time change that counts, as a
	// ratio of the baseline (0.5 = +50%). Zero means the default 0.5; a
	// negative value means any change passing ConnectMinMS counts.
	ConnectThreshold float64
	// ConnectMinMS ignores connect-time changes smaller than this many
	// milliseconds, whatever the ratio. Zero means the default 200; a
	// negative value means no floor.
	ConnectMinMS float64
}

// Default diff options.
const (
	DefaultConnectThreshold = 0.5
	DefaultConnectMinMS     = 200
)

func (o DiffOptions) withDefaults() DiffOptions {
	if o.ConnectThreshold == 0 {
		o.ConnectThreshold = DefaultConnectThreshold
	}
	if o.ConnectThreshold < 0 {
		o.ConnectThreshold = 0
	}
	if o.ConnectMinMS == 0 {
		o.ConnectMinMS = DefaultConnectMinMS
	}
	if o.ConnectMinMS < 0 {
		o.ConnectMinMS = 0
	}
	return o
}

// Compare matches cases by id and reports what changed from base to cur.
//
// Regressions: a verdict going from pass to fail or error; a call that
// connected and now does not; a direct path becoming relayed (relays cost
// money and latency); a connect time that grew past both the ratio threshold
// and the floor. Everything else that differs is a change only: relayed→direct,
// how a peer is reached, a faster connect, an added or removed case, a verdict
// moving between fail and error or back to pass.
//
// When either side errored its observations are not compared: an error means
// the harness did not run the call, so only the verdict speaks.
//
// Changes come in cur's case order, then removed cases in base's order.
func Compare(base, cur *Run, opts DiffOptions) *Diff {
	opts = opts.withDefaults()
	d := &Diff{}
	baseByID := map[string]*Result{}
	if base != nil {
		for _, c := range base.Cases {
			baseByID[c.ID] = c
		}
	}
	curIDs := map[string]bool{}
	if cur != nil {
		for _, c := range cur.Cases {
			curIDs[c.ID] = true
			b, ok := baseByID[c.ID]
			if !ok {
				d.add(Change{ID: c.ID, Kind: ChangeAdded, New: c.Verdict})
				continue
			}
			d.compareCase(b, c, opts)
		}
	}
	if base != nil {
		for _, b := range base.Cases {
			if !curIDs[b.ID] {
				d.add(Change{ID: b.ID, Kind: ChangeRemoved, Base: b.Verdict})
			}
		}
	}
	return d
}

func (d *Diff) add(c Change) {
	d.Changes = append(d.Changes, c)
	if c.Regression {
		d.Regressions++
	}
}

func (d *Diff) compareCase(b, c *Result, opts DiffOptions) {
	if b.Verdict != c.Verdict {
		d.add(Change{ID: c.ID, Kind: ChangeVerdict, Base: b.Verdict, New: c.Verdict,
			Regression: b.Verdict == Pass && c.Verdict != Pass})
	}
	if b.Verdict == Error || c.Verdict == Error {
		return
	}
	bo, co := b.Observed, c.Observed
	bp, cp := diffPath(bo), diffPath(co)
	if bp != cp {
		d.add(Change{ID: c.ID, Kind: ChangePath, Base: bp, New: cp,
			Regression: (bo.Connected && !co.Connected) || (bp == classDirect && cp == classRelayed)})
	}
	if !bo.Connected || !co.Connected {
		return
	}
	if bo.Offerer != co.Offerer {
		d.add(Change{ID: c.ID, Kind: ChangeOfferer, Base: bo.Offerer, New: co.Offerer})
	}
	if bo.Answerer != co.Answerer {
		d.add(Change{ID: c.ID, Kind: ChangeAnswerer, Base: bo.Answerer, New: co.Answerer})
	}
	delta := co.ConnectMS - bo.ConnectMS
	if math.Abs(delta) >= opts.ConnectMinMS && math.Abs(delta) >= opts.ConnectThreshold*bo.ConnectMS && delta != 0 {
		d.add(Change{ID: c.ID, Kind: ChangeConnectMS, Base: fmtDiffMS(bo.ConnectMS), New: fmtDiffMS(co.ConnectMS),
			Regression: delta > 0})
	}
}

func diffPath(o Observed) string {
	if !o.Connected {
		return noCall
	}
	if o.Path == "" {
		return "connected"
	}
	return o.Path
}

func fmtDiffMS(ms float64) string {
	return fmt.Sprintf("%.0fms", ms)
}

// Changed reports whether anything differs.
func (d *Diff) Changed() bool { return len(d.Changes) > 0 }

// WriteText writes the diff for a terminal or a CI log: a headline, then one
// line per change, regressions marked.
func (d *Diff) WriteText(w io.Writer) error {
	var b strings.Builder
	switch {
	case len(d.Changes) == 0:
		b.WriteString("no changes\n")
	default:
		others := len(d.Changes) - d.Regressions
		fmt.Fprintf(&b, "%d %s, %d other %s\n\n",
			d.Regressions, plural(d.Regressions, "regression", "regressions"),
			others, plural(others, "change", "changes"))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, c := range d.Changes {
			var what string
			switch c.Kind {
			case ChangeAdded:
				what = "new case, " + c.New
			case ChangeRemoved:
				what = "gone, was " + c.Base
			default:
				what = c.Base + " → " + c.New
				if c.Kind == ChangeConnectMS {
					what += " (" + connectDelta(c.Base, c.New) + ")"
				}
			}
			label := "change"
			if c.Regression {
				label = "REGRESSION"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", label, oneLine(c.ID), c.Kind, oneLine(what))
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("results: write diff: %w", err)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("results: write diff: %w", err)
	}
	return nil
}

// connectDelta reads back the "850ms" strings Compare wrote.
func connectDelta(base, cur string) string {
	b, err1 := strconv.ParseFloat(strings.TrimSuffix(base, "ms"), 64)
	c, err2 := strconv.ParseFloat(strings.TrimSuffix(cur, "ms"), 64)
	if err1 != nil || err2 != nil {
		return "?"
	}
	s := fmt.Sprintf("%+.0fms", c-b)
	if b > 0 {
		s += fmt.Sprintf(", %+.0f%%", 100*(c-b)/b)
	}
	return s
}

// oneLine keeps user text from breaking the tabular layout.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
}
