package runner

import (
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/scenarios"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func loadCase(t testing.TB, path string, edit func(string) string) *scenarios.Case {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if edit != nil {
		text = edit(text)
	}
	f, err := scenarios.Load(path, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) != 1 {
		t.Fatalf("%s: want 1 case, got %d", path, len(f.Cases))
	}
	return f.Cases[0]
}

const (
	directFile  = "../scenarios/basics/home-to-office.yaml"
	relayedFile = "../scenarios/basics/phone-4g-turn.yaml"
	failingFile = "../scenarios/basics/phone-4g-stun-only.yaml"
)

func TestRunCases(t *testing.T) {
	tests := []struct {
		file      string
		connected bool
		path      string
	}{
		{directFile, true, "direct"},
		{relayedFile, true, "relayed"},
		{failingFile, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := RunT(t, loadCase(t, tt.file, nil), Options{})
			if r.Verdict != results.Pass {
				t.Fatalf("verdict %s: %q", r.Verdict, r.Reasons)
			}
			if r.Observed.Connected != tt.connected || r.Observed.Path != tt.path {
				t.Fatalf("observed connected=%t path=%q", r.Observed.Connected, r.Observed.Path)
			}
			if tt.connected && (r.Observed.Data.Echoed != r.Observed.Data.Sent || r.Observed.Data.Sent == 0) {
				t.Fatalf("data %+v", r.Observed.Data)
			}
		})
	}
}

// TestWrongExpectationFails runs a real call against a wrong expectation:
// the verdict must be fail and the reason must name the key.
func TestWrongExpectationFails(t *testing.T) {
	c := loadCase(t, directFile, func(s string) string {
		return strings.Replace(s, "path: direct", "path: relayed", 1)
	})
	r := RunT(t, c, Options{})
	if r.Verdict != results.Fail {
		t.Fatalf("verdict %s, want fail", r.Verdict)
	}
	if len(r.Reasons) != 1 || !strings.HasPrefix(r.Reasons[0], "path: expected relayed, observed direct") {
		t.Fatalf("reasons %q", r.Reasons)
	}
}

// TestSameSeedSameOutcome: a case repeats exactly on the virtual clock.
func TestSameSeedSameOutcome(t *testing.T) {
	c := loadCase(t, relayedFile, nil)
	var first *results.Result
	for i := range 5 {
		r := RunT(t, c, Options{Seed: 42})
		if i == 0 {
			first = r
			continue
		}
		if r.Observed.Path != first.Observed.Path || r.Observed.Offerer != first.Observed.Offerer ||
			r.Observed.Answerer != first.Observed.Answerer || r.Observed.ConnectMS != first.Observed.ConnectMS {
			t.Fatalf("run %d: %+v differs from %+v", i, r.Observed, first.Observed)
		}
	}
}

func TestVerboseKeepsComponentLogs(t *testing.T) {
	var sb strings.Builder
	r := RunT(t, loadCase(t, relayedFile, nil), Options{Verbose: true, LogWriter: &lockedBuilder{b: &sb}})
	scopes := map[string]bool{}
	for _, l := range r.Log {
		for _, s := range []string{" ice:", " turn:", " pc:", " vnet:"} {
			if strings.Contains(l, s) {
				scopes[s] = true
			}
		}
	}
	if !scopes[" ice:"] || !scopes[" turn:"] {
		t.Fatalf("verbose log lacks ice/turn lines; scopes seen %v (%d lines)", scopes, len(r.Log))
	}
	if !strings.Contains(sb.String(), "[phone-4g-turn]") {
		t.Fatal("verbose log was not streamed with the case prefix")
	}
	quiet := RunT(t, loadCase(t, relayedFile, nil), Options{})
	if len(quiet.Log) != 0 {
		t.Fatalf("quiet run kept %d log lines", len(quiet.Log))
	}
}
