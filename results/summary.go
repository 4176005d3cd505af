package results

import (
	"fmt"
	"strings"
)

// totals counts a run's cases by verdict; every writer prints them first.
type totals struct {
	Cases, Pass, Fail, Error, Flaky int
}

func countCases(r *Run) totals {
	var t totals
	for _, c := range r.Cases {
		t.Cases++
		switch c.Verdict {
		case Pass:
			t.Pass++
		case Fail:
			t.Fail++
		default:
			t.Error++
		}
		if c.Flaky {
			t.Flaky++
		}
	}
	return t
}

// Path classes used to colour reports. They mix the observed path with the
// two ways a case can end without one, so one colour says how the call went.
const (
	classDirect  = "direct"
	classRelayed = "relayed"
	classFailed  = "failed" // the call did not connect
	classError   = "error"  // the harness could not run the case
	classUnknown = "unknown"
)

func pathClass(c *Result) string {
	switch {
	case c.Verdict == Error:
		return classError
	case !c.Observed.Connected:
		return classFailed
	case c.Observed.Path == classDirect:
		return classDirect
	case c.Observed.Path == classRelayed:
		return classRelayed
	default:
		return classUnknown
	}
}

// pathText is the short "how did the call go" word: the path, or "no call".
func pathText(c *Result) string {
	if !c.Observed.Connected {
		return "no call"
	}
	if c.Observed.Path == "" {
		return "connected"
	}
	return c.Observed.Path
}

// fmtMS formats a duration in milliseconds the way people read call setup
// times: "850ms" below a second, "1.2s" above.
func fmtMS(ms float64) string {
	switch {
	case ms < 0:
		return "-" + fmtMS(-ms)
	case ms < 1000:
		return fmt.Sprintf("%.0fms", ms)
	case ms < 100_000:
		return fmt.Sprintf("%.1fs", ms/1000)
	default:
		return fmt.Sprintf("%.0fs", ms/1000)
	}
}

// connectText is the connect time when the call connected, else "".
func connectText(c *Result) string {
	if !c.Observed.Connected {
		return ""
	}
	return fmtMS(c.Observed.ConnectMS)
}

// failures returns the cases that did not pass, in run order.
func failures(r *Run) []*Result {
	var out []*Result
	for _, c := range r.Cases {
		if c.Verdict != Pass {
			out = append(out, c)
		}
	}
	return out
}

// scenarioOrder groups cases by scenario, in order of first appearance.
func scenarioOrder(r *Run) (names []string, byName map[string][]*Result) {
	byName = make(map[string][]*Result)
	for _, c := range r.Cases {
		if _, ok := byName[c.Scenario]; !ok {
			names = append(names, c.Scenario)
		}
		byName[c.Scenario] = append(byName[c.Scenario], c)
	}
	return names, byName
}

// expectedText renders an expectation on one line, for JUnit bodies and the
// Markdown table.
func expectedText(e Expected) string {
	var parts []string
	if e.Connected != nil {
		parts = append(parts, fmt.Sprintf("connected=%t", *e.Connected))
	}
	if e.Path != "" {
		parts = append(parts, "path="+e.Path)
	}
	if len(e.Offerer) > 0 {
		parts = append(parts, "offerer="+strings.Join(e.Offerer, "|"))
	}
	if len(e.Answerer) > 0 {
		parts = append(parts, "answerer="+strings.Join(e.Answerer, "|"))
	}
	if e.WithinMS > 0 {
		parts = append(parts, "within="+fmtMS(e.WithinMS))
	}
	for _, p := range sortedKeys(e.Gathered) {
		parts = append(parts, fmt.Sprintf("gathered[%s]=%s", p, strings.Join(e.Gathered[p], ",")))
	}
	for _, s := range e.RelayLog {
		parts = append(parts, fmt.Sprintf("relay-log~%q", s))
	}
	if len(parts) == 0 {
		return "(nothing)"
	}
	return strings.Join(parts, " ")
}

// observedText renders what happened on one line.
func observedText(o Observed) string {
	parts := []string{fmt.Sprintf("connected=%t", o.Connected)}
	if o.Connected {
		parts = append(parts,
			"path="+orDash(o.Path),
			"offerer="+orDash(o.Offerer),
			"answerer="+orDash(o.Answerer),
			"connect="+fmtMS(o.ConnectMS))
	}
	if o.Data.Sent > 0 || o.Data.Echoed > 0 {
		parts = append(parts, fmt.Sprintf("data=%d/%d", o.Data.Echoed, o.Data.Sent))
	}
	for _, p := range sortedKeys(o.Gathered) {
		parts = append(parts, fmt.Sprintf("gathered[%s]=%s", p, strings.Join(candidateTypes(o.Gathered[p]), ",")))
	}
	if o.Failure != "" {
		parts = append(parts, fmt.Sprintf("failure=%q", o.Failure))
	}
	return strings.Join(parts, " ")
}

// candidateTypes lists the distinct candidate types, in first-seen order.
func candidateTypes(cs []Candidate) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cs {
		if !seen[c.Type] {
			seen[c.Type] = true
			out = append(out, c.Type)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
