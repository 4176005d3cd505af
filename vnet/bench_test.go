package vnet

import (
	"testing"

	"github.com/icelab/icelab/scenarios"
)

// BenchmarkWorldLifecycle builds, starts and closes a two-network world (a
// home behind a CGNAT, with a firewall and a delayed link) with two hosts.
func BenchmarkWorldLifecycle(b *testing.B) {
	s := world(map[string]*scenarios.Network{
		"carrier": {Parent: scenarios.Internet, Subnet: prefix("100.64.0.0/24"), PublicIP: ip("100.0.0.2"), NAT: cone(apd, apd)},
		"home": {Parent: "carrier", Subnet: prefix("192.168.1.0/24"), PublicIP: ip("100.64.0.2"), NAT: cone(ei, apd),
			Link:     scenarios.Link{Delay: 20e6, Loss: 1},
			Firewall: []scenarios.FirewallRule{{Action: scenarios.ActionDrop, Direction: scenarios.DirectionOutbound, Ports: []scenarios.PortRange{{Min: 3478, Max: 3478}}}}},
	}, map[string]*scenarios.Host{
		"phone": hostOn("home", "192.168.1.20"),
		"turn":  hostOn(scenarios.Internet, "50.0.0.2"),
	})
	b.ReportAllocs()
	for b.Loop() {
		w, err := New(s, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Start(); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDatagram is the cost of one datagram from a host behind a NAT
// with a firewall rule to a server on the internet: two router hops, both
// taps, one NAT translation, real (not virtual) time.
func BenchmarkDatagram(b *testing.B) {
	for _, capture := range []bool{false, true} {
		b.Run(map[bool]string{false: "plain", true: "capture"}[capture], func(b *testing.B) {
			n := lanNet(cone(ei, apd))
			n.Firewall = []scenarios.FirewallRule{{Action: scenarios.ActionDrop, Direction: scenarios.DirectionOutbound, Ports: []scenarios.PortRange{{Min: 9999, Max: 9999}}}}
			w, err := New(lanWorld(n), Options{Capture: capture})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			if err := w.Start(); err != nil {
				b.Fatal(err)
			}
			sink, err := w.Net("s1").ListenPacket("udp4", s1+":9")
			if err != nil {
				b.Fatal(err)
			}
			defer sink.Close()
			c, err := w.Net("c").ListenPacket("udp4", "192.168.1.10:4000")
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			to := udpAddr(s1 + ":9")
			payload := make([]byte, 1200)
			buf := make([]byte, 1500)
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				if _, err := c.WriteTo(payload, to); err != nil {
					b.Fatal(err)
				}
				if _, _, err := sink.ReadFrom(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
