package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/icelab/icelab/results"
)

func icelab(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestBadInputExits2(t *testing.T) {
	tests := []struct {
		file string
		want []string // fragments of stderr
	}{
		{"testdata/unknown-key.yaml", []string{"testdata/unknown-key.yaml:6:17:", "ice-server"}},
		{"testdata/ip-outside.yaml", []string{"testdata/ip-outside.yaml:5:", "hosts.a.ip", "192.168.1.0/24"}},
		{"testdata/missing-host.yaml", []string{"testdata/missing-host.yaml:6:", "peers.b.host", "nowhere"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			outDir := t.TempDir()
			code, stdout, stderr := icelab(t, "run", "--out", outDir, tt.file)
			if code != exitInvalid {
				t.Fatalf("exit %d, want 2; stderr %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("a case ran or printed: %q", stdout)
			}
			if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
				t.Errorf("bad input wrote %d files", len(entries))
			}
			if code, _, _ := icelab(t, "validate", tt.file); code != exitInvalid {
				t.Errorf("validate exit %d, want 2", code)
			}
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	if code, out, errs := icelab(t, "run", "testdata/flat.yaml"); code != exitOK {
		t.Fatalf("passing run exit %d\n%s%s", code, out, errs)
	}
	code, out, _ := icelab(t, "run", "testdata/wrong-expect.yaml")
	if code != exitFail {
		t.Fatalf("failing run exit %d, want 1", code)
	}
	if !strings.Contains(out, "path: expected relayed, observed direct") {
		t.Fatalf("failure reason missing:\n%s", out)
	}
	if code, _, _ := icelab(t, "run", "--clock", "sundial", "testdata/flat.yaml"); code != exitInvalid {
		t.Fatalf("bad --clock exit %d, want 2", code)
	}
}

func TestRunWritesReportsAndDiff(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if code, out, errs := icelab(t, "run", "--out", a, "--pcap", "testdata/flat.yaml", "testdata/wrong-expect.yaml"); code != exitFail {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, f := range []string{"results.json", "junit.xml", "summary.md", "report.html", "pcap/flat.pcap"} {
		if st, err := os.Stat(filepath.Join(a, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	run, err := results.ReadFile(filepath.Join(a, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Cases) != 2 || run.Cases[0].Observed.Path != "direct" {
		t.Fatalf("results.json: %+v", run.Cases)
	}
	// Against itself: nothing changed, exit 0.
	if code, out, _ := icelab(t, "diff", filepath.Join(a, "results.json"), filepath.Join(a, "results.json")); code != exitOK {
		t.Fatalf("self diff exit %d\n%s", code, out)
	}
	// One case flips from direct to relayed: a regression, exit 1.
	run.Cases[0].Observed.Path = "relayed"
	run.Cases[0].Observed.Answerer = "relay"
	if err := os.MkdirAll(b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteAll(b, run); err != nil {
		t.Fatal(err)
	}
	code, out, _ := icelab(t, "diff", filepath.Join(a, "results.json"), filepath.Join(b, "results.json"))
	if code != exitFail || !strings.Contains(out, "flat") {
		t.Fatalf("direct->relayed diff exit %d, want 1\n%s", code, out)
	}
}

func TestShardsCoverEveryCaseOnce(t *testing.T) {
	_, all, _ := icelab(t, "list")
	want := strings.Fields(all)
	if len(want) < 4 {
		t.Fatalf("library lists %d cases", len(want))
	}
	var got []string
	for _, s := range []string{"1/3", "2/3", "3/3"} {
		code, out, errs := icelab(t, "list", "--shard", s)
		if code != exitOK {
			t.Fatalf("--shard %s exit %d: %s", s, code, errs)
		}
		got = append(got, strings.Fields(out)...)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("shards cover %d cases, library has %d", len(got), len(want))
	}
	for _, bad := range []string{"0/3", "4/3", "x", "1/0"} {
		if code, _, _ := icelab(t, "list", "--shard", bad); code != exitInvalid {
			t.Errorf("--shard %s: exit %d, want 2", bad, code)
		}
	}
}

func TestRepeatIsStable(t *testing.T) {
	code, out, errs := icelab(t, "run", "--repeat", "5", "--parallel", "2", "--run", "phone-4g-turn|home-to-office")
	if code != exitOK || strings.Contains(out, "flaky") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

func TestLabelExpr(t *testing.T) {
	tests := []struct {
		expr   string
		labels []string
		want   bool
	}{
		{"turn", []string{"turn", "relay"}, true},
		{"!turn", []string{"turn"}, false},
		{"stun && !turn", []string{"stun"}, true},
		{"screego || coturn", []string{"coturn"}, true},
		{"(a, b) && c", []string{"b", "c"}, true},
		{"(a, b) && c", []string{"b"}, false},
	}
	for _, tt := range tests {
		e, err := parseLabelExpr(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if got := e(tt.labels); got != tt.want {
			t.Errorf("%q on %v = %t, want %t", tt.expr, tt.labels, got, tt.want)
		}
	}
	for _, bad := range []string{"", "a &&", "(a", "&& b"} {
		if _, err := parseLabelExpr(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestProbeNAT(t *testing.T) {
	code, out, errs := icelab(t, "probe-nat", "--run", "home-to-office|phone-4g-turn")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"home", "office", "carrier", "APDM/APDF"} {
		if !strings.Contains(out, want) {
			t.Errorf("probe-nat output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "MISMATCH") {
		t.Fatalf("a library NAT does not behave as declared:\n%s", out)
	}
	if code, _, _ := icelab(t, "probe-nat", "--vantage", "moon"); code != exitInvalid {
		t.Fatalf("bad --vantage exit %d, want 2", code)
	}
}

func TestRunRecordsNATProbe(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := icelab(t, "run", "--probe-nat", "--out", dir, "--run", "^phone-4g-turn$"); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	run, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	nat := run.Cases[0].Observed.NAT["carrier"]
	if nat.Mapping != "address-and-port-dependent" || nat.Filtering != "address-and-port-dependent" {
		t.Fatalf("carrier classified %+v, want symmetric", nat)
	}
}

func TestValidateLibraryFolder(t *testing.T) {
	code, out, errs := icelab(t, "validate", "../../scenarios")
	if code != exitOK {
		t.Fatalf("validate scenarios/: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "files valid") {
		t.Fatalf("output %q", out)
	}
}
