package vnet

import (
	"fmt"
	"net/netip"

	"github.com/icelab/icelab/scenarios"
	pvnet "github.com/pion/transport/v3/vnet"
)

// network is the runtime of one scenarios.Network: its pion router (which is
// its NAT) and what the router's tap needs to judge a datagram.
type network struct {
	name   string
	parent string // scenarios.Internet or another network
	subnet netip.Prefix
	public netip.Addr
	router *pvnet.Router
	rules  []rule
	link   *link
}

// direction classifies a datagram seen by this network's router.
func (n *network) direction(src, dst netip.Addr) direction {
	srcIn, dstIn := n.subnet.Contains(src), n.subnet.Contains(dst)
	switch {
	case srcIn && !dstIn:
		return outbound
	case !srcIn && dstIn:
		return inbound
	}
	return internal
}

// hairpinLeg reports whether a crossing datagram is one leg of a hairpin
// through this NAT: its far side is the NAT's own public address. Such a
// datagram turns around inside the NAT and never uses the uplink, so the
// link does not impair it (the firewall still sees it).
func (n *network) hairpinLeg(dir direction, src, dst netip.Addr) bool {
	switch dir {
	case outbound:
		return dst == n.public
	case inbound:
		return src == n.public
	}
	return false
}

// natType translates the scenario's NAT into pion's. For one-to-one it also
// returns the router's StaticIPs in pion's "external/internal" form.
func natType(name string, nat scenarios.NAT, public netip.Addr, oneHost netip.Addr) (*pvnet.NATType, []string, error) {
	if nat.OneToOne {
		if !oneHost.IsValid() {
			return nil, nil, fmt.Errorf("network %q: one-to-one NAT needs exactly one host", name)
		}
		return &pvnet.NATType{Mode: pvnet.NATModeNAT1To1, Hairpinning: nat.Hairpinning},
			[]string{public.String() + "/" + oneHost.String()}, nil
	}
	m, err := behavior(nat.Mapping)
	if err != nil {
		return nil, nil, fmt.Errorf("network %q: nat mapping: %w", name, err)
	}
	f, err := behavior(nat.Filtering)
	if err != nil {
		return nil, nil, fmt.Errorf("network %q: nat filtering: %w", name, err)
	}
	if nat.MappingLifetime < 0 {
		return nil, nil, fmt.Errorf("network %q: nat mapping-lifetime %s is negative", name, nat.MappingLifetime)
	}
	return &pvnet.NATType{
		Mode:              pvnet.NATModeNormal,
		MappingBehavior:   m,
		FilteringBehavior: f,
		Hairpinning:       nat.Hairpinning, // informative only: pion ignores it, the tap enforces it
		MappingLifeTime:   nat.MappingLifetime,
	}, []string{public.String()}, nil
}

func behavior(b scenarios.Behavior) (pvnet.EndpointDependencyType, error) {
	switch b {
	case scenarios.EndpointIndependent:
		return pvnet.EndpointIndependent, nil
	case scenarios.AddressDependent:
		return pvnet.EndpointAddrDependent, nil
	case scenarios.AddressAndPortDependent:
		return pvnet.EndpointAddrPortDependent, nil
	}
	return 0, fmt.Errorf("unknown behaviour %q", b)
}
