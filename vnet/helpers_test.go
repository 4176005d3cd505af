package vnet

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/icelab/icelab/scenarios"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Addresses shared by the tests: two servers on the internet and one NAT.
const (
	s1     = "1.2.3.4"
	s2     = "1.2.3.5"
	natPub = "27.1.1.1"
)

var (
	ei  = scenarios.EndpointIndependent
	ad  = scenarios.AddressDependent
	apd = scenarios.AddressAndPortDependent
)

func ip(s string) netip.Addr        { return netip.MustParseAddr(s) }
func ap(s string) netip.AddrPort    { return netip.MustParseAddrPort(s) }
func prefix(s string) netip.Prefix  { return netip.MustParsePrefix(s) }
func udpAddr(s string) *net.UDPAddr { return net.UDPAddrFromAddrPort(ap(s)) }
func cone(m, f scenarios.Behavior) scenarios.NAT {
	return scenarios.NAT{Mapping: m, Filtering: f, Hairpinning: true}
}

// lanNet is a 192.168.1.0/24 network behind natPub on the internet.
func lanNet(nat scenarios.NAT) *scenarios.Network {
	return &scenarios.Network{
		Parent:   scenarios.Internet,
		Subnet:   prefix("192.168.1.0/24"),
		PublicIP: ip(natPub),
		NAT:      nat,
	}
}

// world assembles a scenario; hosts are given as name -> "network ip".
func world(nets map[string]*scenarios.Network, hosts map[string]*scenarios.Host) *scenarios.Scenario {
	for name, n := range nets {
		n.Name = name
	}
	for name, h := range hosts {
		h.Name = name
	}
	return &scenarios.Scenario{Version: 1, Name: "t", Networks: nets, Hosts: hosts}
}

func hostOn(network, addr string) *scenarios.Host {
	return &scenarios.Host{Network: network, IP: ip(addr)}
}

// lanWorld is the common topology: host c on lan, servers s1 and s2 on the
// internet.
func lanWorld(n *scenarios.Network) *scenarios.Scenario {
	return world(map[string]*scenarios.Network{"lan": n}, map[string]*scenarios.Host{
		"c":  hostOn("lan", "192.168.1.10"),
		"s1": hostOn(scenarios.Internet, s1),
		"s2": hostOn(scenarios.Internet, s2),
	})
}

// start builds and starts a world that is closed at the end of the test.
func start(t *testing.T, s *scenarios.Scenario, opts Options) *World {
	t.Helper()
	w, err := New(s, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := w.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return w
}

// listen opens a UDP socket on a host, closed at the end of the test.
func listen(t *testing.T, w *World, host string, port int) net.PacketConn {
	t.Helper()
	n := w.Net(host)
	if n == nil {
		t.Fatalf("no host %q", host)
	}
	c, err := n.ListenPacket("udp4", net.JoinHostPort(w.HostIP(host).String(), strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("listen on %s:%d: %v", host, port, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// serveEcho answers every datagram with the source address it observed,
// like a STUN binding response. The returned socket can also send
// unsolicited datagrams.
func serveEcho(t *testing.T, w *World, host string, port int) net.PacketConn {
	t.Helper()
	c := listen(t, w, host, port)
	go func() {
		buf := make([]byte, 1500)
		for {
			_, from, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			if _, err := c.WriteTo([]byte(from.String()), from); err != nil {
				return
			}
		}
	}()
	return c
}

// recv reads one datagram arriving within d of virtual time.
func recv(t *testing.T, c net.PacketConn, d time.Duration) ([]byte, netip.AddrPort, bool) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(d)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	n, from, err := c.ReadFrom(buf)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, netip.AddrPort{}, false
		}
		t.Fatalf("read: %v", err)
	}
	a := from.(*net.UDPAddr).AddrPort() //nolint:forcetypeassert
	return buf[:n], netip.AddrPortFrom(a.Addr().Unmap(), a.Port()), true
}

// drain reads every datagram arriving within d of virtual time after the last.
func drain(t *testing.T, c net.PacketConn, d time.Duration) []string {
	t.Helper()
	var got []string
	for {
		b, _, ok := recv(t, c, d)
		if !ok {
			return got
		}
		got = append(got, string(b))
	}
}

// tryObserve sends a probe to an echo server and returns the source address
// the server saw, or false if no answer came within a second.
func tryObserve(t *testing.T, c net.PacketConn, to string) (netip.AddrPort, bool) {
	t.Helper()
	if _, err := c.WriteTo([]byte("probe"), udpAddr(to)); err != nil {
		t.Fatalf("write to %s: %v", to, err)
	}
	b, _, ok := recv(t, c, time.Second)
	if !ok {
		return netip.AddrPort{}, false
	}
	a, err := netip.ParseAddrPort(string(b))
	if err != nil {
		t.Fatalf("echo reply %q: %v", b, err)
	}
	return a, true
}

func observe(t *testing.T, c net.PacketConn, to string) netip.AddrPort {
	t.Helper()
	a, ok := tryObserve(t, c, to)
	if !ok {
		t.Fatalf("no answer from %s", to)
	}
	return a
}

func send(t *testing.T, c net.PacketConn, to netip.AddrPort, payload string) {
	t.Helper()
	if _, err := c.WriteTo([]byte(payload), net.UDPAddrFromAddrPort(to)); err != nil {
		t.Fatalf("write to %s: %v", to, err)
	}
}
