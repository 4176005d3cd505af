// Package icelab is the Go API for running icelab scenarios from your own
// tests:
//
//	func TestMyWorld(t *testing.T) {
//		icelab.RunFile(t, "testdata/world.yaml")
//	}
//
// Every case of the file runs as a subtest, each in its own testing/synctest
// bubble (virtual time: a 10 s ICE timeout costs nothing), and a case that
// does not meet its expectation fails its subtest with an expected/observed
// table.
package icelab

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/runner"
	"github.com/icelab/icelab/scenarios"
)

// Options tune RunFile and RunCase.
type Options struct {
	// Seed overrides the per-case seed (0: derived from the case id).
	Seed int64
	// Verbose attaches per-component logs to a failing case's output.
	Verbose bool
	// Parallel runs the file's cases as parallel subtests.
	Parallel bool
}

// RunFile loads a scenario file and runs every case it expands to.
func RunFile(t *testing.T, path string, opts ...Options) []*results.Result {
	t.Helper()
	f, err := scenarios.LoadFile(path)
	if err != nil {
		t.Fatalf("icelab: %v", err)
	}
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	out := make([]*results.Result, len(f.Cases))
	for i, c := range f.Cases {
		t.Run(c.ID, func(t *testing.T) {
			if o.Parallel {
				t.Parallel()
			}
			out[i] = RunCase(t, c, o)
		})
	}
	return out
}

// RunCase runs one case in a virtual-time bubble and fails t when its
// verdict is not pass.
func RunCase(t *testing.T, c *scenarios.Case, o Options) *results.Result {
	t.Helper()
	r := runner.RunT(t, c, runner.Options{Seed: o.Seed, Verbose: o.Verbose})
	if r.Verdict != results.Pass {
		t.Errorf("%s", Explain(r))
	}
	return r
}

// Explain renders a result as the readable expected/observed table a failing
// test prints.
func Explain(r *results.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "icelab case %s: %s (seed %d)\n", r.ID, r.Verdict, r.Seed)
	for _, reason := range r.Reasons {
		fmt.Fprintf(&b, "  - %s\n", reason)
	}
	e, o := r.Expected, r.Observed
	row := func(key, exp, obs string) {
		if exp == "" {
			exp = "-"
		}
		fmt.Fprintf(&b, "  %-10s %-28s %s\n", key, exp, obs)
	}
	fmt.Fprintf(&b, "  %-10s %-28s %s\n", "", "EXPECTED", "OBSERVED")
	conn := "true"
	if e.Connected != nil && !*e.Connected {
		conn = "false"
	}
	row("connected", conn, fmt.Sprint(o.Connected))
	row("path", e.Path, o.Path)
	row("offerer", strings.Join(e.Offerer, "|"), o.Offerer)
	row("answerer", strings.Join(e.Answerer, "|"), o.Answerer)
	within := ""
	if e.WithinMS > 0 {
		within = fmt.Sprintf("<= %.0fms", e.WithinMS)
	}
	row("connect", within, fmt.Sprintf("%.0fms", o.ConnectMS))
	if o.Failure != "" {
		row("failure", "", o.Failure)
	}
	names := make([]string, 0, len(o.Selected))
	for name := range o.Selected {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p := o.Selected[name]
		row("selected", name, fmt.Sprintf("%s %s:%d -> %s %s:%d", p.Local.Type, p.Local.Address, p.Local.Port, p.Remote.Type, p.Remote.Address, p.Remote.Port))
	}
	if o.Wire != nil {
		for _, n := range o.Wire.Notes {
			fmt.Fprintf(&b, "  wire: %s\n", n)
		}
	}
	return b.String()
}
