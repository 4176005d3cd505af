package natprobe

import (
	"net/netip"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/icelab/icelab/scenarios"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var (
	ei  = scenarios.EndpointIndependent
	ad  = scenarios.AddressDependent
	apd = scenarios.AddressAndPortDependent
)

func nat(m, f scenarios.Behavior, hairpin bool, lifetime time.Duration) scenarios.NAT {
	return scenarios.NAT{Mapping: m, Filtering: f, Hairpinning: hairpin, MappingLifetime: lifetime}
}

func oneToOne(hairpin bool) scenarios.NAT {
	return scenarios.NAT{Preset: scenarios.PresetOneToOne, OneToOne: true, Mapping: ei, Filtering: ei, Hairpinning: hairpin}
}

// lan is a scenario with one network "lan" (192.168.1.0/24 behind
// 27.1.1.1) holding host "pc", and host "web" on the internet.
func lan(n scenarios.NAT) *scenarios.Scenario {
	return &scenarios.Scenario{
		Version: 1,
		Name:    "lan",
		Networks: map[string]*scenarios.Network{
			"lan": {Name: "lan", Parent: scenarios.Internet, Subnet: netip.MustParsePrefix("192.168.1.0/24"), PublicIP: netip.MustParseAddr("27.1.1.1"), NAT: n},
		},
		Hosts: map[string]*scenarios.Host{
			"pc":  {Name: "pc", Network: "lan", IP: netip.MustParseAddr("192.168.1.10")},
			"web": {Name: "web", Network: scenarios.Internet, IP: netip.MustParseAddr("198.51.100.254")},
		},
	}
}

// nested is a home network behind a carrier NAT.
func nested(carrier, home scenarios.NAT) *scenarios.Scenario {
	return &scenarios.Scenario{
		Version: 1,
		Name:    "nested",
		Networks: map[string]*scenarios.Network{
			"carrier": {Name: "carrier", Parent: scenarios.Internet, Subnet: netip.MustParsePrefix("100.64.0.0/24"), PublicIP: netip.MustParseAddr("37.120.0.2"), NAT: carrier},
			"home":    {Name: "home", Parent: "carrier", Subnet: netip.MustParsePrefix("192.168.1.0/24"), PublicIP: netip.MustParseAddr("100.64.0.2"), NAT: home},
		},
		Hosts: map[string]*scenarios.Host{
			"phone": {Name: "phone", Network: "home", IP: netip.MustParseAddr("192.168.1.20")},
		},
	}
}
