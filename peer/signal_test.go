package peer

import (
	"context"
	"testing"
	"testing/synctest"

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
