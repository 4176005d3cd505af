package natprobe

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/icelab/icelab/scenarios"
)

// fast skips the lifetime search where a test is about something else.
var fast = Options{SkipLifetime: true}

func TestProbeClassifiesSingleNAT(t *testing.T) {
	tests := []struct {
		name string
		nat  scenarios.NAT
	}{
		{"full-cone", nat(ei, ei, true, 0)},
		{"restricted-cone", nat(ei, ad, true, 0)},
		{"port-restricted-cone", nat(ei, apd, true, 0)},
		{"symmetric", nat(apd, apd, true, 0)},
		{"address-dependent-mapping", nat(ad, ei, true, 0)},
		{"ad-ad-no-hairpin", nat(ad, ad, false, 0)},
		{"apd-ad-hairpin", nat(apd, ad, true, 0)},
		{"symmetric-no-hairpin", nat(apd, apd, false, 0)},
		{"full-cone-no-hairpin", nat(ei, ei, false, 0)},
		{"one-to-one", oneToOne(true)},
		{"one-to-one-no-hairpin", oneToOne(false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := lan(tt.nat)
				got, err := Probe(t.Context(), s, fast)
				if err != nil {
					t.Fatal(err)
				}
				want, err := Declared(s, "lan", fast)
				if err != nil {
					t.Fatal(err)
				}
				if d := Compare(want, got["lan"]); len(d) > 0 {
					t.Errorf("%v\nnotes: %q", d, got["lan"].Notes)
				}
			})
		})
	}
}

func TestProbeMeasuresMappingLifetime(t *testing.T) {
	tests := []struct {
		name      string
		nat       scenarios.NAT
		opts      Options
		want      time.Duration
		unbounded bool
	}{
		{"10s", nat(ei, apd, true, 10*time.Second), Options{}, 10 * time.Second, false},
		{"45s symmetric", nat(apd, apd, true, 45*time.Second), Options{}, 45 * time.Second, false},
		{"default 30s", nat(ad, ei, true, 0), Options{}, 30 * time.Second, false},
		{"2.5s rounds down", nat(ei, ei, true, 2500*time.Millisecond), Options{}, 2 * time.Second, false},
		{"12s at 5s resolution", nat(ei, ad, true, 12*time.Second), Options{LifetimeResolution: 5 * time.Second}, 10 * time.Second, false},
		{"beyond the cap", nat(ei, apd, true, 30*time.Second), Options{LifetimeCap: 20 * time.Second}, 20 * time.Second, true},
		{"below the resolution", nat(ei, apd, true, 500*time.Millisecond), Options{}, 0, false},
		{"one-to-one never expires", oneToOne(true), Options{LifetimeCap: time.Minute}, time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := lan(tt.nat)
				got, err := Probe(t.Context(), s, tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				r := got["lan"]
				if r.MappingLifetime != tt.want || r.LifetimeUnbounded != tt.unbounded {
					t.Errorf("lifetime %s unbounded=%t, want %s unbounded=%t; notes %q", r.MappingLifetime, r.LifetimeUnbounded, tt.want, tt.unbounded, r.Notes)
				}
				want, err := Declared(s, "lan", tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				if d := Compare(want, r); len(d) > 0 {
					t.Errorf("against the declaration: %v; notes %q", d, r.Notes)
				}
				if tt.want == 0 && !hasNote(r, "gone after 1s") {
					t.Errorf("no note on the short lifetime: %q", r.Notes)
				}
			})
		})
	}
}

// TestProbeNested checks composition: from the internet a nested network
// shows the combined behaviour of its NAT and its parent's; from the
// parent, its own.
func TestProbeNested(t *testing.T) {
	carriers := []scenarios.NAT{nat(ei, ei, true, 45*time.Second), nat(ad, apd, false, 0), nat(apd, ad, true, 0)}
	homes := []scenarios.NAT{nat(ei, ad, false, 10*time.Second), nat(apd, ei, true, 0), oneToOne(true)}
	for _, carrier := range carriers {
		for _, home := range homes {
			for _, v := range []Vantage{VantageInternet, VantageParent} {
				name := Result{Mapping: carrier.Mapping, Filtering: carrier.Filtering, Hairpinning: carrier.Hairpinning}.Summary() +
					" > " + Result{Mapping: home.Mapping, Filtering: home.Filtering, Hairpinning: home.Hairpinning, OneToOne: home.OneToOne}.Summary() + " from " + string(v)
				t.Run(name, func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						s := nested(carrier, home)
						opts := Options{Vantage: v}
						got, err := Probe(t.Context(), s, opts)
						if err != nil {
							t.Fatal(err)
						}
						for _, n := range []string{"carrier", "home"} {
							want, err := Declared(s, n, opts)
							if err != nil {
								t.Fatal(err)
							}
							if d := Compare(want, got[n]); len(d) > 0 {
								t.Errorf("%s: %v\nnotes: %q", n, d, got[n].Notes)
							}
						}
						if v == VantageInternet && !hasNote(got["home"], "nested") {
							t.Errorf("no composition note: %q", got["home"].Notes)
						}
					})
				})
			}
		}
	}
}

