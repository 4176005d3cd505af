package runner

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/scenarios"
)

// judge compares what happened with what the case expects. Every reason
// names the expect key, what was expected and what was observed, so a
// failing case reads on one line in any report.
func judge(exp scenarios.Expect, obs *results.Observed, relayLogs map[string][]string) []string {
	var reasons []string
	wantConnected := exp.Connected == nil || *exp.Connected
	if obs.Connected != wantConnected {
		r := fmt.Sprintf("connected: expected %t, observed %t", wantConnected, obs.Connected)
		if obs.Failure != "" {
			r += " (" + obs.Failure + ")"
		} else if obs.Connected {
			r += fmt.Sprintf(" (path %s, offerer %s, answerer %s)", obs.Path, obs.Offerer, obs.Answerer)
		}
		reasons = append(reasons, r)
	}
	// relay-log is checked whether or not the call connected: diagnosing a
	// failed call is what it is for.
	for _, want := range exp.RelayLog {
		if !logged(relayLogs, want) {
			reasons = append(reasons, fmt.Sprintf("relay-log: expected a relay to log %q, no relay did", want))
		}
	}
	if !wantConnected || !obs.Connected {
		return reasons
	}
	if exp.Path != "" && exp.Path != obs.Path {
		reasons = append(reasons, fmt.Sprintf("path: expected %s, observed %s (offerer %s, answerer %s)", exp.Path, obs.Path, obs.Offerer, obs.Answerer))
	}
	if len(exp.Offerer) > 0 && !slices.Contains(exp.Offerer, obs.Offerer) {
		reasons = append(reasons, fmt.Sprintf("offerer: expected %s, observed %s%s", oneOf(exp.Offerer), obs.Offerer, wireHint(obs, true)))
	}
	if len(exp.Answerer) > 0 && !slices.Contains(exp.Answerer, obs.Answerer) {
		reasons = append(reasons, fmt.Sprintf("answerer: expected %s, observed %s%s", oneOf(exp.Answerer), obs.Answerer, wireHint(obs, false)))
	}
	if exp.Within > 0 {
		got := time.Duration(obs.ConnectMS * float64(time.Millisecond))
		if got > exp.Within {
			reasons = append(reasons, fmt.Sprintf("within: expected connected within %s, observed %s", exp.Within, got.Round(time.Millisecond)))
		}
	}
	for _, name := range sortedKeys(exp.Gathered) {
		have := map[string]bool{}
		for _, c := range obs.Gathered[name] {
			have[c.Type] = true
		}
		var missing []string
		for _, typ := range exp.Gathered[name] {
			if !have[typ] {
				missing = append(missing, typ)
			}
		}
		if len(missing) > 0 {
			reasons = append(reasons, fmt.Sprintf("gathered.%s: expected %s, missing %s (gathered %s)", name,
				strings.Join(exp.Gathered[name], ", "), strings.Join(missing, ", "), gatheredTypes(obs.Gathered[name])))
		}
	}
	return reasons
}

func logged(logs map[string][]string, want string) bool {
	for _, lines := range logs {
		for _, l := range lines {
			if strings.Contains(l, want) {
				return true
			}
		}
	}
	return false
}

func oneOf(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return "one of [" + strings.Join(words, ", ") + "]"
}

func wireHint(obs *results.Observed, offerer bool) string {
	if obs.Wire == nil {
		return ""
	}
	if offerer && obs.Wire.OffererAddr != "" {
		return " at " + obs.Wire.OffererAddr
	}
	if !offerer && obs.Wire.AnswererAddr != "" {
		return " at " + obs.Wire.AnswererAddr
	}
	return ""
}

func gatheredTypes(cs []results.Candidate) string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		if !seen[c.Type] {
			seen[c.Type] = true
			out = append(out, c.Type)
		}
	}
	if len(out) == 0 {
		return "nothing"
	}
	return strings.Join(out, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
