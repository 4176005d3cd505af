package peer

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/webrtc/v4"
)

// BenchmarkCallDirect measures the wall cost of one complete direct call
// (port-restricted NATs with STUN, trickle, 10×1200 echoed, peers opened and
// closed) on the virtual clock. All b.N calls share one world built inside
// a single synctest bubble; b's timer runs outside it, on the real clock.
func BenchmarkCallDirect(b *testing.B) {
	benchCalls(b, worldSpec{natA: portRestricted, natB: portRestricted},
		[]webrtc.ICEServer{stunServer})
}

// BenchmarkCallRelay is the same through TURN (symmetric NATs both sides).
func BenchmarkCallRelay(b *testing.B) {
	benchCalls(b, worldSpec{natA: symmetric, natB: symmetric},
		[]webrtc.ICEServer{stunServer, turnServer})
}

func benchCalls(b *testing.B, spec worldSpec, servers []webrtc.ICEServer) {
	n := b.N
	var virtual time.Duration
	// synctest.Test needs a *testing.T; a benchmark has none, so run one
	// through testing.RunTests (it prints nothing unless it fails).
	ok := testing.RunTests(func(_, _ string) (bool, error) { return true, nil }, []testing.InternalTest{{
		Name: b.Name(),
		F: func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorld(t, spec)
				for i := range n {
					a, err := New(Config{Name: "A", Net: w.a, ICEServers: servers, Seed: int64(i)})
					if err != nil {
						t.Fatal(err)
					}
					c, err := New(Config{Name: "B", Net: w.b, ICEServers: servers, Seed: int64(i)})
					if err != nil {
						t.Fatal(err)
					}
					start := time.Now()
					r, err := Call(t.Context(), a, c, CallOptions{Trickle: true, Messages: 10, Size: 1200})
					if err != nil {
						t.Fatal(err)
					}
					if !r.Connected {
						t.Fatalf("call %d: %s", i, r.Failure)
					}
					virtual += time.Since(start)
					if err := a.Close(); err != nil {
						t.Fatal(err)
					}
					if err := c.Close(); err != nil {
						t.Fatal(err)
					}
				}
			})
		},
	}})
	if !ok {
		b.Fatal("benchmark calls failed")
	}
	b.ReportMetric(float64(virtual.Milliseconds())/float64(n), "virtual-ms/call")
}
