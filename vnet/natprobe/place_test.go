package natprobe

import (
	"net/netip"
	"testing"

	"github.com/icelab/icelab/scenarios"
)

func TestFreeIn(t *testing.T) {
	a := netip.MustParseAddr
	p := netip.MustParsePrefix
	tests := []struct {
		name   string
		prefix netip.Prefix
		used   []netip.Addr
		avoid  []netip.Prefix
		want   netip.Addr // invalid: none
	}{
		{"highest host of a /24", p("192.168.1.0/24"), nil, nil, a("192.168.1.254")},
		{"skips used", p("192.168.1.0/24"), []netip.Addr{a("192.168.1.254"), a("192.168.1.253")}, nil, a("192.168.1.252")},
		{"unmasked prefix", p("10.0.0.77/24"), nil, nil, a("10.0.0.254")},
		{"full /30", p("10.0.0.0/30"), []netip.Addr{a("10.0.0.1"), a("10.0.0.2")}, nil, netip.Addr{}},
		{"/31 has no broadcast", p("10.0.0.0/31"), []netip.Addr{a("10.0.0.1")}, nil, a("10.0.0.0")},
		{"avoids subnets", p("198.51.100.0/24"), nil, []netip.Prefix{p("198.51.100.128/25")}, a("198.51.100.127")},
		{"IPv6", p("fd00::/64"), nil, nil, netip.Addr{}},
	}
	for _, tt := range tests {
		used := map[netip.Addr]bool{}
		for _, u := range tt.used {
			used[u] = true
		}
		got, ok := freeIn(tt.prefix, used, tt.avoid)
		if ok != tt.want.IsValid() || got != tt.want {
			t.Errorf("%s: got %s %t, want %s", tt.name, got, ok, tt.want)
		}
	}
}

func TestPlanPlacesProbeHosts(t *testing.T) {
	s := nested(nat(apd, apd, true, 0), oneToOne(true))
	// A host that already has the name the probe would pick.
	s.Hosts["natprobe-client-carrier"] = &scenarios.Host{Name: "natprobe-client-carrier", Network: "carrier", IP: netip.MustParseAddr("100.64.0.254")}
	pl, err := newPlan(s, []string{"carrier", "home"}, VantageParent)
	if err != nil {
		t.Fatal(err)
	}
	if got := pl.clients["home"]; !got.existing || got.host != "phone" {
		t.Errorf("one-to-one network probed from %+v, want its one host", got)
	}
	c := pl.clients["carrier"]
	if c.existing || c.host != "natprobe-client-carrier-2" {
		t.Errorf("carrier client %+v", c)
	}
	if pl.siteOf["home"] != "carrier" || pl.siteOf["carrier"] != "internet" {
		t.Errorf("sites %v", pl.siteOf)
	}
	seen := map[netip.Addr]string{}
	for _, h := range pl.scenario.Hosts {
		if prev, dup := seen[h.IP]; dup {
			t.Errorf("hosts %s and %s share %s", prev, h.Name, h.IP)
		}
		seen[h.IP] = h.Name
	}
	for _, site := range []string{"carrier", "internet"} {
		for _, p := range pl.servers[site] {
			h := pl.scenario.Hosts[p.host]
			if h == nil || h.Network != site || h.IP != p.ip {
				t.Errorf("server %+v on %q: host %+v", p, site, h)
			}
		}
	}
	// The copy leaves the scenario alone.
	if len(s.Hosts) != 2 {
		t.Errorf("the scenario gained hosts: %d", len(s.Hosts))
	}
}
