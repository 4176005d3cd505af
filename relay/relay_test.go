package relay

import (
	"bytes"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/logging"

	"github.com/icelab/icelab/scenarios"
)

// allocatePorts allocates n relays from n clients and returns their relayed
// addresses.
func allocatePorts(t *testing.T, w *world, n int) []netip.AddrPort {
	t.Helper()
	var out []netip.AddrPort
	for range n {
		rc := w.dial(t, w.client, "alice", "secret").allocate(t)
		out = append(out, netAddrPort(t, rc.LocalAddr()))
	}
	return out
}

func TestRelayPortsStayInRange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, false)
		cfg := relayCfg(users("alice", "secret"))
		cfg.RelayPorts = scenarios.PortRange{Min: 50000, Max: 50007}
		s := w.start(t, cfg, 7)

		got := allocatePorts(t, w, 8) // the whole range
		seen := map[uint16]bool{}
		for _, a := range got {
			if a.Addr() != serverIP || !cfg.RelayPorts.Contains(a.Port()) || seen[a.Port()] {
				t.Errorf("relayed %v: want %v:50000-50007, each port once (all: %v)", a, serverIP, got)
			}
			seen[a.Port()] = true
		}

		// The range is full: the next Allocate gets 508.
		c := w.dial(t, w.client, "alice", "secret")
		if rc, err := c.Allocate(); err == nil {
			t.Errorf("allocation %v beyond a full range succeeded", rc.LocalAddr())
			_ = rc.Close()
		}
		if !logHas(s, "Allocate error response 508 Insufficient Capacity") ||
			!logHas(s, "WARN relay: relay socket allocation failed (ports 50000-50007") {
			t.Error("log does not show the exhausted range")
		}
	})
}

func TestRelayPortsRepeatWithSeed(t *testing.T) {
	run := func(seed int64) (ports []netip.AddrPort) {
		synctest.Test(t, func(t *testing.T) {
			w := newWorld(t, false)
			w.start(t, relayCfg(users("alice", "secret")), seed)
			ports = allocatePorts(t, w, 5)
		})
		return ports
	}
	a, b, c := run(42), run(42), run(43)
	if !slices.Equal(a, b) {
		t.Errorf("seed 42 gave %v then %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 42 and 43 both gave %v", a)
	}
}

// TestExternalIP puts the relay host behind a cloud-style 1:1 NAT: the relay
// sockets are bound to the private host IP, the advertised relayed address is
// the public one, and data flows both ways through the NAT.
func TestExternalIP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		cfg := relayCfg(users("alice", "secret"))
		cfg.ExternalIP = cloudPub
		s := w.start(t, cfg, 1)

		c := w.dial(t, w.client, "alice", "secret")
		rc := c.allocate(t)
		relayed := netAddrPort(t, rc.LocalAddr())
		if relayed.Addr() != cloudPub {
			t.Fatalf("XOR-RELAYED-ADDRESS = %v, want %v:<port>", relayed, cloudPub)
		}
		if a := s.Allocations(); len(a) != 1 || a[0].Relayed != relayed {
			t.Errorf("Allocations = %+v, want relayed %v", a, relayed)
		}
		bound := netip.AddrPortFrom(cloudPriv, relayed.Port())
		if !logHas(s, "relay socket bound "+bound.String()+" advertised "+relayed.String()) {
			t.Errorf("log does not show the socket bound to %v", bound)
		}

		peer, err := w.peer.ListenPacket("udp4", netip.AddrPortFrom(peerIP, 7000).String())
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		peerAddr := udpAddr(netip.AddrPortFrom(peerIP, 7000))
		if err := c.CreatePermission(peerAddr); err != nil {
			t.Fatalf("CreatePermission: %v", err)
		}

		// Client -> relay -> peer: leaves through the 1:1 NAT from the public address.
		if _, err := rc.WriteTo([]byte("hello"), peerAddr); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1500)
		_ = peer.SetReadDeadline(deadline())
		n, from, err := peer.ReadFrom(buf)
		if err != nil {
			t.Fatalf("peer read: %v", err)
		}
		if string(buf[:n]) != "hello" || netAddrPort(t, from) != relayed {
			t.Errorf("peer got %q from %v, want %q from %v", buf[:n], from, "hello", relayed)
		}

		// Peer -> public relayed address -> 1:1 NAT -> relay socket -> client.
		if _, err := peer.WriteTo([]byte("world"), from); err != nil {
			t.Fatal(err)
		}
		_ = rc.SetReadDeadline(deadline())
		n, from, err = rc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("client read: %v", err)
		}
		if string(buf[:n]) != "world" || netAddrPort(t, from) != netip.AddrPortFrom(peerIP, 7000) {
			t.Errorf("client got %q from %v, want %q from %v:7000", buf[:n], from, "world", peerIP)
		}
	})
}

