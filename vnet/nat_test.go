package vnet

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/icelab/icelab/scenarios"
)

// TestNATBehaviour checks every mapping x filtering combination on the wire.
//
// Mapping: one socket probes s1:3478, s1:3479 and s2:3478 and compares the
// source addresses the echo servers saw. Filtering: a fresh socket opens a
// mapping towards s1:3478 only, then s1:3478 (control), s1:3479 (same IP,
// other port) and s2:3478 (other IP) send to the mapped address.
func TestNATBehaviour(t *testing.T) {
	for _, m := range []scenarios.Behavior{ei, ad, apd} {
		for _, f := range []scenarios.Behavior{ei, ad, apd} {
			t.Run(fmt.Sprintf("mapping=%s/filtering=%s", m, f), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					w := start(t, lanWorld(lanNet(cone(m, f))), Options{})
					a1 := serveEcho(t, w, "s1", 3478)
					a2 := serveEcho(t, w, "s1", 3479)
					b1 := serveEcho(t, w, "s2", 3478)

					c := listen(t, w, "c", 4000)
					o1 := observe(t, c, s1+":3478")
					o2 := observe(t, c, s1+":3479")
					o3 := observe(t, c, s2+":3478")
					for _, o := range []netip.AddrPort{o1, o2, o3} {
						if o.Addr() != ip(natPub) {
							t.Fatalf("observed %s, want the NAT's public IP %s", o, natPub)
						}
						if o.Port() == 4000 {
							t.Fatalf("observed %s: NAPT kept the host port", o)
						}
					}
					sameOtherPort, sameOtherIP := o1 == o2, o1 == o3
					wantOtherPort, wantOtherIP := m != apd, m == ei
					if sameOtherPort != wantOtherPort || sameOtherIP != wantOtherIP || (m == apd && o2 == o3) {
						t.Fatalf("mapping %s: s1:3478 -> %s, s1:3479 -> %s, s2:3478 -> %s", m, o1, o2, o3)
					}

					d := listen(t, w, "c", 4001)
					mapped := observe(t, d, s1+":3478")
					send(t, a1, mapped, "control")
					send(t, a2, mapped, "other-port")
					send(t, b1, mapped, "other-ip")
					got := drain(t, d, time.Second)
					want := []string{"control"}
					if f != apd {
						want = append(want, "other-port")
					}
					if f == ei {
						want = append(want, "other-ip")
					}
					slices.Sort(got)
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Fatalf("filtering %s: received %q, want %q", f, got, want)
					}
				})
			})
		}
	}
}

// TestOneToOne: the public port equals the host port and unsolicited
// datagrams from anyone reach the host.
func TestOneToOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := lanNet(scenarios.NAT{OneToOne: true, Hairpinning: true})
		w := start(t, lanWorld(n), Options{})
		serveEcho(t, w, "s1", 3478)
		b1 := serveEcho(t, w, "s2", 3478)

		c := listen(t, w, "c", 4000)
		if got, want := observe(t, c, s1+":3478"), ap(natPub+":4000"); got != want {
			t.Fatalf("observed %s, want %s (port kept)", got, want)
		}
		quiet := listen(t, w, "c", 4001) // has never sent anything
		send(t, b1, ap(natPub+":4001"), "unsolicited")
		b, from, ok := recv(t, quiet, time.Second)
		if !ok || string(b) != "unsolicited" || from != ap(s2+":3478") {
			t.Fatalf("unsolicited datagram: got %q from %s (ok=%v)", b, from, ok)
		}
	})
}

// TestHairpin: two hosts behind one full-cone NAT reach each other through
// the NAT's public address only when hairpinning is on.
func TestHairpin(t *testing.T) {
	for _, hairpin := range []bool{true, false} {
		t.Run(fmt.Sprintf("hairpinning=%v", hairpin), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				nat := cone(ei, ei)
				nat.Hairpinning = hairpin
				s := lanWorld(lanNet(nat))
				s.Hosts["b"] = &scenarios.Host{Name: "b", Network: "lan", IP: ip("192.168.1.11")}
				w := start(t, s, Options{})
				serveEcho(t, w, "s1", 3478)

				a := listen(t, w, "c", 4000)
				b := listen(t, w, "b", 4000)
				ma := observe(t, a, s1+":3478")
				mb := observe(t, b, s1+":3478")

				send(t, a, mb, "via-public")
				p, from, ok := recv(t, b, time.Second)
				if ok != hairpin {
					t.Fatalf("hairpinned datagram delivered=%v, want %v", ok, hairpin)
				}
				if ok && (string(p) != "via-public" || from != ma) {
					t.Fatalf("hairpinned datagram %q from %s, want from %s", p, from, ma)
				}
				wantDrops := uint64(0)
				if !hairpin {
					wantDrops = 1
				}
				if got := w.Stats().Routers[scenarios.Internet].Dropped[DropHairpin]; got != wantDrops {
					t.Fatalf("internet hairpin drops = %d, want %d", got, wantDrops)
				}

				// The LAN path is unaffected either way.
				send(t, a, ap("192.168.1.11:4000"), "via-lan")
				if p, from, ok := recv(t, b, time.Second); !ok || string(p) != "via-lan" || from != ap("192.168.1.10:4000") {
					t.Fatalf("LAN datagram %q from %s (ok=%v)", p, from, ok)
				}
			})
		})
	}
}

