package peer

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/webrtc/v4"
)

// TestWireHoldsCandidatesUntilDescription checks that candidates pushed
// before the description arrive after it, in order.
func TestWireHoldsCandidatesUntilDescription(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWire(0)
		w.sendCand(webrtc.ICECandidateInit{Candidate: "c1"})
		w.sendCand(webrtc.ICECandidateInit{Candidate: "c2"})
		w.sendDesc(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "d"})
		w.sendCand(webrtc.ICECandidateInit{Candidate: "c3"})
		w.sendCand(webrtc.ICECandidateInit{}) // end-of-candidates

		ctx, cancel := context.WithCancel(t.Context())
		var got []string
		done := make(chan error)
		go func() {
			done <- w.pump(ctx, func(_ context.Context, m message) error {
				if m.desc != nil {
					got = append(got, "desc:"+m.desc.SDP)
				} else {
					got = append(got, "cand:"+m.cand.Candidate)
				}
				return nil
			})
		}()
		synctest.Wait()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		want := []string{"desc:d", "cand:c1", "cand:c2", "cand:c3", "cand:"}
		if len(got) != len(want) {
			t.Fatalf("got %q, want %q", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("got %q, want %q", got, want)
			}
		}
	})
}

// TestWireDelay checks that every message reaches the far side the wire's
// delay after it was sent, in order, on the virtual clock.
func TestWireDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay = 20 * time.Millisecond
		start := time.Now()
		w := newWire(delay)
		w.sendDesc(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "d"})
		time.Sleep(5 * time.Millisecond)
		w.sendCand(webrtc.ICECandidateInit{Candidate: "c1"})

		ctx, cancel := context.WithCancel(t.Context())
		var at []time.Duration
		done := make(chan error)
		go func() {
			done <- w.pump(ctx, func(context.Context, message) error {
				at = append(at, time.Since(start))
				return nil
			})
		}()
		time.Sleep(time.Second)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		want := []time.Duration{delay, 5*time.Millisecond + delay}
		if len(at) != 2 || at[0] != want[0] || at[1] != want[1] {
			t.Fatalf("delivered at %v, want %v", at, want)
		}
	})
}