func TestDenyPeers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, false)
		cfg := relayCfg(users("alice", "secret"))
		cfg.DenyPeers = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
		s := w.start(t, cfg, 1)
		c := w.dial(t, w.client, "alice", "secret")
		c.allocate(t)

		tests := []struct {
			peer    string
			allowed bool
			cidr    string
		}{
			{peer: "10.1.2.3:5000", cidr: "10.0.0.0/8"},
			{peer: "127.0.0.1:80", cidr: "127.0.0.0/8"},
			{peer: "6.6.6.6:7000", allowed: true},
			{peer: "192.168.0.9:5000", allowed: true},
		}
		for _, tt := range tests {
			err := c.CreatePermission(udpAddr(netip.MustParseAddrPort(tt.peer)))
			if tt.allowed != (err == nil) {
				t.Errorf("CreatePermission(%s): err = %v, want allowed=%v", tt.peer, err, tt.allowed)
			}
			ip := netip.MustParseAddrPort(tt.peer).Addr().String()
			denied := logHas(s, "INFO relay: permission denied for client 27.1.1.1:", "to peer "+ip+" (deny-peers "+tt.cidr+")")
			if denied == tt.allowed {
				t.Errorf("peer %s: deny line logged = %v, want %v", tt.peer, denied, !tt.allowed)
			}
		}
	})
}

