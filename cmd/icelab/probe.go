package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/icelab/icelab/runner"
	"github.com/icelab/icelab/scenarios"
	"github.com/icelab/icelab/vnet/natprobe"
)

// Vantage choices of probe-nat.
const (
	vantageParent   = "parent"
	vantageInternet = "internet"
	vantageBoth     = "both"
)

// cmdProbeNAT probes every network of every selected case with the RFC 5780
// probe and compares what it saw with what the scenario declares.
func cmdProbeNAT(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("probe-nat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: icelab probe-nat [flags] [PATH...]

Builds the world of every selected case (the built-in library when no PATH),
runs an RFC 5780 NAT behaviour discovery probe inside it on a virtual clock,
and prints, per network, what the scenario declares and what the probe saw.
Exit 0 when everything matches, 1 on a mismatch, 2 on bad input.

`)
		fs.PrintDefaults()
	}
	var sel selection
	sel.register(fs)
	vantage := fs.String("vantage", vantageBoth, "parent: each NAT alone, seen from its parent network; internet: what a server on the internet sees (nested NATs composed); both: parent for every network plus internet for nested ones")
	parallel := fs.Int("parallel", 0, "worlds probed at once (default: number of CPUs)")
	noLifetime := fs.Bool("no-lifetime", false, "skip the mapping lifetime search")
	verbose := fs.Bool("v", false, "print the probe's notes for every network, not only for mismatches")
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	var vantages []natprobe.Vantage
	switch *vantage {
	case vantageParent:
		vantages = []natprobe.Vantage{natprobe.VantageParent}
	case vantageInternet:
		vantages = []natprobe.Vantage{natprobe.VantageInternet}
	case vantageBoth:
		vantages = []natprobe.Vantage{natprobe.VantageParent, natprobe.VantageInternet}
	default:
		fmt.Fprintf(stderr, "--vantage %q: expected parent, internet or both\n", *vantage)
		return exitInvalid
	}
	cases, err := sel.load(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	if len(cases) == 0 {
		fmt.Fprintln(stderr, "icelab probe-nat: no case selected")
		return exitInvalid
	}

	plan := planProbes(cases, vantages, *vantage == vantageBoth, natprobe.Options{SkipLifetime: *noLifetime})
	fns := make([]func(*testing.T), len(plan.jobs))
	for i, j := range plan.jobs {
		fns[i] = func(t *testing.T) {
			// ctx comes from outside the bubble; Probe only polls it.
			j.results, j.err = natprobe.Probe(ctx, j.scenario, j.opts)
		}
	}
	clean := runner.InBubbles(fns, *parallel)
	for i, j := range plan.jobs {
		if !clean[i] && j.err == nil {
			j.err = fmt.Errorf("the probe did not finish cleanly in its virtual-time bubble")
		}
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(stderr, "icelab probe-nat: %v\n", err)
		return exitFail
	}
	return plan.report(stdout, *verbose)
}

// probeJob is one world probed from one vantage.
type probeJob struct {
	scenario *scenarios.Scenario
	opts     natprobe.Options
	results  map[string]natprobe.Result
	err      error
}

// probeRow is one line of the table: a network of a case, from a vantage.
type probeRow struct {
	caseID  string
	network string
	from    string // the vantage site: "internet" or the parent network
	s       *scenarios.Scenario
	opts    natprobe.Options
	job     *probeJob
}

type probePlan struct {
	jobs []*probeJob
	rows []probeRow
}

// planProbes lists the rows to print and the jobs behind them. Cases whose
// worlds are the same (matrix dimensions that change only peers, relays or
// expectations) share their jobs. With onlyNested, the internet vantage is
// used only for nested networks: for the others it is the parent vantage.
func planProbes(cases []*scenarios.Case, vantages []natprobe.Vantage, onlyNested bool, base natprobe.Options) *probePlan {
	p := &probePlan{}
	jobs := map[string]*probeJob{}
	for _, c := range cases {
		s := c.Scenario
		key := worldKey(s)
		// The networks each vantage probes, and the job that does it.
		byVantage := map[natprobe.Vantage]*probeJob{}
		for _, v := range vantages {
			var networks []string
			for _, name := range sortedNames(s.Networks) {
				if v == natprobe.VantageInternet && onlyNested && !isNested(s, name) {
					continue
				}
				networks = append(networks, name)
			}
			if len(networks) == 0 {
				continue
			}
			opts := base
			opts.Vantage = v
			opts.Networks = networks
			jk := key + "\x00" + string(v) + "\x00" + strings.Join(networks, ",")
			j := jobs[jk]
			if j == nil {
				j = &probeJob{scenario: s, opts: opts}
				jobs[jk] = j
				p.jobs = append(p.jobs, j)
			}
			byVantage[v] = j
		}
		for _, name := range sortedNames(s.Networks) {
			for _, v := range vantages {
				j := byVantage[v]
				if j == nil || !slices.Contains(j.opts.Networks, name) {
					continue
				}
				from := scenarios.Internet
				if v == natprobe.VantageParent && isNested(s, name) {
					from = s.Networks[name].Parent
				}
				p.rows = append(p.rows, probeRow{caseID: c.ID, network: name, from: from, s: s, opts: j.opts, job: j})
			}
		}
	}
	return p
}

// report prints the table and the details of every mismatch, and returns
// the exit code.
func (p *probePlan) report(w io.Writer, verbose bool) int {
	if len(p.rows) == 0 {
		fmt.Fprintln(w, "no networks to probe: the selected cases have none")
		return exitOK
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tNETWORK\tFROM\tDECLARED\tOBSERVED\tRESULT")
	var details []string
	mismatches := 0
	for _, r := range p.rows {
		want, err := natprobe.Declared(r.s, r.network, r.opts)
		if err == nil {
			err = r.job.err
		}
		if err != nil {
			mismatches++
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.caseID, r.network, r.from, want.Summary(), "-", "ERROR")
			details = append(details, fmt.Sprintf("%s %s (from %s): %v", r.caseID, r.network, r.from, err))
			continue
		}
		got := r.job.results[r.network]
		diff := natprobe.Compare(want, got)
		verdict := "OK"
		if len(diff) > 0 {
			verdict = "MISMATCH"
			mismatches++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.caseID, r.network, r.from, want.Summary(), got.Summary(), verdict)
		if len(diff) > 0 || verbose {
			lines := append(slices.Clone(diff), got.Notes...)
			details = append(details, fmt.Sprintf("%s %s (from %s):\n    %s", r.caseID, r.network, r.from, strings.Join(lines, "\n    ")))
		}
	}
	_ = tw.Flush()
	if len(details) > 0 {
		fmt.Fprintln(w)
		for _, d := range details {
			fmt.Fprintln(w, d)
		}
	}
	fmt.Fprintf(w, "\n%d networks probed in %d worlds: %d as declared, %d not\n",
		len(p.rows), len(p.jobs), len(p.rows)-mismatches, mismatches)
	if mismatches > 0 {
		return exitFail
	}
	return exitOK
}

// worldKey identifies what a probe's world is built from: the networks
// (without link and firewall, which the probe leaves out) and the hosts.
func worldKey(s *scenarios.Scenario) string {
	var b strings.Builder
	for _, name := range sortedNames(s.Networks) {
		n := s.Networks[name]
		fmt.Fprintf(&b, "n %s %s %s %s %+v\n", name, n.Parent, n.Subnet, n.PublicIP, n.NAT)
	}
	for _, name := range sortedNames(s.Hosts) {
		h := s.Hosts[name]
		fmt.Fprintf(&b, "h %s %s %s\n", name, h.Network, addrText(h.IP))
	}
	return b.String()
}

func isNested(s *scenarios.Scenario, network string) bool {
	p := s.Networks[network].Parent
	return p != "" && p != scenarios.Internet
}

func addrText(a netip.Addr) string {
	if !a.IsValid() {
		return "-"
	}
	return a.String()
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
