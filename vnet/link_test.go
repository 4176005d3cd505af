package vnet

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/icelab/icelab/scenarios"
)

// lossPattern sends n numbered datagrams from c to s1:9 and returns which
// arrived.
func lossPattern(t *testing.T, seed int64, loss float64, n int) []bool {
	t.Helper()
	var got []bool
	t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			nw := lanNet(cone(ei, ei))
			nw.Link.Loss = loss
			w := start(t, lanWorld(nw), Options{Seed: seed})
			sink := listen(t, w, "s1", 9)
			c := listen(t, w, "c", 4000)
			for i := range n {
				send(t, c, ap(s1+":9"), strconv.Itoa(i))
			}
			got = make([]bool, n)
			for _, p := range drain(t, sink, time.Second) {
				i, err := strconv.Atoi(p)
				if err != nil {
					t.Fatal(err)
				}
				got[i] = true
			}
			lost := 0
			for _, ok := range got {
				if !ok {
					lost++
				}
			}
			if st := w.Stats().Routers["lan"]; st.Dropped[DropLoss] != uint64(lost) || st.Forwarded != uint64(n-lost) { //nolint:gosec
				t.Fatalf("stats %+v, but %d of %d lost", st, lost, n)
			}
		})
	})
	return got
}

func count(v []bool) int {
	n := 0
	for _, b := range v {
		if b {
			n++
		}
	}
	return n
}

func TestLoss(t *testing.T) {
	t.Run("0%", func(t *testing.T) {
		if got := count(lossPattern(t, 1, 0, 200)); got != 200 {
			t.Fatalf("%d of 200 arrived with 0%% loss", got)
		}
	})
	t.Run("100%", func(t *testing.T) {
		if got := count(lossPattern(t, 1, 100, 200)); got != 0 {
			t.Fatalf("%d of 200 arrived with 100%% loss", got)
		}
	})
	t.Run("30% is seeded", func(t *testing.T) {
		a := lossPattern(t, 7, 30, 400)
		b := lossPattern(t, 7, 30, 400)
		c := lossPattern(t, 8, 30, 400)
		if !slices.Equal(a, b) {
			t.Fatalf("same seed, different drop patterns")
		}
		if slices.Equal(a, c) {
			t.Fatalf("different seeds, same drop pattern")
		}
		// 400 draws at 30%: 280 expected; the bound is loose, the pattern
		// is fixed by the seed anyway.
		if got := count(a); got < 220 || got > 340 {
			t.Fatalf("%d of 400 arrived with 30%% loss", got)
		}
	})
}

// TestLossBothDirections: a one-to-one NAT accepts unsolicited datagrams, so
// both directions can be exercised without a mapping.
func TestLossBothDirections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := lanNet(scenarios.NAT{OneToOne: true, Hairpinning: true})
		n.Link.Loss = 100
		w := start(t, lanWorld(n), Options{})
		srv := listen(t, w, "s1", 9)
		c := listen(t, w, "c", 4000)
		for range 10 {
			send(t, c, ap(s1+":9"), "up")
			send(t, srv, ap(natPub+":4000"), "down")
		}
		if got := drain(t, srv, time.Second); len(got) != 0 {
			t.Fatalf("server received %q", got)
		}
		if got := drain(t, c, time.Second); len(got) != 0 {
			t.Fatalf("host received %q", got)
		}
		if got := w.Stats().Routers["lan"].Dropped[DropLoss]; got != 20 {
			t.Fatalf("lan loss drops = %d, want 20", got)
		}
	})
}

// rtt measures one echo round trip in virtual time.
func rtt(t *testing.T, c net.PacketConn, to string) time.Duration {
	t.Helper()
	t0 := time.Now()
	observe(t, c, to)
	return time.Since(t0)
}

func TestDelay(t *testing.T) {
	home := &scenarios.Network{Parent: "carrier", Subnet: prefix("192.168.1.0/24"), PublicIP: ip("100.64.0.2"), NAT: cone(ei, apd)}
	carrier := &scenarios.Network{Parent: scenarios.Internet, Subnet: prefix("100.64.0.0/24"), PublicIP: ip("100.0.0.2"), NAT: cone(ei, apd)}
	for _, tc := range []struct {
		name          string
		homeDelay     time.Duration
		carrierDelay  time.Duration
		to            string
		wantRTT       time.Duration
		wantDelayedAt []string
	}{
		{name: "no delay", to: s1 + ":3478", wantRTT: 0},
		{name: "home link", homeDelay: 40 * time.Millisecond, to: s1 + ":3478", wantRTT: 80 * time.Millisecond},
		{name: "links add up", homeDelay: 10 * time.Millisecond, carrierDelay: 30 * time.Millisecond, to: s1 + ":3478", wantRTT: 80 * time.Millisecond},
		{name: "LAN traffic is not delayed", homeDelay: 40 * time.Millisecond, to: "192.168.1.11:5000", wantRTT: 0},
		{name: "a child's WAN is the parent's LAN", carrierDelay: 40 * time.Millisecond, to: "100.64.0.9:5000", wantRTT: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h, c := *home, *carrier
				h.Link.Delay, c.Link.Delay = tc.homeDelay, tc.carrierDelay
				s := world(map[string]*scenarios.Network{"home": &h, "carrier": &c}, map[string]*scenarios.Host{
					"phone":    hostOn("home", "192.168.1.10"),
					"tv":       hostOn("home", "192.168.1.11"),
					"neighbor": hostOn("carrier", "100.64.0.9"),
					"s1":       hostOn(scenarios.Internet, s1),
				})
				w := start(t, s, Options{})
				serveEcho(t, w, "s1", 3478)
				serveEcho(t, w, "tv", 5000)
				serveEcho(t, w, "neighbor", 5000)
				conn := listen(t, w, "phone", 4000)
				for i := range 3 {
					got := rtt(t, conn, tc.to)
					// The DuplicationFilter schedules in 1 ms buckets: allow
					// one millisecond of rounding per delayed crossing.
					if got < tc.wantRTT || got > tc.wantRTT+4*time.Millisecond {
						t.Fatalf("round trip %d: %s, want %s", i, got, tc.wantRTT)
					}
				}
			})
		})
	}
}

