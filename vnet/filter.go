package vnet

import (
	"net"
	"net/netip"

	pvnet "github.com/pion/transport/v3/vnet"
)

// routerTap is the one ChunkFilter installed on each pion router. pion calls
// it from the router's goroutine, with the router's mutex held, for every
// chunk the router is about to route (after RouterConfig.MinDelay, which is
// unused here; before delivery to a NIC or NAT-outbound to the parent). It
// must not block and must not call back into the router.
//
// For each chunk, in order:
//  1. a delayed copy coming back (see link) is forwarded as is;
//  2. a datagram whose source and destination IP are both the public IP of
//     a child NAT with hairpinning off is dropped (DropHairpin): that is the
//     datagram a NAT hairpins, seen on its WAN side, which pion would
//     otherwise hand straight back to the same NAT;
//  3. on a network's router, a datagram crossing between the subnet and the
//     outside goes through the firewall (DropFirewall), then link loss
//     (DropLoss), then link delay (held and re-injected later);
//  4. whatever is left is forwarded and recorded.
type routerTap struct {
	name string
	rec  *recorder
	// noHairpin lists the public IPs of child NATs that must not hairpin.
	noHairpin []netip.Addr
	// net is nil on the internet router.
	net *network
}

func (t *routerTap) filter(c pvnet.Chunk) bool {
	src, ok1 := addrPort(c.SourceAddr())
	dst, ok2 := addrPort(c.DestinationAddr())
	if !ok1 || !ok2 {
		// Not UDP over IPv4: nothing in pion v3 produces such chunks.
		return true
	}
	if n := t.net; n != nil && n.link.returning(c) {
		t.rec.record(t.name, src, dst, c.UserData(), "")
		return true
	}
	for _, ip := range t.noHairpin {
		if src.Addr() == ip && dst.Addr() == ip {
			t.rec.record(t.name, src, dst, c.UserData(), DropHairpin)
			return false
		}
	}
	if n := t.net; n != nil {
		dir := n.direction(src.Addr(), dst.Addr())
		if dir != internal {
			if firewallDrops(n.rules, dir, src, dst) {
				t.rec.record(t.name, src, dst, c.UserData(), DropFirewall)
				return false
			}
			if !n.hairpinLeg(dir, src.Addr(), dst.Addr()) {
				if n.link.lose(dir, src.Addr(), dst.Addr(), c.UserData()) {
					t.rec.record(t.name, src, dst, c.UserData(), DropLoss)
					return false
				}
				if n.link.delay(c) {
					return false // the copy is recorded when it comes back
				}
			}
		}
	}
	t.rec.record(t.name, src, dst, c.UserData(), "")
	return true
}

func addrPort(a net.Addr) (netip.AddrPort, bool) {
	ua, ok := a.(*net.UDPAddr)
	if !ok {
		return netip.AddrPort{}, false
	}
	ap := ua.AddrPort()
	ip := ap.Addr().Unmap()
	if !ip.Is4() {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ip, ap.Port()), true
}