// TestMappingLifetime: a mapping idle (outbound) longer than its lifetime
// stops accepting inbound datagrams and the next outbound datagram gets a new
// port; outbound traffic refreshes it; inbound traffic does not.
func TestMappingLifetime(t *testing.T) {
	for _, tc := range []struct {
		name    string
		refresh bool // send outbound every 4s, else only receive
	}{
		{"idle", false},
		{"refreshed", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				nat := cone(ei, apd)
				nat.MappingLifetime = 10 * time.Second
				w := start(t, lanWorld(lanNet(nat)), Options{})
				srv := serveEcho(t, w, "s1", 3478)
				c := listen(t, w, "c", 4000)

				// t=0 mapping created, expires at t=10 unless refreshed.
				m1 := observe(t, c, s1+":3478")
				for range 2 { // t=4, t=8
					time.Sleep(4 * time.Second)
					if tc.refresh {
						if m := observe(t, c, s1+":3478"); m != m1 {
							t.Fatalf("refresh moved the mapping %s -> %s", m1, m)
						}
						continue
					}
					// Still alive; inbound traffic must not refresh it.
					send(t, srv, m1, "inbound")
					if _, _, ok := recv(t, c, time.Second); !ok {
						t.Fatalf("inbound datagram within the lifetime was dropped")
					}
				}
				time.Sleep(4 * time.Second) // t=12: 12s idle, or 4s since the last refresh
				send(t, srv, m1, "late")
				if _, _, ok := recv(t, c, time.Second); ok != tc.refresh {
					t.Fatalf("inbound at t=12s delivered=%v, want %v", ok, tc.refresh)
				}
				m2 := observe(t, c, s1+":3478")
				if (m2 == m1) != tc.refresh {
					t.Fatalf("mapping after idle period: %s then %s", m1, m2)
				}
			})
		})
	}
}

// TestNestedNAT: a host behind a home router behind a CGNAT is translated
// twice; the outer (symmetric) NAT picks a port per destination while the
// inner (endpoint-independent) one keeps one.
func TestNestedNAT(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := world(map[string]*scenarios.Network{
			"carrier": {Parent: scenarios.Internet, Subnet: prefix("100.64.0.0/24"), PublicIP: ip("100.0.0.2"), NAT: cone(apd, apd)},
			"home":    {Parent: "carrier", Subnet: prefix("192.168.1.0/24"), PublicIP: ip("100.64.0.2"), NAT: cone(ei, apd)},
		}, map[string]*scenarios.Host{
			"phone": hostOn("home", "192.168.1.20"),
			"s1":    hostOn(scenarios.Internet, s1),
			"s2":    hostOn(scenarios.Internet, s2),
		})
		w := start(t, s, Options{Capture: true})
		serveEcho(t, w, "s1", 3478)
		serveEcho(t, w, "s2", 3478)

		if got, want := w.Reflexive("phone"), []netip.Addr{ip("100.64.0.2"), ip("100.0.0.2")}; !slices.Equal(got, want) {
			t.Fatalf("Reflexive(phone) = %v, want %v", got, want)
		}
		c := listen(t, w, "phone", 4000)
		o1 := observe(t, c, s1+":3478")
		o2 := observe(t, c, s2+":3478")
		if o1.Addr() != ip("100.0.0.2") || o2.Addr() != ip("100.0.0.2") || o1.Port() == o2.Port() {
			t.Fatalf("observed %s and %s; want the carrier's IP with two ports", o1, o2)
		}

		// Follow the probes router by router.
		srcAt := map[string][]netip.AddrPort{}
		for _, p := range w.Packets() {
			if string(p.Payload) == "probe" {
				srcAt[p.Router] = append(srcAt[p.Router], p.Src)
			}
		}
		home, carrier, inet := srcAt["home"], srcAt["carrier"], srcAt[scenarios.Internet]
		if len(home) != 2 || len(carrier) != 2 || len(inet) != 2 {
			t.Fatalf("probe seen at home %v, carrier %v, internet %v; want twice each", home, carrier, inet)
		}
		if home[0] != ap("192.168.1.20:4000") || home[1] != home[0] {
			t.Fatalf("home router saw %v, want the private address", home)
		}
		if carrier[0].Addr() != ip("100.64.0.2") || carrier[1] != carrier[0] {
			t.Fatalf("carrier router saw %v, want one home mapping (EIM)", carrier)
		}
		if inet[0] != o1 || inet[1] != o2 {
			t.Fatalf("internet saw %v, want %s and %s", inet, o1, o2)
		}
	})
}
