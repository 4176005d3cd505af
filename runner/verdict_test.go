package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/scenarios"
)

func TestJudge(t *testing.T) {
	yes, no := true, false
	direct := results.Observed{Connected: true, Path: "direct", Offerer: "reflexive", Answerer: "host", ConnectMS: 600,
		Gathered: map[string][]results.Candidate{"a": {{Type: "host"}, {Type: "srflx"}}}}
	failed := results.Observed{Failure: "ice failed after 7.20s"}
	logs := map[string][]string{"turn": {"DEBUG turn: failed to handle Refresh-request: no such user exists alice"}}
	tests := []struct {
		name   string
		exp    scenarios.Expect
		obs    results.Observed
		reason string // "" = pass; else a fragment of the single reason
	}{
		{"default expects connected", scenarios.Expect{}, direct, ""},
		{"connected matches", scenarios.Expect{Connected: &yes, Path: "direct"}, direct, ""},
		{"wrong path names the key", scenarios.Expect{Path: "relayed"}, direct, "path: expected relayed, observed direct"},
		{"reach list accepts any", scenarios.Expect{Offerer: []string{"relay", "reflexive"}}, direct, ""},
		{"reach mismatch", scenarios.Expect{Answerer: []string{"relay"}}, direct, "answerer: expected relay, observed host"},
		{"within exceeded", scenarios.Expect{Within: 500 * time.Millisecond}, direct, "within: expected connected within 500ms, observed 600ms"},
		{"within met", scenarios.Expect{Within: time.Second}, direct, ""},
		{"gathered missing", scenarios.Expect{Gathered: map[string][]string{"a": {"host", "relay"}}}, direct, "gathered.a: expected host, relay, missing relay"},
		{"expected failure met", scenarios.Expect{Connected: &no}, failed, ""},
		{"expected failure, other keys ignored", scenarios.Expect{Connected: &no, Path: "direct"}, failed, ""},
		{"unexpected failure says why", scenarios.Expect{}, failed, "connected: expected true, observed false (ice failed after 7.20s)"},
		{"unexpected success", scenarios.Expect{Connected: &no}, direct, "connected: expected false, observed true"},
		{"relay log found", scenarios.Expect{RelayLog: []string{"no such user exists"}}, direct, ""},
		{"relay log missing", scenarios.Expect{RelayLog: []string{"permission denied"}}, direct, `relay-log: expected a relay to log "permission denied"`},
		{"relay log checked on failed calls", scenarios.Expect{Connected: &no, RelayLog: []string{"x-missing"}}, failed, "relay-log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := tt.obs
			got := judge(tt.exp, &obs, logs)
			if tt.reason == "" {
				if len(got) != 0 {
					t.Fatalf("want pass, got reasons %q", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tt.reason) {
				t.Fatalf("want one reason containing %q, got %q", tt.reason, got)
			}
		})
	}
}
