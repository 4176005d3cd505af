package peer

import (
	"context"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
)

// message is one signalling message: a description or a trickled candidate
// (an empty Candidate is end-of-candidates).
type message struct {
	desc *webrtc.SessionDescription
	cand *webrtc.ICECandidateInit
	// due is when the far side gets it: sent + the wire's delay.
	due time.Time
}

// wire carries signalling one way, in order, in process. Candidates pushed
// before the description are held back until it is sent, because the far
// side can only add candidates once it has a remote description (pion's
// AddICECandidate fails with ErrNoRemoteDescription otherwise), and pion may
// report the first candidate before the caller got to send its description.
type wire struct {
	// delay is the one-way latency of the signalling channel.
	delay    time.Duration
	mu       sync.Mutex
	descSent bool
	held     []message
	queue    []message
	ready    chan struct{} // cap 1: "queue is non-empty"
}

func newWire(delay time.Duration) *wire {
	return &wire{delay: delay, ready: make(chan struct{}, 1)}
}

func (w *wire) sendDesc(d webrtc.SessionDescription) {
	w.mu.Lock()
	due := time.Now().Add(w.delay)
	w.queue = append(w.queue, message{desc: &d, due: due})
	for _, m := range w.held {
		m.due = due
		w.queue = append(w.queue, m)
	}
	w.held = nil
	w.descSent = true
	w.mu.Unlock()
	w.signal()
}

func (w *wire) sendCand(c webrtc.ICECandidateInit) {
	w.mu.Lock()
	m := message{cand: &c, due: time.Now().Add(w.delay)}
	if w.descSent {
		w.queue = append(w.queue, m)
	} else {
		w.held = append(w.held, m)
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
			if !sleepUntil(ctx, m.due) {
				return nil
			}
			if err := handle(ctx, m); err != nil {
				if ctx.Err() != nil {
					return nil // the call is over; not a harness fault
				}
				return err
			}
		}
	}
}

// sleepUntil waits until t or until ctx ends; it reports whether t came.
// Messages are queued in order with the same delay, so waiting for each in
// turn keeps them in order.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
