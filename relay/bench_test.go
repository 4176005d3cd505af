package relay

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/pion/stun/v3"
	"github.com/pion/turn/v4"
)

// BenchmarkAllocate measures one authenticated Allocate round trip (the 401
// challenge, then the authenticated request) through vnet, in real time.
// Each iteration uses a fresh client socket and deallocates outside the timer.
func BenchmarkAllocate(b *testing.B) {
	w := newWorld(b, false)
	s := w.start(b, relayCfg(users("alice", "secret")), 1)
	server := netip.AddrPortFrom(w.public, 3478).String()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		conn, err := w.client.ListenPacket("udp4", "0.0.0.0:0")
		if err != nil {
			b.Fatal(err)
		}
		c, err := turn.NewClient(&turn.ClientConfig{
			TURNServerAddr: server, Username: "alice", Password: "secret", Conn: conn, Net: w.client,
			LoggerFactory: quietLogs(),
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Listen(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		rc, err := c.Allocate()
		if err != nil {
			b.Fatal(err)
		}

		b.StopTimer()
		_ = rc.Close()
		// The deallocating Refresh is not awaited by the client; wait for the
		// server so the next client's port cannot collide with a live 5-tuple.
		for end := time.Now().Add(5 * time.Second); s.AllocationCount() != 0; runtime.Gosched() {
			if time.Now().After(end) {
				b.Fatal("allocation not released")
			}
		}
		c.Close()
		_ = conn.Close()
		b.StartTimer()
	}
}

// BenchmarkBinding measures a STUN Binding round trip.
func BenchmarkBinding(b *testing.B) {
	w := newWorld(b, false)
	w.start(b, relayCfg(nil), 1)
	c := w.dial(b, w.client, "", "")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.SendBindingRequest(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkErrorResponseCheck is the per-datagram cost the listening socket
// wrapper adds to relayed traffic (a Data indication here).
func BenchmarkErrorResponseCheck(b *testing.B) {
	msg, err := stun.Build(stun.TransactionID, stun.NewType(stun.MethodData, stun.ClassIndication),
		stun.RawAttribute{Type: stun.AttrData, Value: make([]byte, 1200)})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if isSTUNErrorResponse(msg.Raw) {
			b.Fatal("a Data indication is not an error response")
		}
	}
}
