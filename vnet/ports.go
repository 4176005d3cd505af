package vnet

import (
	"hash/fnv"
	"net"
	"strconv"
	"sync"

	"github.com/pion/transport/v3"
	pvnet "github.com/pion/transport/v3/vnet"
)

// Ephemeral ports: pion's vnet picks a random port in 5000-5999 from the
// global math/rand when a socket binds port 0, which no seed reaches. A
// seededStack picks them itself instead: from a start derived from the
// world's seed and the host's name, upwards, skipping ports in use. The
// ports a host's sockets get are then the same from run to run; which
// socket gets which still follows the order pion opens them in, which its
// concurrent candidate gathering can vary.
const (
	ephemeralMin = 5000
	ephemeralMax = 5999
)

// seededStack is a host's network stack with seeded ephemeral ports. Every
// other method is the host's own pion Net.
type seededStack struct {
	*pvnet.Net
	mu   sync.Mutex
	next int
}

func newSeededStack(n *pvnet.Net, seed int64, host string) *seededStack {
	h := fnv.New64a()
	_, _ = h.Write([]byte(host))
	off := (uint64(seed) ^ h.Sum64()) % (ephemeralMax - ephemeralMin + 1) //nolint:gosec // a seed, not a quantity
	return &seededStack{Net: n, next: ephemeralMin + int(off)}
}

// take returns the next candidate port.
func (s *seededStack) take() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.next
	s.next++
	if s.next > ephemeralMax {
		s.next = ephemeralMin
	}
	return p
}

// ListenUDP binds laddr, choosing the port when it is 0.
func (s *seededStack) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	if laddr == nil || laddr.Port != 0 {
		return s.Net.ListenUDP(network, laddr)
	}
	var err error
	for range ephemeralMax - ephemeralMin + 1 {
		a := *laddr
		a.Port = s.take()
		var c transport.UDPConn
		if c, err = s.Net.ListenUDP(network, &a); err == nil {
			return c, nil
		}
	}
	return nil, err
}

// ListenPacket binds address, choosing the port when it is 0.
func (s *seededStack) ListenPacket(network, address string) (net.PacketConn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil || port != "0" {
		return s.Net.ListenPacket(network, address)
	}
	for range ephemeralMax - ephemeralMin + 1 {
		var c net.PacketConn
		if c, err = s.Net.ListenPacket(network, net.JoinHostPort(host, strconv.Itoa(s.take()))); err == nil {
			return c, nil
		}
	}
	return nil, err
}