func TestDenyPeersUnmapsIPv4InIPv6(t *testing.T) {
	var buf logBuffer
	log := (&captureFactory{buf: &buf}).NewLogger("relay")
	h := denyPeers([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, log)
	client := &net.UDPAddr{IP: net.IPv4(27, 1, 1, 1), Port: 5000}
	for _, tt := range []struct {
		ip   string
		want bool
	}{
		{"::ffff:127.0.0.1", false},
		{"127.255.255.254", false},
		{"6.6.6.6", true},
		{"::1", true}, // only 127.0.0.0/8 is listed
	} {
		if got := h(client, net.ParseIP(tt.ip)); got != tt.want {
			t.Errorf("permission for %s = %v, want %v", tt.ip, got, tt.want)
		}
	}
	if denyPeers(nil, log) != nil {
		t.Error("no deny-peers should leave pion's allow-all default (nil handler)")
	}
}

// TestRevokeAllThenRefresh reproduces Screego's teardown: credentials are
// removed while an allocation is alive; the client's closing Refresh
// (lifetime 0) is refused with "no such user exists" and the allocation
// lives on until its lifetime ends.
func TestRevokeAllThenRefresh(t *testing.T) {
	for _, tt := range []struct {
		name string
		auth *scenarios.RelayAuth
		user string // "" = from Credentials
	}{
		{name: "long-term", auth: users("alice", "secret")},
		{name: "rest", auth: &scenarios.RelayAuth{Secret: "s3cr3t", TTL: 24 * time.Hour}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorld(t, false)
				s := w.start(t, relayCfg(tt.auth), 1)
				user, pass, ok := s.Credentials()
				if !ok {
					t.Fatal("no credentials")
				}
				c := w.dial(t, w.client, user, pass)
				rc, err := c.Allocate()
				if err != nil {
					t.Fatal(err)
				}

				s.RevokeAll()
				if _, _, ok := s.Credentials(); ok {
					t.Error("Credentials after RevokeAll: ok")
				}
				if err := rc.Close(); err != nil { // Refresh(lifetime 0), not awaited
					t.Fatal(err)
				}
				synctest.Wait() // the Refresh has reached the server and been answered

				if !logHas(s, "DEBUG turn: Failed to handle datagram", "Refresh-request", "no such user exists "+user) {
					t.Errorf(`log has no "no such user exists %s" for the Refresh`, user)
				}
				if !logHas(s, "INFO relay: Refresh error response 400 Bad Request to 27.1.1.1:") {
					t.Error("log does not show the 400 sent for the Refresh")
				}
				if n := s.AllocationCount(); n != 1 {
					t.Fatalf("AllocationCount after refused deallocation = %d, want 1 (leaked)", n)
				}
				// The leaked allocation ends with its lifetime (pion default 10 min).
				time.Sleep(10*time.Minute + time.Second)
				if n := s.AllocationCount(); n != 0 {
					t.Errorf("AllocationCount after the lifetime = %d, want 0", n)
				}
				a := s.Allocations()
				if len(a) != 1 || a[0].Deleted.Sub(a[0].Created) != 10*time.Minute {
					t.Errorf("allocation = %+v, want deleted 10m after creation", a)
				}
				// A new Allocate is refused too.
				if rc, err := w.dial(t, w.client, user, pass).Allocate(); err == nil {
					_ = rc.Close()
					t.Error("allocate after RevokeAll succeeded")
				}
			})
		})
	}
}

func TestCloseLeavesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, false)
		cfg := relayCfg(users("alice", "secret"))
		cfg.RelayPorts = scenarios.PortRange{Min: 50000, Max: 50001}
		s, err := Start("turn", cfg, Options{Net: w.server, HostIP: serverIP, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		relayed := allocatePorts(t, w, 2)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		if n := s.AllocationCount(); n != 0 {
			t.Errorf("AllocationCount after Close = %d, want 0", n)
		}
		for _, a := range s.Allocations() {
			if a.Deleted.IsZero() {
				t.Errorf("allocation %v not deleted by Close", a.Relayed)
			}
		}
		// Every socket is released: the listening port and both relay ports
		// can be bound again.
		for _, a := range append([]netip.AddrPort{s.Addr()}, relayed...) {
			c, err := w.server.ListenPacket("udp4", a.String())
			if err != nil {
				t.Errorf("%v still bound after Close: %v", a, err)
				continue
			}
			_ = c.Close()
		}
		// synctest fails the test if any goroutine is left blocked.
	})
}

func TestStartErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, false)
		ok := Options{Net: w.server, HostIP: serverIP}
		tests := []struct {
			name string
			cfg  *scenarios.Relay
			opts Options
			want string
		}{
			{"nil config", nil, ok, "no configuration"},
			{"nil net", relayCfg(nil), Options{HostIP: serverIP}, "Net is nil"},
			{"no host ip", relayCfg(nil), Options{Net: w.server}, "host IP"},
			{"empty auth", relayCfg(&scenarios.RelayAuth{}), ok, "neither users nor secret"},
			{"inverted ports", func() *scenarios.Relay {
				c := relayCfg(users("a", "b"))
				c.RelayPorts = scenarios.PortRange{Min: 6000, Max: 5000}
				return c
			}(), ok, "relay-ports 6000-5000"},
			{"ipv6 external", func() *scenarios.Relay {
				c := relayCfg(users("a", "b"))
				c.ExternalIP = netip.MustParseAddr("2001:db8::1")
				return c
			}(), ok, "external-ip"},
			{"foreign host ip", relayCfg(nil), Options{Net: w.server, HostIP: peerIP}, "listen 6.6.6.6:3478"},
		}
		for _, tt := range tests {
			s, err := Start("turn", tt.cfg, tt.opts)
			if err == nil {
				_ = s.Close()
				t.Errorf("%s: Start succeeded", tt.name)
				continue
			}
			if !strings.Contains(err.Error(), `relay "turn": `) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error %q, want relay name and %q", tt.name, err, tt.want)
			}
		}

		// The port is taken by a first server.
		w.start(t, relayCfg(nil), 1)
		if s, err := Start("second", relayCfg(nil), ok); err == nil {
			_ = s.Close()
			t.Error("second server on the same port started")
		}
	})
}

