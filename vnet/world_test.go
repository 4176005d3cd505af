package vnet

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/icelab/icelab/scenarios"
)

// cgnatWorld: phone behind home behind carrier, a neighbour directly on the
// carrier network, a lone host behind a one-to-one NAT, and a server "turn"
// on the internet.
func cgnatWorld() *scenarios.Scenario {
	return world(map[string]*scenarios.Network{
		"carrier": {Parent: scenarios.Internet, Subnet: prefix("100.64.0.0/24"), PublicIP: ip("100.0.0.2"), NAT: cone(apd, apd)},
		"home":    {Parent: "carrier", Subnet: prefix("192.168.1.0/24"), PublicIP: ip("100.64.0.2"), NAT: cone(ei, apd)},
		"dmz":     {Parent: scenarios.Internet, Subnet: prefix("10.9.0.0/24"), PublicIP: ip("27.1.1.9"), NAT: scenarios.NAT{OneToOne: true}},
	}, map[string]*scenarios.Host{
		"phone":    hostOn("home", "192.168.1.20"),
		"neighbor": hostOn("carrier", "100.64.0.9"),
		"box":      hostOn("dmz", "10.9.0.5"),
		"turn":     hostOn(scenarios.Internet, "50.0.0.2"),
	})
}

func TestAccessors(t *testing.T) {
	w, err := New(cgnatWorld(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	if w.Net("phone") == nil || w.Net("nobody") != nil {
		t.Fatal("Net: want a stack for phone and nil for an unknown host")
	}
	if got := w.HostIP("phone"); got != ip("192.168.1.20") {
		t.Fatalf("HostIP(phone) = %s", got)
	}
	if got := w.HostIP("nobody"); got.IsValid() {
		t.Fatalf("HostIP(nobody) = %s", got)
	}
	for host, want := range map[string][]netip.Addr{
		"phone":    {ip("100.64.0.2"), ip("100.0.0.2")},
		"neighbor": {ip("100.0.0.2")},
		"box":      {ip("27.1.1.9")},
		"turn":     nil,
		"nobody":   nil,
	} {
		if got := w.Reflexive(host); !slices.Equal(got, want) {
			t.Fatalf("Reflexive(%s) = %v, want %v", host, got, want)
		}
	}
	for addr, want := range map[string][]string{
		"100.0.0.2":    {"neighbor", "phone"},
		"100.64.0.2":   {"phone"},
		"27.1.1.9":     {"box"},
		"50.0.0.2":     nil,
		"192.168.1.20": nil,
	} {
		if got := w.HostsBehind(ip(addr)); !slices.Equal(got, want) {
			t.Fatalf("HostsBehind(%s) = %v, want %v", addr, got, want)
		}
	}
	for _, tc := range []struct {
		addr  string
		kind  string
		hosts []string
	}{
		{"192.168.1.20", scenarios.ReachHost, []string{"phone"}},
		{"50.0.0.2", scenarios.ReachHost, []string{"turn"}},
		{"100.64.0.2", scenarios.ReachReflexive, []string{"phone"}},
		{"100.0.0.2", scenarios.ReachReflexive, []string{"neighbor", "phone"}},
		{"8.8.8.8", "", nil},
	} {
		kind, hosts := w.Owner(ip(tc.addr))
		if kind != tc.kind || !slices.Equal(hosts, tc.hosts) {
			t.Fatalf("Owner(%s) = %q %v, want %q %v", tc.addr, kind, hosts, tc.kind, tc.hosts)
		}
	}
	st := w.Stats()
	for _, r := range []string{scenarios.Internet, "carrier", "home", "dmz"} {
		if _, ok := st.Routers[r]; !ok {
			t.Fatalf("Stats lacks router %q: %v", r, st)
		}
	}
	// Reflexive hands out a copy.
	w.Reflexive("phone")[0] = netip.Addr{}
	if w.Reflexive("phone")[0] != ip("100.64.0.2") {
		t.Fatal("Reflexive exposed internal state")
	}
}

// TestHostNamesResolve: every host name resolves from every host, so
// turn:NAME:3478 URLs work everywhere; a datagram sent by name arrives.
func TestHostNamesResolve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := start(t, cgnatWorld(), Options{})
		serveEcho(t, w, "turn", 3478)
		for _, from := range []string{"phone", "neighbor", "box", "turn"} {
			a, err := w.Net(from).ResolveUDPAddr("udp4", "turn:3478")
			if err != nil {
				t.Fatalf("%s resolving turn: %v", from, err)
			}
			if got := a.AddrPort(); got.Addr().Unmap() != ip("50.0.0.2") || got.Port() != 3478 {
				t.Fatalf("%s resolved turn to %s", from, a)
			}
		}
		if _, err := w.Net("phone").ResolveUDPAddr("udp4", "nobody:1"); err == nil {
			t.Fatal("an unknown name resolved")
		}
		c := listen(t, w, "phone", 4000)
		a, err := w.Net("phone").ResolveUDPAddr("udp4", "turn:3478")
		if err != nil {
			t.Fatal(err)
		}
		if o := observe(t, c, a.String()); o.Addr() != ip("100.0.0.2") {
			t.Fatalf("turn saw phone as %s", o)
		}
	})
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(s *scenarios.Scenario)
		want   string // substring of the error
	}{
		{"nil network", func(s *scenarios.Scenario) { s.Networks["x"] = nil }, `network "x"`},
		{"reserved name", func(s *scenarios.Scenario) { s.Networks[scenarios.Internet] = lanNet(cone(ei, ei)) }, `network "internet"`},
		{"unknown parent", func(s *scenarios.Scenario) { s.Networks["home"].Parent = "mars" }, `network "home": unknown parent "mars"`},
		{"parent loop", func(s *scenarios.Scenario) { s.Networks["carrier"].Parent = "home" }, "loops"},
		{"IPv6 subnet", func(s *scenarios.Scenario) { s.Networks["home"].Subnet = prefix("fd00::/64") }, `network "home": subnet`},
		{"public IP outside parent", func(s *scenarios.Scenario) { s.Networks["home"].PublicIP = ip("100.65.0.2") }, `network "home": public-ip 100.65.0.2 is outside parent "carrier"`},
		{"public IP inside own subnet", func(s *scenarios.Scenario) {
			s.Networks["dmz"].PublicIP = ip("10.9.0.1")
		}, `network "dmz": public-ip 10.9.0.1 lies inside its own subnet`},
		{"subnet overlaps ancestor", func(s *scenarios.Scenario) { s.Networks["home"].Subnet = prefix("100.64.0.128/25") }, `overlaps ancestor "carrier"`},
		{"public IP taken", func(s *scenarios.Scenario) { s.Networks["home"].PublicIP = ip("100.64.0.9") }, "already used"},
		{"host on unknown network", func(s *scenarios.Scenario) { s.Hosts["phone"].Network = "mars" }, `host "phone": unknown network "mars"`},
		{"host outside subnet", func(s *scenarios.Scenario) { s.Hosts["phone"].IP = ip("192.168.2.1") }, `host "phone": ip 192.168.2.1 is outside`},
		{"host without IP", func(s *scenarios.Scenario) { s.Hosts["phone"].IP = netip.Addr{} }, `host "phone"`},
		{"duplicate host IP", func(s *scenarios.Scenario) {
			s.Hosts["tablet"] = &scenarios.Host{Name: "tablet", Network: "home", IP: ip("192.168.1.20")}
		}, `already used by host "phone"`},
		{"one-to-one with two hosts", func(s *scenarios.Scenario) {
			s.Hosts["box2"] = &scenarios.Host{Name: "box2", Network: "dmz", IP: ip("10.9.0.6")}
		}, `network "dmz": one-to-one`},
		{"one-to-one without hosts", func(s *scenarios.Scenario) { delete(s.Hosts, "box") }, `network "dmz": one-to-one`},
		{"unknown mapping", func(s *scenarios.Scenario) { s.Networks["home"].NAT.Mapping = "random" }, `network "home": nat mapping`},
		{"unknown filtering", func(s *scenarios.Scenario) { s.Networks["home"].NAT.Filtering = "" }, `network "home": nat filtering`},
		{"negative lifetime", func(s *scenarios.Scenario) { s.Networks["home"].NAT.MappingLifetime = -time.Second }, `network "home": nat mapping-lifetime`},
		{"loss above 100", func(s *scenarios.Scenario) { s.Networks["home"].Link.Loss = 101 }, `network "home": link loss`},
		{"negative delay", func(s *scenarios.Scenario) { s.Networks["home"].Link.Delay = -time.Millisecond }, `network "home": link delay`},
		{"negative jitter", func(s *scenarios.Scenario) { s.Networks["home"].Link.Jitter = -time.Millisecond }, `network "home": link jitter`},
		{"firewall action", func(s *scenarios.Scenario) {
			s.Networks["home"].Firewall = []scenarios.FirewallRule{{Action: "reject"}}
		}, `network "home": firewall rule 1`},
		{"firewall direction", func(s *scenarios.Scenario) {
			s.Networks["home"].Firewall = []scenarios.FirewallRule{{Action: "drop"}, {Action: "drop", Direction: "sideways"}}
		}, `network "home": firewall rule 2`},
		{"firewall protocol", func(s *scenarios.Scenario) {
			s.Networks["home"].Firewall = []scenarios.FirewallRule{{Action: "drop", Protocol: "tcp"}}
		}, `protocol "tcp"`},
		{"firewall port range", func(s *scenarios.Scenario) {
			s.Networks["home"].Firewall = []scenarios.FirewallRule{{Action: "drop", Ports: []scenarios.PortRange{{Min: 9, Max: 1}}}}
		}, "port range 9-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cgnatWorld()
			tc.mutate(s)
			w, err := New(s, Options{})
			if err == nil {
				_ = w.Close()
				t.Fatalf("New accepted it")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Fatal("New(nil) succeeded")
	}
}

// TestLifecycle: Close is idempotent, works before Start, forbids a later
// Start, and leaves nothing behind even with datagrams held for delay
// (synctest panics at the end of the bubble if anything is still blocked).
func TestLifecycle(t *testing.T) {
	t.Run("close before start", func(t *testing.T) {
		w, err := New(cgnatWorld(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Start(); !errors.Is(err, ErrClosed) {
			t.Fatalf("Start after Close: %v", err)
		}
	})
	t.Run("double start", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w := start(t, cgnatWorld(), Options{})
			if err := w.Start(); err == nil {
				t.Fatal("second Start succeeded")
			}
		})
	})
	t.Run("close with traffic in flight", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := cgnatWorld()
			s.Networks["home"].Link = scenarios.Link{Delay: 100 * time.Millisecond, Jitter: 50 * time.Millisecond, Loss: 10}
			s.Networks["carrier"].Link = scenarios.Link{Delay: 30 * time.Millisecond}
			w, err := New(s, Options{Capture: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Start(); err != nil {
				t.Fatal(err)
			}
			srv, err := w.Net("turn").ListenPacket("udp4", "50.0.0.2:3478")
			if err != nil {
				t.Fatal(err)
			}
			c, err := w.Net("phone").ListenPacket("udp4", "0.0.0.0:4000")
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { // a sender racing Close
				defer close(done)
				for i := 0; i < 500; i++ {
					if _, err := c.WriteTo([]byte("x"), &net.UDPAddr{IP: net.IPv4(50, 0, 0, 2), Port: 3478}); err != nil {
						return
					}
					if i%50 == 0 {
						time.Sleep(10 * time.Millisecond)
					}
				}
			}()
			time.Sleep(25 * time.Millisecond) // some datagrams are held on the home link now
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			<-done
			before := w.Stats()
			time.Sleep(time.Second) // nothing held for delay may be delivered any more
			if after := w.Stats(); after.Routers["home"].Forwarded != before.Routers["home"].Forwarded {
				t.Fatalf("home kept forwarding after Close: %v -> %v", before, after)
			}
			_ = c.Close()
			_ = srv.Close()
		})
	})
}
