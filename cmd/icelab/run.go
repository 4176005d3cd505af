package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/runner"
)

type runFlags struct {
	sel      selection
	out      string
	verbose  bool
	clock    string
	parallel int
	seed     int64
	repeat   int
	pcap     bool
	baseline string
	probeNAT bool
	save     string
	diff     results.DiffOptions
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f runFlags
	f.sel.register(fs)
	fs.StringVar(&f.out, "out", "", "write results.json, junit.xml, summary.md and report.html to this folder")
	fs.BoolVar(&f.verbose, "v", false, "show per-component logs (vnet, ice, turn, ...) of each case")
	fs.StringVar(&f.clock, "clock", runner.ClockVirtual, "virtual (each case in a synctest bubble) or real (wall clock, for live debugging)")
	fs.IntVar(&f.parallel, "parallel", 0, "cases at once (default: number of CPUs)")
	fs.Int64Var(&f.seed, "seed", 0, "seed for every case (default: derived from each case id; shown in reports)")
	fs.IntVar(&f.repeat, "repeat", 1, "run every case N times; differing outcomes are reported flaky")
	fs.BoolVar(&f.pcap, "pcap", false, "write one capture per case of what crossed the internet router to OUT/pcap/")
	fs.StringVar(&f.baseline, "baseline", "", "compare with this results.json; a regression exits 1")
	fs.StringVar(&f.save, "save-baseline", "", "also write a slim results.json (what icelab diff reads) to this file, to commit as a baseline")
	fs.Float64Var(&f.diff.ConnectThreshold, "baseline-threshold", results.DefaultConnectThreshold, "with --baseline: connect-time increase that counts as a regression, as a ratio")
	fs.Float64Var(&f.diff.ConnectMinMS, "baseline-min-ms", results.DefaultConnectMinMS, "with --baseline: ignore connect-time changes smaller than this many milliseconds")
	fs.BoolVar(&f.probeNAT, "probe-nat", false, "also classify every network's NAT with the RFC 5780 probe and record it in the results")
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	if f.clock != runner.ClockVirtual && f.clock != runner.ClockReal {
		fmt.Fprintf(stderr, "--clock %q: expected virtual or real\n", f.clock)
		return exitInvalid
	}
	if f.repeat < 1 {
		fmt.Fprintf(stderr, "--repeat %d: expected 1 or more\n", f.repeat)
		return exitInvalid
	}
	if f.pcap && f.out == "" {
		fmt.Fprintln(stderr, "--pcap needs --out DIR")
		return exitInvalid
	}
	cases, err := f.sel.load(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	if len(cases) == 0 {
		fmt.Fprintln(stderr, "icelab run: no case selected")
		return exitInvalid
	}
	var base *results.Run
	if f.baseline != "" {
		if base, err = results.ReadFile(f.baseline); err != nil {
			fmt.Fprintf(stderr, "--baseline: %v\n", err)
			return exitInvalid
		}
	}

	var jobs []runner.Job
	for _, c := range cases {
		for range f.repeat {
			jobs = append(jobs, runner.Job{Case: c, Seed: f.seed})
		}
	}
	opts := runner.ExecOptions{Clock: f.clock, Parallel: f.parallel}
	opts.Verbose = f.verbose
	opts.ProbeNAT = f.probeNAT
	if f.verbose {
		opts.LogWriter = &lockedWriter{w: stderr}
	}
	if f.pcap {
		opts.PCAPDir = filepath.Join(f.out, "pcap")
	}
	pr := newProgress(stdout, len(jobs))
	opts.Done = func(_ int, r *results.Result) { pr.done(r) }

	start := time.Now()
	runs := runner.RunAll(ctx, jobs, opts)
	wall := time.Since(start)
	pr.finish()

	run := &results.Run{Version: 1, StartedAt: start.UTC(), Clock: f.clock, WallMS: float64(wall.Microseconds()) / 1000}
	run.Cases = mergeRepeats(runs, f.repeat)
	for _, r := range run.Cases {
		if r.Flaky {
			fmt.Fprintf(stdout, "%s %s\n      %s\n", paint(pr.color, "33", "FLAKY"), r.ID, strings.Join(r.Outcomes, "\n      "))
		}
	}
	printSummary(stdout, run, wall, pr.color)

	code := exitOK
	for _, r := range run.Cases {
		if r.Verdict != results.Pass {
			code = exitFail
		}
	}
	if f.out != "" {
		if err := results.WriteAll(f.out, run); err != nil {
			fmt.Fprintf(stderr, "writing reports: %v\n", err)
			return exitFail
		}
		fmt.Fprintf(stdout, "reports: %s\n", strings.Join([]string{
			filepath.Join(f.out, "results.json"), filepath.Join(f.out, "junit.xml"),
			filepath.Join(f.out, "summary.md"), filepath.Join(f.out, "report.html")}, " "))
	}
	if f.save != "" {
		if err := writeSlim(f.save, run); err != nil {
			fmt.Fprintf(stderr, "--save-baseline: %v\n", err)
			return exitFail
		}
	}
	if base != nil {
		d := results.Compare(base, run, f.diff)
		fmt.Fprintf(stdout, "\nagainst baseline %s:\n", f.baseline)
		_ = d.WriteText(stdout)
		if d.Regressions > 0 {
			code = exitFail
		}
	}
	return code
}

// mergeRepeats folds N consecutive runs of each case into one result. A case
// whose verdict or path class differs between repeats is flaky, and fails: a
// harness that cannot repeat itself cannot be trusted. Differences that the
// expectation allows (a reach class listed as one of several) are kept in
// Outcomes but do not make the case flaky.
func mergeRepeats(rs []*results.Result, repeat int) []*results.Result {
	if repeat <= 1 {
		return rs
	}
	var out []*results.Result
	for i := 0; i < len(rs); i += repeat {
		group := rs[i : i+repeat]
		first := group[0]
		var outcomes, verdicts []string
		for _, r := range group {
			if o := outcome(r); !slices.Contains(outcomes, o) {
				outcomes = append(outcomes, o)
			}
			if v := r.Verdict + " " + r.Observed.Path; !slices.Contains(verdicts, v) {
				verdicts = append(verdicts, v)
			}
		}
		if len(outcomes) > 1 {
			first.Outcomes = outcomes
		}
		if len(verdicts) > 1 {
			first.Flaky = true
			first.Verdict = results.Fail
			first.Reasons = append(first.Reasons, fmt.Sprintf("flaky: %d repeats gave %d outcomes: %s", repeat, len(outcomes), strings.Join(outcomes, " | ")))
		}
		out = append(out, first)
	}
	return out
}

func outcome(r *results.Result) string {
	o := r.Observed
	if !o.Connected {
		return r.Verdict + " not-connected"
	}
	return fmt.Sprintf("%s %s offerer=%s answerer=%s", r.Verdict, o.Path, o.Offerer, o.Answerer)
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// progress prints one line per finished case; on a terminal it also keeps a
// live "[n/total]" line at the bottom. NO_COLOR turns colours off.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	color bool
	total int
	n     int
}

func newProgress(w io.Writer, total int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	return &progress{w: w, tty: tty, color: tty && !noColor && os.Getenv("TERM") != "dumb", total: total}
}

func (p *progress) done(r *results.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintln(p.w, caseLine(r, p.color))
	if p.tty && p.n < p.total {
		fmt.Fprintf(p.w, "[%d/%d] running…", p.n, p.total)
	}
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func paint(color bool, code, s string) string {
	if !color {
		return s
	}
	return "\033[" + code + "m" + s + "\033[0m"
}

func caseLine(r *results.Result, color bool) string {
	var verdict string
	switch r.Verdict {
	case results.Pass:
		verdict = paint(color, "32", "PASS ")
	case results.Fail:
		verdict = paint(color, "31", "FAIL ")
	default:
		verdict = paint(color, "35", "ERROR")
	}
	o := r.Observed
	what := "no call"
	if o.Connected {
		what = fmt.Sprintf("%-7s offerer=%s answerer=%s %s", o.Path, o.Offerer, o.Answerer, fmtMS(o.ConnectMS))
	} else if o.Failure != "" {
		what = "not connected: " + o.Failure
	}
	line := fmt.Sprintf("%s %-60s %s", verdict, r.ID, what)
	for _, reason := range r.Reasons {
		line += "\n      " + paint(color, "33", reason)
	}
	return line
}

func fmtMS(v float64) string {
	return time.Duration(v * float64(time.Millisecond)).Round(time.Millisecond).String()
}

func printSummary(w io.Writer, run *results.Run, wall time.Duration, color bool) {
	var pass, fail, errs, flaky int
	for _, r := range run.Cases {
		switch r.Verdict {
		case results.Pass:
			pass++
		case results.Fail:
			fail++
		default:
			errs++
		}
		if r.Flaky {
			flaky++
		}
	}
	line := fmt.Sprintf("\n%d cases: %d pass, %d fail, %d error", len(run.Cases), pass, fail, errs)
	if flaky > 0 {
		line += fmt.Sprintf(", %d flaky", flaky)
	}
	line += fmt.Sprintf(" (%s wall, %s clock)", wall.Round(time.Millisecond), run.Clock)
	if fail+errs > 0 {
		line = paint(color, "31", line)
	} else {
		line = paint(color, "32", line)
	}
	fmt.Fprintln(w, line)
}

func writeSlim(path string, run *results.Run) error {
	var b bytes.Buffer
	if err := results.WriteJSON(&b, run.Slim()); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