func TestDefaultsFilled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, false)
		s := w.start(t, &scenarios.Relay{Auth: users("alice", "secret")}, 1)
		if s.Addr() != netip.AddrPortFrom(serverIP, 3478) || s.Name() != "turn" {
			t.Errorf("Addr/Name = %v/%s, want %v:3478/turn", s.Addr(), s.Name(), serverIP)
		}
		rc := w.dial(t, w.client, "alice", "secret").allocate(t)
		if p := netAddrPort(t, rc.LocalAddr()).Port(); p < 49152 {
			t.Errorf("relayed port %d outside the default range 49152-65535", p)
		}
		if !logHas(s, `realm="icelab"`) {
			t.Error("default realm not used")
		}
	})
}

// syncBuffer is a bytes.Buffer safe for pion's loggers writing from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogCapturesEveryLevelAndForwardsAtFactoryLevel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, false)
		var out syncBuffer
		f := logging.NewDefaultLoggerFactory()
		f.Writer, f.DefaultLogLevel = &out, logging.LogLevelInfo
		s, err := Start("edge", relayCfg(users("alice", "secret")), Options{Net: w.server, HostIP: serverIP, LoggerFactory: f})
		if err != nil {
			t.Fatal(err)
		}
		rc := w.dial(t, w.client, "alice", "secret").allocate(t)
		_ = rc.Close()
		synctest.Wait()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}

		var levels = map[string]bool{}
		for _, l := range s.Log() {
			levels[strings.SplitN(l, " ", 2)[0]] = true
		}
		if !levels["DEBUG"] || !levels["INFO"] {
			t.Errorf("captured levels %v, want DEBUG and INFO", levels)
		}
		fwd := out.String()
		if !strings.Contains(fwd, "relay edge: allocation created") {
			t.Errorf("info line not forwarded with the relay name:\n%s", fwd)
		}
		if strings.Contains(fwd, "Received AllocateRequest") {
			t.Errorf("debug line forwarded to an info-level factory:\n%s", fwd)
		}
	})
}

func TestLogBufferBounded(t *testing.T) {
	var b logBuffer
	for i := range maxLogLines + 5 {
		b.add(strings.Repeat("x", i%3) + "line")
	}
	got := b.snapshot()
	if len(got) != maxLogLines+1 || !strings.Contains(got[0], "5 earlier log lines dropped") {
		t.Fatalf("snapshot has %d lines, first %q; want %d with a dropped note", len(got), got[0], maxLogLines+1)
	}
	b.add("newest")
	got = b.snapshot()
	if got[len(got)-1] != "newest" || !strings.Contains(got[0], "6 earlier") {
		t.Errorf("last %q first %q, want newest last and 6 dropped", got[len(got)-1], got[0])
	}
}

func TestMaxRetries(t *testing.T) {
	for _, tt := range []struct {
		min, max uint16
		want     int
	}{{50000, 50000, 10}, {50000, 50004, 40}, {50000, 50200, 1000}, {49152, 65535, 1000}} {
		if got := maxRetries(tt.min, tt.max); got != tt.want {
			t.Errorf("maxRetries(%d, %d) = %d, want %d", tt.min, tt.max, got, tt.want)
		}
	}
}
