package vnet

import (
	"net"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/icelab/icelab/scenarios"
)

func TestFirewall(t *testing.T) {
	type probe struct {
		from int    // local port on host c
		to   string // echo server
		ok   bool   // answer expected
	}
	drop := func(dir string, ports []scenarios.PortRange, peer string) scenarios.FirewallRule {
		r := scenarios.FirewallRule{Action: scenarios.ActionDrop, Direction: dir, Protocol: scenarios.ProtocolUDP, Ports: ports}
		if peer != "" {
			r.Peer = prefix(peer)
		}
		return r
	}
	port := func(min, max uint16) []scenarios.PortRange { return []scenarios.PortRange{{Min: min, Max: max}} }

	for _, tc := range []struct {
		name   string
		rules  []scenarios.FirewallRule
		probes []probe
		// After the probes, s2:5000 sends to the mapping of local port 4000
		// (full-cone NAT: accepted unless the firewall says no).
		unsolicitedOK bool
	}{
		{
			name:          "no rules",
			probes:        []probe{{4000, s1 + ":3478", true}, {4001, s2 + ":3478", true}},
			unsolicitedOK: true,
		},
		{
			name:          "outbound port is the far side's port",
			rules:         []scenarios.FirewallRule{drop(scenarios.DirectionOutbound, port(3478, 3478), "")},
			probes:        []probe{{4000, s1 + ":3479", true}, {4001, s1 + ":3478", false}, {4002, s2 + ":3478", false}},
			unsolicitedOK: true,
		},
		{
			name:          "outbound rule ignores the local port",
			rules:         []scenarios.FirewallRule{drop(scenarios.DirectionOutbound, port(4000, 4000), "")},
			probes:        []probe{{4000, s1 + ":3478", true}},
			unsolicitedOK: true,
		},
		{
			name:          "outbound peer",
			rules:         []scenarios.FirewallRule{drop(scenarios.DirectionOutbound, nil, s2+"/32")},
			probes:        []probe{{4000, s1 + ":3478", true}, {4001, s2 + ":3478", false}},
			unsolicitedOK: true, // inbound from s2 is not covered by an outbound rule
		},
		{
			name:          "inbound port is the inside port after NAT",
			rules:         []scenarios.FirewallRule{drop(scenarios.DirectionInbound, port(4001, 4001), "")},
			probes:        []probe{{4000, s1 + ":3478", true}, {4001, s1 + ":3478", false}},
			unsolicitedOK: true,
		},
		{
			name:          "inbound rule does not see the public mapped port",
			rules:         []scenarios.FirewallRule{drop(scenarios.DirectionInbound, port(49152, 65535), "")},
			probes:        []probe{{4000, s1 + ":3478", true}},
			unsolicitedOK: true,
		},
		{
			name:          "inbound peer blocks unsolicited traffic a full cone would accept",
			rules:         []scenarios.FirewallRule{drop(scenarios.DirectionInbound, nil, s2+"/32")},
			probes:        []probe{{4000, s1 + ":3478", true}},
			unsolicitedOK: false,
		},
		{
			name:          "both directions, port range",
			rules:         []scenarios.FirewallRule{drop(scenarios.DirectionBoth, port(3479, 3480), "")},
			probes:        []probe{{4000, s1 + ":3478", true}, {4001, s1 + ":3479", false}},
			unsolicitedOK: true,
		},
		{
			name: "first match wins",
			rules: []scenarios.FirewallRule{
				{Action: scenarios.ActionAllow, Direction: scenarios.DirectionOutbound, Protocol: scenarios.ProtocolAny, Peer: prefix(s1 + "/32")},
				drop(scenarios.DirectionBoth, nil, ""),
			},
			// s1 leaves; its answer is inbound, which only the drop-all matches.
			probes:        []probe{{4000, s1 + ":3478", false}, {4001, s2 + ":3478", false}},
			unsolicitedOK: false,
		},
		{
			name: "allow both ways before drop all",
			rules: []scenarios.FirewallRule{
				{Action: scenarios.ActionAllow, Peer: prefix(s1 + "/32")},
				drop("", nil, ""),
			},
			probes:        []probe{{4000, s1 + ":3478", true}, {4001, s2 + ":3478", false}},
			unsolicitedOK: false,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := lanNet(cone(ei, ei))
				n.Firewall = tc.rules
				s := lanWorld(n)
				s.Hosts["b"] = hostOn("lan", "192.168.1.11")
				w := start(t, s, Options{})
				for _, srv := range []string{"s1", "s2"} {
					for _, p := range []int{3478, 3479, 3480} {
						serveEcho(t, w, srv, p)
					}
				}
				unsolicited := listen(t, w, "s2", 5000)
				serveEcho(t, w, "b", 5000)

				conns := map[int]net.PacketConn{}
				var mapped4000 netip.AddrPort
				blocked := 0
				for _, p := range tc.probes {
					c := listen(t, w, "c", p.from)
					conns[p.from] = c
					o, ok := tryObserve(t, c, p.to)
					if ok != p.ok {
						t.Fatalf("probe %d -> %s answered=%v, want %v", p.from, p.to, ok, p.ok)
					}
					if !ok {
						blocked++
					}
					if p.from == 4000 && ok {
						mapped4000 = o
					}
				}
				if got := w.Stats().Routers["lan"].Dropped[DropFirewall]; (got > 0) != (blocked > 0) {
					t.Fatalf("firewall drops = %d with %d blocked probes", got, blocked)
				}

				// Unsolicited traffic to the mapping of port 4000 (known only
				// when its probe was answered).
				if mapped4000.IsValid() {
					send(t, unsolicited, mapped4000, "unsolicited")
					if _, _, ok := recv(t, conns[4000], time.Second); ok != tc.unsolicitedOK {
						t.Fatalf("unsolicited datagram from %s:5000 delivered=%v, want %v", s2, ok, tc.unsolicitedOK)
					}
				}

				// LAN traffic never crosses the firewall.
				lanConn := listen(t, w, "c", 4050)
				if _, ok := tryObserve(t, lanConn, "192.168.1.11:5000"); !ok {
					t.Fatalf("LAN traffic was blocked")
				}
			})
		})
	}
}