func TestProbeSelectsNetworks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := nested(nat(ei, ei, true, 0), nat(ei, apd, true, 0))
		got, err := Probe(t.Context(), s, Options{Networks: []string{"home", "home"}, SkipLifetime: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got["home"].Network != "home" {
			t.Errorf("got %v, want home only", got)
		}
		if len(s.Hosts) != 1 || s.Networks["home"].Link != (scenarios.Link{}) {
			t.Errorf("Probe changed the scenario")
		}
	})
}

func TestProbeIgnoresImpairments(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := lan(nat(ei, ad, true, 0))
		s.Networks["lan"].Link = scenarios.Link{Loss: 100}
		s.Networks["lan"].Firewall = []scenarios.FirewallRule{{Action: scenarios.ActionDrop, Direction: scenarios.DirectionBoth, Protocol: scenarios.ProtocolAny}}
		got, err := Probe(t.Context(), s, fast)
		if err != nil {
			t.Fatal(err)
		}
		if r := got["lan"]; r.Mapping != ei || r.Filtering != ad {
			t.Errorf("got %s; notes %q", r.Summary(), r.Notes)
		}
	})
}

func TestProbeErrors(t *testing.T) {
	tests := []struct {
		name string
		s    *scenarios.Scenario
		opts Options
	}{
		{"nil scenario", nil, Options{}},
		{"unknown network", lan(nat(ei, ei, true, 0)), Options{Networks: []string{"nope"}}},
		{"unknown vantage", lan(nat(ei, ei, true, 0)), Options{Vantage: "moon"}},
		{"cap below resolution", lan(nat(ei, ei, true, 0)), Options{LifetimeCap: time.Second, LifetimeResolution: time.Minute}},
		{"broken world", func() *scenarios.Scenario {
			s := lan(nat(ei, ei, true, 0))
			s.Hosts["pc"].IP = netip.MustParseAddr("10.9.9.9") // outside its subnet
			return s
		}(), Options{}},
		{"one-to-one with two hosts", func() *scenarios.Scenario {
			s := lan(oneToOne(true))
			s.Hosts["pc2"] = &scenarios.Host{Name: "pc2", Network: "lan", IP: netip.MustParseAddr("192.168.1.11")}
			return s
		}(), Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				if _, err := Probe(t.Context(), tt.s, tt.opts); err == nil {
					t.Error("no error")
				}
			})
		})
	}
}

func TestProbeHonoursCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		_, err := Probe(ctx, lan(nat(ei, ei, true, 0)), Options{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want the context's error", err)
		}
	})
}

func TestProbeNoNetworks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := lan(nat(ei, ei, true, 0))
		s.Networks = nil
		s.Hosts = map[string]*scenarios.Host{"web": s.Hosts["web"]}
		got, err := Probe(t.Context(), s, Options{})
		if err != nil || len(got) != 0 {
			t.Errorf("got %v, %v; want nothing", got, err)
		}
	})
}

func hasNote(r Result, sub string) bool {
	for _, n := range r.Notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

// TestProbeOutsideContext passes a context made outside the bubble, as the
// CLI does: Probe must only poll it (waiting on its channel would stop the
// virtual clock) and still notice a cancellation.
func TestProbeOutsideContext(t *testing.T) {
	live := context.Background()
	dead, cancel := context.WithCancel(context.Background())
	cancel()
	synctest.Test(t, func(t *testing.T) {
		if _, err := Probe(live, lan(nat(ei, ad, true, 10*time.Second)), Options{}); err != nil {
			t.Errorf("live context: %v", err)
		}
		if _, err := Probe(dead, lan(nat(ei, ad, true, 0)), Options{}); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled context: got %v", err)
		}
	})
}
