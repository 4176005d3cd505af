package vnet

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/icelab/icelab/scenarios"
)

// direction is where a datagram goes relative to one network's router.
type direction uint8

const (
	// internal: both ends inside the network's subnet (LAN traffic, or a
	// child network's WAN traffic to a sibling). Never firewalled or impaired.
	internal direction = iota
	// outbound: from inside the subnet to outside it.
	outbound
	// inbound: from outside the subnet to inside it.
	inbound
)

func (d direction) String() string {
	switch d {
	case outbound:
		return scenarios.DirectionOutbound
	case inbound:
		return scenarios.DirectionInbound
	}
	return "internal"
}

// rule is a compiled scenarios.FirewallRule.
//
// Matching, for a datagram crossing the network's router in direction dir:
//   - direction: the rule's direction is dir, or "both" ("" counts as both);
//   - protocol: "udp", "any" or "" all match, because every vnet datagram is
//     UDP (v3 has no TCP);
//   - ports (empty = any): for outbound, the far side's port, i.e. the
//     destination port, e.g. 3478 to block STUN/TURN; for inbound, the inside
//     (destination) port, read after the NAT translated the datagram, i.e. the
//     port the inside host (or child NAT) bound, not the public mapped port;
//   - peer (invalid = any): the far side's IP lies in the prefix; outbound the
//     destination IP, inbound the source IP (the real remote address: inbound
//     translation only rewrites the destination).
type rule struct {
	drop     bool
	inbound  bool
	outbound bool
	ports    []scenarios.PortRange
	peer     netip.Prefix
}

var errBadRule = errors.New("invalid firewall rule")

func compileRules(in []scenarios.FirewallRule) ([]rule, error) {
	out := make([]rule, 0, len(in))
	for i, fr := range in {
		var r rule
		switch fr.Action {
		case scenarios.ActionDrop:
			r.drop = true
		case scenarios.ActionAllow:
		default:
			return nil, fmt.Errorf("firewall rule %d: %w: action %q (want drop or allow)", i+1, errBadRule, fr.Action)
		}
		switch fr.Direction {
		case scenarios.DirectionInbound:
			r.inbound = true
		case scenarios.DirectionOutbound:
			r.outbound = true
		case scenarios.DirectionBoth, "":
			r.inbound, r.outbound = true, true
		default:
			return nil, fmt.Errorf("firewall rule %d: %w: direction %q (want inbound, outbound or both)", i+1, errBadRule, fr.Direction)
		}
		switch fr.Protocol {
		case scenarios.ProtocolUDP, scenarios.ProtocolAny, "":
		default:
			return nil, fmt.Errorf("firewall rule %d: %w: protocol %q (want udp or any)", i+1, errBadRule, fr.Protocol)
		}
		for _, pr := range fr.Ports {
			if pr.Min > pr.Max {
				return nil, fmt.Errorf("firewall rule %d: %w: port range %d-%d", i+1, errBadRule, pr.Min, pr.Max)
			}
		}
		r.ports = append([]scenarios.PortRange(nil), fr.Ports...)
		if fr.Peer.IsValid() {
			if !fr.Peer.Addr().Is4() {
				return nil, fmt.Errorf("firewall rule %d: %w: peer %s is not IPv4", i+1, errBadRule, fr.Peer)
			}
			r.peer = fr.Peer.Masked()
		}
		out = append(out, r)
	}
	return out, nil
}

// matches reports whether r applies to a datagram going in dir whose far side
// is far and whose rule port (see rule) is port.
func (r *rule) matches(dir direction, far netip.Addr, port uint16) bool {
	switch dir {
	case inbound:
		if !r.inbound {
			return false
		}
	case outbound:
		if !r.outbound {
			return false
		}
	default:
		return false
	}
	if r.peer.IsValid() && !r.peer.Contains(far) {
		return false
	}
	if len(r.ports) == 0 {
		return true
	}
	for _, pr := range r.ports {
		if pr.Contains(port) {
			return true
		}
	}
	return false
}

// firewallDrops applies rules in order: the first matching rule decides, no
// match allows.
func firewallDrops(rules []rule, dir direction, src, dst netip.AddrPort) bool {
	var far netip.Addr
	var port uint16
	switch dir {
	case outbound:
		far, port = dst.Addr(), dst.Port()
	case inbound:
		far, port = src.Addr(), dst.Port()
	default:
		return false
	}
	for i := range rules {
		if rules[i].matches(dir, far, port) {
			return rules[i].drop
		}
	}
	return false
}