// TestDelayIsSymmetric: each direction pays the link delay once.
func TestDelayIsSymmetric(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := lanNet(cone(ei, ei))
		n.Link.Delay = 25 * time.Millisecond
		w := start(t, lanWorld(n), Options{})
		srv := listen(t, w, "s1", 9)
		c := listen(t, w, "c", 4000)

		t0 := time.Now()
		send(t, c, ap(s1+":9"), "up")
		_, from, ok := recv(t, srv, time.Second)
		up := time.Since(t0)
		t1 := time.Now()
		send(t, srv, from, "down")
		_, _, ok2 := recv(t, c, time.Second)
		down := time.Since(t1)
		if !ok || !ok2 {
			t.Fatalf("datagrams lost: up=%v down=%v", ok, ok2)
		}
		if up != 25*time.Millisecond || down != 25*time.Millisecond {
			t.Fatalf("one-way delays up=%s down=%s, want 25ms each", up, down)
		}
	})
}

// jitterRTTs returns 40 round trips over a link with delay 50ms, jitter 20ms.
func jitterRTTs(t *testing.T, seed int64) []time.Duration {
	t.Helper()
	var out []time.Duration
	t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := lanNet(cone(ei, ei))
			n.Link.Delay, n.Link.Jitter = 50*time.Millisecond, 20*time.Millisecond
			w := start(t, lanWorld(n), Options{Seed: seed})
			serveEcho(t, w, "s1", 3478)
			c := listen(t, w, "c", 4000)
			for range 40 {
				out = append(out, rtt(t, c, s1+":3478"))
			}
		})
	})
	return out
}

func TestJitter(t *testing.T) {
	a, b, c := jitterRTTs(t, 1), jitterRTTs(t, 1), jitterRTTs(t, 2)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different delays:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Fatalf("different seeds, same delays: %v", a)
	}
	lo, hi := slices.Min(a), slices.Max(a)
	// Each crossing draws uniformly from [30ms, 70ms] (+1ms rounding).
	if lo < 60*time.Millisecond || hi > 142*time.Millisecond || hi-lo < 10*time.Millisecond {
		t.Fatalf("round trips span [%s, %s], want spread within [60ms, 142ms]", lo, hi)
	}
}

// TestLossIsPerStream: a stream's drops do not depend on how other streams
// interleave with it. The host sends 100 datagrams to s1 and 100 to s2,
// once one after the other and once alternating; each stream loses the same
// datagrams (by index) both times. With a shared generator the alternating
// order would hand the draws to different datagrams.
func TestLossIsPerStream(t *testing.T) {
	pattern := func(interleave bool) (a, b []bool) {
		var pa, pb []bool
		synctest.Test(t, func(t *testing.T) {
			n := lanNet(cone(scenarios.EndpointIndependent, scenarios.EndpointIndependent))
			n.Link.Loss = 30
			w := start(t, lanWorld(n), Options{Seed: 11})
			r1, r2 := listen(t, w, "s1", 9), listen(t, w, "s2", 9)
			c := listen(t, w, "c", 4000)
			for i := range 100 {
				if interleave {
					send(t, c, ap(s1+":9"), "a"+strconv.Itoa(i))
					send(t, c, ap(s2+":9"), "b"+strconv.Itoa(i))
				} else {
					send(t, c, ap(s1+":9"), "a"+strconv.Itoa(i))
				}
			}
			if !interleave {
				for i := range 100 {
					send(t, c, ap(s2+":9"), "b"+strconv.Itoa(i))
				}
			}
			got := func(conn net.PacketConn, prefix string) []bool {
				arrived := map[string]bool{}
				for _, m := range drain(t, conn, time.Second) {
					arrived[m] = true
				}
				out := make([]bool, 100)
				for i := range out {
					out[i] = arrived[prefix+strconv.Itoa(i)]
				}
				return out
			}
			pa, pb = got(r1, "a"), got(r2, "b")
		})
		return pa, pb
	}
	a1, b1 := pattern(false)
	a2, b2 := pattern(true)
	if !slices.Equal(a1, a2) || !slices.Equal(b1, b2) {
		t.Fatal("a stream's losses changed with the interleaving of another stream")
	}
	if slices.Equal(a1, b1) {
		t.Fatal("two streams lost exactly the same datagrams: the stream is not part of the draw")
	}
	if n := count(a1); n < 50 || n > 90 {
		t.Fatalf("%d of 100 arrived at 30%% loss", n)
	}
}
