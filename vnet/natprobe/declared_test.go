package natprobe

import (
	"strings"
	"testing"
	"time"

	"github.com/icelab/icelab/scenarios"
)

func TestDeclared(t *testing.T) {
	tests := []struct {
		name    string
		s       *scenarios.Scenario
		network string
		opts    Options
		want    Result
	}{
		{
			name: "default lifetime", s: lan(nat(ei, apd, true, 0)), network: "lan",
			want: Result{Mapping: ei, Filtering: apd, Hairpinning: true, MappingLifetime: 30 * time.Second},
		},
		{
			name: "lifetime rounded down to the resolution", s: lan(nat(ad, ad, false, 2500*time.Millisecond)), network: "lan",
			want: Result{Mapping: ad, Filtering: ad, MappingLifetime: 2 * time.Second},
		},
		{
			name: "lifetime at the cap is unbounded", s: lan(nat(ei, ei, true, 10*time.Minute)), network: "lan",
			want: Result{Mapping: ei, Filtering: ei, Hairpinning: true, MappingLifetime: 5 * time.Minute, LifetimeUnbounded: true},
		},
		{
			name: "skip lifetime", s: lan(nat(apd, apd, true, 0)), network: "lan", opts: Options{SkipLifetime: true},
			want: Result{Mapping: apd, Filtering: apd, Hairpinning: true},
		},
		{
			name: "one-to-one", s: lan(oneToOne(false)), network: "lan",
			want: Result{Mapping: ei, Filtering: ei, OneToOne: true, MappingLifetime: 5 * time.Minute, LifetimeUnbounded: true},
		},
		{
			name: "nested from the internet: most dependent, outer hairpin, shortest lifetime",
			s:    nested(nat(ad, ei, false, 45*time.Second), nat(ei, apd, true, 10*time.Second)), network: "home",
			want: Result{Mapping: ad, Filtering: apd, Hairpinning: false, MappingLifetime: 10 * time.Second},
		},
		{
			name: "nested from the parent: the network's own NAT",
			s:    nested(nat(ad, ei, false, 45*time.Second), nat(ei, apd, true, 10*time.Second)), network: "home",
			opts: Options{Vantage: VantageParent},
			want: Result{Mapping: ei, Filtering: apd, Hairpinning: true, MappingLifetime: 10 * time.Second},
		},
		{
			name: "one-to-one behind a NAT is no longer one-to-one",
			s:    nested(nat(apd, ei, true, 20*time.Second), oneToOne(false)), network: "home",
			want: Result{Mapping: apd, Filtering: ei, Hairpinning: true, MappingLifetime: 20 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Declared(tt.s, tt.network, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if d := Compare(tt.want, got); len(d) > 0 || got.MappingLifetime != tt.want.MappingLifetime {
				t.Errorf("%v (lifetime %s, want %s)", d, got.MappingLifetime, tt.want.MappingLifetime)
			}
		})
	}
}

func TestDeclaredErrors(t *testing.T) {
	s := lan(nat(ei, ei, true, 0))
	for _, network := range []string{"nope", scenarios.Internet, ""} {
		if _, err := Declared(s, network, Options{}); err == nil {
			t.Errorf("Declared(%q): no error", network)
		}
	}
	if _, err := Declared(s, "lan", Options{Vantage: "moon"}); err == nil {
		t.Error("unknown vantage: no error")
	}
	loop := lan(nat(ei, ei, true, 0))
	loop.Networks["lan"].Parent = "lan"
	if _, err := Declared(loop, "lan", Options{}); err == nil {
		t.Error("parent loop: no error")
	}
}

func TestCompare(t *testing.T) {
	base := Result{Mapping: ei, Filtering: apd, Hairpinning: true, MappingLifetime: 30 * time.Second}
	tests := []struct {
		name   string
		change func(*Result)
		want   string // substring of the one difference; "" for none
	}{
		{"same", func(*Result) {}, ""},
		{"notes and addresses do not count", func(r *Result) { r.Notes = []string{"x"}; r.Network = "other" }, ""},
		{"mapping", func(r *Result) { r.Mapping = ad }, "mapping: declared endpoint-independent, observed address-dependent"},
		{"filtering unknown", func(r *Result) { r.Filtering = "" }, "filtering: declared address-and-port-dependent, observed nothing"},
		{"hairpinning", func(r *Result) { r.Hairpinning = false }, "hairpinning: declared true, observed false"},
		{"one-to-one", func(r *Result) { r.OneToOne = true }, "one-to-one: declared false, observed true"},
		{"lifetime", func(r *Result) { r.MappingLifetime = 29 * time.Second }, "mapping lifetime: declared 30s, observed 29s"},
		{"lifetime unbounded", func(r *Result) { r.LifetimeUnbounded = true }, "observed >30s"},
		{"lifetime not measured", func(r *Result) { r.MappingLifetime = 0 }, "observed nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := base
			tt.change(&got)
			d := Compare(base, got)
			switch {
			case tt.want == "" && len(d) > 0:
				t.Errorf("differences %q, want none", d)
			case tt.want != "" && (len(d) != 1 || !strings.Contains(d[0], tt.want)):
				t.Errorf("differences %q, want one containing %q", d, tt.want)
			}
		})
	}
	// A declaration without a lifetime does not check it.
	if d := Compare(Result{Mapping: ei, Filtering: ei}, Result{Mapping: ei, Filtering: ei, MappingLifetime: time.Second}); len(d) > 0 {
		t.Errorf("unmeasured declaration: %q", d)
	}
}

func TestResultForms(t *testing.T) {
	r := Result{Mapping: apd, Filtering: ad, Hairpinning: true, MappingLifetime: 45 * time.Second}
	if got := r.Summary(); got != "APDM/ADF hairpin lifetime=45s" {
		t.Errorf("Summary %q", got)
	}
	nb := r.NATBehavior()
	if nb.Mapping != string(apd) || nb.Filtering != string(ad) || !nb.Hairpinning || nb.MappingLifetime != "45s" {
		t.Errorf("NATBehavior %+v", nb)
	}
	u := Result{OneToOne: true, Mapping: ei, Filtering: ei, MappingLifetime: 5 * time.Minute, LifetimeUnbounded: true}
	if got := u.Summary(); got != "1:1 EIM/EIF no-hairpin lifetime=>5m0s" {
		t.Errorf("Summary %q", got)
	}
	if got := (Result{}).NATBehavior().MappingLifetime; got != "" {
		t.Errorf("unmeasured lifetime %q", got)
	}
}
