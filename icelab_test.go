package icelab_test

import (
	"strings"
	"testing"

	"github.com/icelab/icelab"
	"github.com/icelab/icelab/results"
)

// TestRunFile is the README's example: every case of a file as a subtest.
func TestRunFile(t *testing.T) {
	rs := icelab.RunFile(t, "scenarios/basics/phone-4g-turn.yaml")
	if len(rs) != 1 || rs[0].Verdict != results.Pass || rs[0].Observed.Path != "relayed" {
		t.Fatalf("results %+v", rs)
	}
}

// TestExplain: a failing case reads as an expected/observed table.
func TestExplain(t *testing.T) {
	no := false
	r := &results.Result{
		ID: "x/nat=symmetric", Verdict: results.Fail, Seed: 7,
		Reasons:  []string{"path: expected direct, observed relayed"},
		Expected: results.Expected{Path: "direct"},
		Observed: results.Observed{Connected: true, Path: "relayed", Offerer: "relay", Answerer: "reflexive", ConnectMS: 2200,
			Selected: map[string]*results.Pair{"a": {Local: results.Candidate{Type: "relay", Address: "85.1.1.1", Port: 50000}, Remote: results.Candidate{Type: "prflx", Address: "82.5.6.7", Port: 49152}}}},
	}
	got := icelab.Explain(r)
	for _, want := range []string{"x/nat=symmetric: fail (seed 7)", "path: expected direct", "path       direct", "relayed", "relay 85.1.1.1:50000 -> prflx 82.5.6.7:49152"} {
		if !strings.Contains(got, want) {
			t.Errorf("Explain lacks %q:\n%s", want, got)
		}
	}
	r.Expected.Connected = &no
	if !strings.Contains(icelab.Explain(r), "connected  false") {
		t.Errorf("Explain does not show connected: false:\n%s", icelab.Explain(r))
	}
}
