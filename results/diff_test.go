package results

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func findCase(r *Run, id string) *Result {
	for _, c := range r.Cases {
		if c.ID == id {
			return c
		}
	}
	panic("fixture has no case " + id)
}

const (
	idDirect  = "basic-direct"
	idRelayed = "nat-matrix/phone-nat=symmetric,servers=with-turn"
	idNoCall  = "nat-matrix/phone-nat=symmetric,servers=stun-only"
	idError   = "double-nat/carrier=cgnat"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		name   string
		opts   DiffOptions
		change func(r *Run)
		want   []Change
	}{
		{
			name:   "identical runs",
			change: func(*Run) {},
		},
		{
			name: "direct to relayed is a regression",
			change: func(r *Run) {
				c := findCase(r, idDirect)
				c.Observed.Path = "relayed"
			},
			want: []Change{{ID: idDirect, Kind: "path", Base: "direct", New: "relayed", Regression: true}},
		},
		{
			name: "relayed to direct is a change only",
			change: func(r *Run) {
				findCase(r, idRelayed).Observed.Path = "direct"
			},
			want: []Change{{ID: idRelayed, Kind: "path", Base: "relayed", New: "direct"}},
		},
		{
			name: "pass to fail",
			change: func(r *Run) {
				findCase(r, idDirect).Verdict = Fail
			},
			want: []Change{{ID: idDirect, Kind: "verdict", Base: "pass", New: "fail", Regression: true}},
		},
		{
			name: "pass to error skips the observations",
			change: func(r *Run) {
				c := findCase(r, idDirect)
				c.Verdict, c.Observed = Error, Observed{}
			},
			want: []Change{{ID: idDirect, Kind: "verdict", Base: "pass", New: "error", Regression: true}},
		},
		{
			name: "fail to pass is a change",
			change: func(r *Run) {
				findCase(r, "turn-bad-credentials").Verdict = Pass
			},
			want: []Change{{ID: "turn-bad-credentials", Kind: "verdict", Base: "fail", New: "pass"}},
		},
		{
			name: "connected to not connected",
			change: func(r *Run) {
				c := findCase(r, idDirect)
				c.Observed.Connected, c.Observed.Path = false, ""
			},
			want: []Change{{ID: idDirect, Kind: "path", Base: "direct", New: "none", Regression: true}},
		},
		{
			name: "not connected to connected",
			change: func(r *Run) {
				c := findCase(r, idNoCall)
				c.Observed.Connected, c.Observed.Path, c.Observed.ConnectMS = true, "direct", 900
			},
			want: []Change{{ID: idNoCall, Kind: "path", Base: "none", New: "direct"}},
		},
		{
			name: "reach class change",
			change: func(r *Run) {
				c := findCase(r, idDirect)
				c.Observed.Offerer, c.Observed.Answerer = "host", "relay"
			},
			want: []Change{
				{ID: idDirect, Kind: "offerer", Base: "reflexive", New: "host"},
				{ID: idDirect, Kind: "answerer", Base: "reflexive", New: "relay"},
			},
		},
		{
			name: "connect time +300ms above the threshold",
			change: func(r *Run) {
				findCase(r, "nat-matrix/phone-nat=full-cone,servers=stun-only").Observed.ConnectMS = 612 + 350
			},
			want: []Change{{ID: "nat-matrix/phone-nat=full-cone,servers=stun-only", Kind: "connect_ms", Base: "612ms", New: "962ms", Regression: true}},
		},
		{
			name: "connect time +300ms but under the ratio",
			change: func(r *Run) {
				findCase(r, idRelayed).Observed.ConnectMS = 1204 + 300 // +25%
			},
		},
		{
			name: "faster connect is a change",
			change: func(r *Run) {
				findCase(r, idDirect).Observed.ConnectMS = 100
			},
			want: []Change{{ID: idDirect, Kind: "connect_ms", Base: "842ms", New: "100ms"}},
		},
		{
			name: "custom threshold catches smaller growth",
			opts: DiffOptions{ConnectThreshold: 0.1, ConnectMinMS: 50},
			change: func(r *Run) {
				findCase(r, idRelayed).Observed.ConnectMS = 1204 + 300
			},
			want: []Change{{ID: idRelayed, Kind: "connect_ms", Base: "1204ms", New: "1504ms", Regression: true}},
		},
		{
			name: "errored cases compare only verdicts",
			change: func(r *Run) {
				findCase(r, idError).Observed = Observed{Connected: true, Path: "relayed"}
			},
		},
		{
			name: "added and removed",
			change: func(r *Run) {
				findCase(r, idDirect).ID = "basic-direct-2"
			},
			want: []Change{
				{ID: "basic-direct-2", Kind: "added", New: "pass"},
				{ID: idDirect, Kind: "removed", Base: "pass"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := fixtureRun()
			tt.change(cur)
			d := Compare(fixtureRun(), cur, tt.opts)
			if !reflect.DeepEqual(d.Changes, tt.want) {
				t.Fatalf("changes:\n got %+v\nwant %+v", d.Changes, tt.want)
			}
			regs := 0
			for _, c := range tt.want {
				if c.Regression {
					regs++
				}
			}
			if d.Regressions != regs {
				t.Errorf("regressions = %d, want %d", d.Regressions, regs)
			}
			if d.Changed() != (len(tt.want) > 0) {
				t.Errorf("Changed() = %t", d.Changed())
			}
		})
	}
}

// A small connect-time growth below the floor is noise even when the ratio
// is large.
func TestCompareConnectFloor(t *testing.T) {
	base := &Run{Cases: []*Result{{ID: "a", Verdict: Pass, Observed: Observed{Connected: true, Path: "direct", ConnectMS: 100}}}}
	cur := &Run{Cases: []*Result{{ID: "a", Verdict: Pass, Observed: Observed{Connected: true, Path: "direct", ConnectMS: 250}}}}
	if d := Compare(base, cur, DiffOptions{}); d.Changed() {
		t.Fatalf("+150ms (+150%%) under the 200ms floor reported: %+v", d.Changes)
	}
	cur.Cases[0].Observed.ConnectMS = 400
	if d := Compare(base, cur, DiffOptions{}); d.Regressions != 1 {
		t.Fatalf("+300ms (+300%%) not a regression: %+v", d.Changes)
	}
}

func TestCompareNilRuns(t *testing.T) {
	if d := Compare(nil, nil, DiffOptions{}); d.Changed() {
		t.Fatal("nil runs differ")
	}
	d := Compare(nil, fixtureRun(), DiffOptions{})
	if len(d.Changes) != len(fixtureRun().Cases) || d.Regressions != 0 {
		t.Fatalf("against nothing every case is added, none a regression: %+v", d)
	}
}

func TestDiffWriteText(t *testing.T) {
	var buf bytes.Buffer
	if err := Compare(fixtureRun(), fixtureRun(), DiffOptions{}).WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "no changes\n" {
		t.Errorf("identical runs: %q", buf.String())
	}
	buf.Reset()
	d := &Diff{Changes: []Change{{ID: "evil\nid", Kind: "path", Base: "direct", New: "relayed", Regression: true}}, Regressions: 1}
	if err := d.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "1 regression, 0 other changes\n") || !strings.Contains(out, "REGRESSION  evil id  path  direct → relayed") {
		t.Errorf("unexpected text:\n%s", out)
	}
}
