package relay

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/pion/logging"
	"github.com/pion/transport/v3"
	"github.com/pion/turn/v4"
)

// relayGenerator allocates relay sockets in the configured port range on the
// host's vnet Net, bound to the host IP and advertising the external IP.
//
// It wraps pion's RelayAddressGeneratorPortRange, which already separates
// the bound address (Address) from the advertised one (RelayAddress), but
// does so by overwriting the IP of the *net.UDPAddr returned by the socket's
// LocalAddr. A vnet UDPConn returns its own internal address there, so with
// an external IP the socket would afterwards claim the external address:
// vnet then sends its packets from that address (a 1:1 NAT drops them as
// unmapped), no longer matches inbound packets to it, and cannot free its
// port on close. relayNet hands pion a copy instead.
type relayGenerator struct {
	inner *turn.RelayAddressGeneratorPortRange
	log   logging.LeveledLogger
}

func newRelayGenerator(n transport.Net, bind, advertise netip.Addr, minPort, maxPort uint16, seed int64,
	log logging.LeveledLogger,
) *relayGenerator {
	return &relayGenerator{
		inner: &turn.RelayAddressGeneratorPortRange{
			RelayAddress: net.IP(advertise.AsSlice()),
			MinPort:      minPort,
			MaxPort:      maxPort,
			MaxRetries:   maxRetries(minPort, maxPort),
			Rand:         newSeededRand(seed),
			Address:      bind.String(),
			Net:          relayNet{n},
		},
		log: log,
	}
}

// maxRetries is how many random ports pion tries before answering 508.
// pion's default of 10 makes a small range fail long before it is full
// (4 of 5 ports taken: 11% failures), which would blur port-exhaustion
// scenarios; 8 tries per port (capped) makes failure mean "(nearly) full".
func maxRetries(minPort, maxPort uint16) int {
	size := int(maxPort) - int(minPort) + 1
	return min(max(10, 8*size), 1000)
}

func (g *relayGenerator) Validate() error { return g.inner.Validate() }

func (g *relayGenerator) AllocatePacketConn(network string, requestedPort int) (net.PacketConn, net.Addr, error) {
	conn, advertised, err := g.inner.AllocatePacketConn(network, requestedPort)
	if err != nil {
		g.log.Warnf("relay socket allocation failed (ports %d-%d, requested %d): %v",
			g.inner.MinPort, g.inner.MaxPort, requestedPort, err)
		return nil, nil, err
	}
	g.log.Debugf("relay socket bound %s advertised %s", conn.LocalAddr(), advertised)
	return conn, advertised, nil
}

func (g *relayGenerator) AllocateConn(network string, requestedPort int) (net.Conn, net.Addr, error) {
	return nil, nil, fmt.Errorf("TCP relay (RFC 6062) is not supported: %s port %d", network, requestedPort)
}

// relayNet is the host's Net whose packet sockets report a copy of their
// local address, so a caller that edits it cannot corrupt the socket.
type relayNet struct{ transport.Net }

func (n relayNet) ListenPacket(network, address string) (net.PacketConn, error) {
	c, err := n.Net.ListenPacket(network, address)
	if err != nil {
		return nil, err
	}
	return addrCopyConn{c}, nil
}

type addrCopyConn struct{ net.PacketConn }

func (c addrCopyConn) LocalAddr() net.Addr {
	if a, ok := c.PacketConn.LocalAddr().(*net.UDPAddr); ok {
		cp := *a
		cp.IP = append(net.IP(nil), a.IP...)
		return &cp
	}
	return c.PacketConn.LocalAddr()
}
