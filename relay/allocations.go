package relay

import (
	"net"
	"net/netip"
	"time"
)

// Allocation is one TURN allocation the server created.
type Allocation struct {
	// Client is the allocation's client address as the server sees it
	// (after any NAT on the client's side).
	Client netip.AddrPort
	// Relayed is the advertised relayed address (XOR-RELAYED-ADDRESS), which
	// is the external IP when one is configured.
	Relayed  netip.AddrPort
	Username string
	Created  time.Time
	// Deleted is zero while the allocation is alive.
	Deleted time.Time
}

// allocationKey identifies a live allocation by its 5-tuple (UDP only).
func allocationKey(src, dst net.Addr) string {
	return src.String() + "->" + dst.String()
}

// addrPort converts a UDP address; anything else gives the zero AddrPort.
func addrPort(a net.Addr) netip.AddrPort {
	u, ok := a.(*net.UDPAddr)
	if !ok {
		return netip.AddrPort{}
	}
	ap := u.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
