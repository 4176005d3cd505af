package natprobe

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/stun/v3"
	"github.com/pion/transport/v3"

	"github.com/icelab/icelab/scenarios"
	"github.com/icelab/icelab/vnet"
)

// flat is a world without NAT: two server hosts and a client, all on the
// internet, so every address the server reports can be checked exactly.
func flat(t *testing.T) (*vnet.World, *Server) {
	t.Helper()
	s := &scenarios.Scenario{Version: 1, Name: "flat", Hosts: map[string]*scenarios.Host{
		"a": {Name: "a", Network: scenarios.Internet, IP: netip.MustParseAddr("1.2.3.4")},
		"b": {Name: "b", Network: scenarios.Internet, IP: netip.MustParseAddr("1.2.3.5")},
		"c": {Name: "c", Network: scenarios.Internet, IP: netip.MustParseAddr("5.6.7.8")},
	}}
	w, err := vnet.New(s, vnet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(ServerConfig{
		Nets: [2]transport.Net{w.Net("a"), w.Net("b")},
		IPs:  [2]netip.Addr{w.HostIP("a"), w.HostIP("b")},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return w, srv
}

func TestServerAnswersFromRequestedAddress(t *testing.T) {
	a1p1 := netip.MustParseAddrPort("1.2.3.4:3478")
	a1p2 := netip.MustParseAddrPort("1.2.3.4:3479")
	a2p1 := netip.MustParseAddrPort("1.2.3.5:3478")
	a2p2 := netip.MustParseAddrPort("1.2.3.5:3479")
	tests := []struct {
		name       string
		to         netip.AddrPort
		change     ChangeRequest
		wantOrigin netip.AddrPort
		wantOther  netip.AddrPort
	}{
		{"plain", a1p1, ChangeRequest{}, a1p1, a2p2},
		{"change port", a1p1, ChangeRequest{Port: true}, a1p2, a2p2},
		{"change ip", a1p1, ChangeRequest{IP: true}, a2p1, a2p2},
		{"change both", a1p1, ChangeRequest{IP: true, Port: true}, a2p2, a2p2},
		{"alternate, plain", a2p2, ChangeRequest{}, a2p2, a1p1},
		{"alternate ip, change both", a2p1, ChangeRequest{IP: true, Port: true}, a1p2, a1p2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w, srv := flat(t)
				if srv.Primary() != a1p1 || srv.Addr(1, 1) != a2p2 {
					t.Fatalf("server addresses %s, %s", srv.Primary(), srv.Addr(1, 1))
				}
				c, err := openSocket(w.Net("c"), w.HostIP("c"))
				if err != nil {
					t.Fatal(err)
				}
				defer c.close()
				r := retry{rto: DefaultRTO, tries: 1}
				b, ok, err := r.bind(t.Context(), c, tt.to, tt.change)
				if err != nil || !ok {
					t.Fatalf("no response: %v", err)
				}
				if b.mapped != c.local {
					t.Errorf("XOR-MAPPED-ADDRESS %s, want the client's own %s", b.mapped, c.local)
				}
				if b.from != tt.wantOrigin || b.origin != tt.wantOrigin {
					t.Errorf("response from %s claiming RESPONSE-ORIGIN %s, want %s", b.from, b.origin, tt.wantOrigin)
				}
				if b.other != tt.wantOther {
					t.Errorf("OTHER-ADDRESS %s, want %s", b.other, tt.wantOther)
				}
			})
		})
	}
}

func TestServerResponsePort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, srv := flat(t)
		x, err := openSocket(w.Net("c"), w.HostIP("c"))
		if err != nil {
			t.Fatal(err)
		}
		defer x.close()
		y, err := openSocket(w.Net("c"), w.HostIP("c"))
		if err != nil {
			t.Fatal(err)
		}
		defer y.close()
		req, err := request(ResponsePort(x.local.Port()))
		if err != nil {
			t.Fatal(err)
		}
		r := retry{rto: DefaultRTO, tries: 1}
		d, ok, err := r.transact(t.Context(), y, srv.Primary(), req, x)
		if err != nil || !ok {
			t.Fatalf("the response did not reach the RESPONSE-PORT socket: %v", err)
		}
		b, err := parseBinding(d)
		if err != nil {
			t.Fatal(err)
		}
		if b.mapped != y.local {
			t.Errorf("XOR-MAPPED-ADDRESS %s, want the sender %s", b.mapped, y.local)
		}
		if len(y.stray) != 0 {
			t.Errorf("the sender got %d datagrams too", len(y.stray))
		}
	})
}

func TestServerIgnoresGarbage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, srv := flat(t)
		c, err := openSocket(w.Net("c"), w.HostIP("c"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.close()
		indication := stun.MustBuild(stun.TransactionID, stun.NewType(stun.MethodBinding, stun.ClassIndication))
		for _, junk := range [][]byte{[]byte("hello"), make([]byte, 20), indication.Raw} {
			if err := c.send(srv.Primary(), junk); err != nil {
				t.Fatal(err)
			}
		}
		if _, ok, _ := c.await([12]byte{}, time.Now().Add(time.Second)); ok {
			t.Error("the server answered garbage")
		}
		if _, ok, err := (retry{rto: DefaultRTO, tries: 1}).bind(t.Context(), c, srv.Primary()); err != nil || !ok {
			t.Fatalf("the server stopped answering after garbage: %v", err)
		}
	})
}

func TestNewServerRejectsBadConfig(t *testing.T) {
	ip1, ip2 := netip.MustParseAddr("1.2.3.4"), netip.MustParseAddr("1.2.3.5")
	tests := []struct {
		name string
		cfg  ServerConfig
	}{
		{"same IP twice", ServerConfig{IPs: [2]netip.Addr{ip1, ip1}}},
		{"same port twice", ServerConfig{IPs: [2]netip.Addr{ip1, ip2}, Ports: [2]uint16{5, 5}}},
		{"no stacks", ServerConfig{IPs: [2]netip.Addr{ip1, ip2}}},
		{"IPv6", ServerConfig{IPs: [2]netip.Addr{ip1, netip.MustParseAddr("::1")}}},
	}
	for _, tt := range tests {
		if _, err := NewServer(tt.cfg); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}
