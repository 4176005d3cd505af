package vnet

import (
	"net/netip"
	"testing"

	"github.com/icelab/icelab/scenarios"
)

// TestSplitHorizonNames: a host behind a one-to-one NAT resolves to the
// NAT's public address from outside and to its own address inside, as a
// cloud VM's DNS name does; a host behind NAPT keeps its own address.
func TestSplitHorizonNames(t *testing.T) {
	s := &scenarios.Scenario{
		Networks: map[string]*scenarios.Network{
			"cloud": {Name: "cloud", Parent: scenarios.Internet, Subnet: netip.MustParsePrefix("172.31.0.0/24"),
				PublicIP: netip.MustParseAddr("54.10.20.30"), NAT: scenarios.NAT{Preset: scenarios.PresetOneToOne, OneToOne: true, Hairpinning: true}},
			"home": {Name: "home", Parent: scenarios.Internet, Subnet: netip.MustParsePrefix("192.168.1.0/24"),
				PublicIP: netip.MustParseAddr("81.2.3.4"), NAT: scenarios.NAT{Mapping: scenarios.EndpointIndependent, Filtering: scenarios.AddressAndPortDependent, Hairpinning: true}},
		},
		Hosts: map[string]*scenarios.Host{
			"turn":   {Name: "turn", Network: "cloud", IP: netip.MustParseAddr("172.31.0.10")},
			"laptop": {Name: "laptop", Network: "home", IP: netip.MustParseAddr("192.168.1.20")},
			"web":    {Name: "web", Network: scenarios.Internet, IP: netip.MustParseAddr("85.1.1.1")},
		},
	}
	w, err := New(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Close() }()
	tests := []struct{ from, name, want string }{
		{"web", "turn", "54.10.20.30"},
		{"laptop", "turn", "54.10.20.30"},
		{"turn", "turn", "172.31.0.10"},
		{"turn", "TURN", "172.31.0.10"},
		{"web", "laptop", "192.168.1.20"},
		{"laptop", "web", "85.1.1.1"},
	}
	for _, tt := range tests {
		a, err := w.Net(tt.from).ResolveUDPAddr("udp4", tt.name+":3478")
		if err != nil {
			t.Fatalf("%s resolving %s: %v", tt.from, tt.name, err)
		}
		if got := a.IP.String(); got != tt.want {
			t.Errorf("%s resolves %s to %s, want %s", tt.from, tt.name, got, tt.want)
		}
	}
}
