package peer

import (
	"context"
	"sync"

	"github.com/pion/webrtc/v4"
)

// message is one signalling message: a description or a trickled candidate
// (an empty Candidate is end-of-candidates).
type message struct {
	desc *webrtc.SessionDescription
	cand *webrtc.ICECandidateInit
}

// wire carries signalling one way, in order, in process. Candidates pushed
// before the description are held back until it is sent, because the far
// side can only add candidates once it has a remote description (pion's
// AddICECandidate fails with ErrNoRemoteDescription otherwise), and pion may
// report the first candidate before the caller got to send its description.
type wire struct {
	mu       sync.Mutex
	descSent bool
	held     []message
	queue    []message
	ready    chan struct{} // cap 1: "queue is non-empty"
}

func newWire() *wire { return &wire{ready: make(chan struct{}, 1)} }

func (w *wire) sendDesc(d webrtc.SessionDescription) {
	w.mu.Lock()
	w.queue = append(w.queue, message{desc: &d})
	w.queue = append(w.queue, w.held...)
	w.held = nil
	w.descSent = true
	w.mu.Unlock()
	w.signal()
}

func (w *wire) sendCand(c webrtc.ICECandidateInit) {
	w.mu.Lock()
	if w.descSent {
		w.queue = append(w.queue, message{cand: &c})
	} else {
		w.held = append(w.held, message{cand: &c})
	}
	w.mu.Unlock()
	w.signal()
}

func (w *wire) signal() {
	select {
	case w.ready <- struct{}{}:
	default:
	}
}

func (w *wire) take() []message {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.queue
	w.queue = nil
	return q
}

// pump delivers the wire's messages to handle, in order, until ctx ends or
// handle fails. It is the only reader of w.
func (w *wire) pump(ctx context.Context, handle func(context.Context, message) error) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.ready:
		}
		for _, m := range w.take() {
			if err := handle(ctx, m); err != nil {
				if ctx.Err() != nil {
					return nil // the call is over; not a harness fault
				}
				return err
			}
		}
	}
}
