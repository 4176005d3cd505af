package peer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/icelab/icelab/results"
	"github.com/pion/webrtc/v4"
)

// DefaultCallTimeout applies when CallOptions.Timeout is zero.
const DefaultCallTimeout = 10 * time.Second

// CallOptions shape one call.
type CallOptions struct {
	// Trickle sends candidates as they are gathered; otherwise each side waits
	// for gathering to complete and sends a complete SDP.
	Trickle bool
	// Timeout bounds the whole call, connect and data probe (0 → 10 s).
	Timeout time.Duration
	// Messages of Size bytes are sent by the offerer and must all be echoed.
	// Messages == 0 skips the probe.
	Messages, Size int
	// SignalDelay is the one-way latency of the signalling channel: every
	// description and trickled candidate reaches the far side this much
	// after it was sent. 0 delivers at once, which leaves the order between
	// a trickled candidate and a connectivity check that arrives at the same
	// instant to goroutine scheduling.
	SignalDelay time.Duration
}

// CallResult is what one call did.
type CallResult struct {
	// Connected: both peer connections connected, both data channels open
	// and every probe message echoed.
	Connected bool
	// ConnectTime is from offer creation to both data channels open. It is
	// set whenever both channels opened, even if the probe then failed.
	ConnectTime time.Duration
	// Failure says why the call did not connect, e.g. "ice failed after
	// 7.0s", "dtls handshake timeout after 5.0s", "data: 7/10 echoed".
	Failure              string
	Offerer, Answerer    Side
	DataSent, DataEchoed int
}

// Side is what one peer's stack saw during the call.
type Side struct {
	// Selected is the selected pair as pion reports it (behind a NAT the local
	// side shows "host", pion/ice#82); nil if none was selected.
	Selected *results.Pair
	// Gathered lists the local candidates gathered and signalled, with real
	// addresses (before mDNS hiding), in gathering order.
	Gathered []results.Candidate
	// Remote lists the candidates received via signalling, as received.
	Remote []results.Candidate
	// Events is the timeline of ice/dtls/pc/gather/signal changes, AtMS from
	// the start of the call.
	Events []results.Event
}

// errCallTimeout is the cause of the call context when Timeout elapsed.
var errCallTimeout = errors.New("call timeout")

// Call places one call offerer→answerer: the offerer is the controlling ICE
// agent and opens the probe data channel, the answerer echoes. It returns
// when the call connected and the data probe finished, or when Timeout
// elapsed, or ctx ended; it never blocks past Timeout beyond stopping its own
// signalling goroutines. An error is returned only for harness faults (bad
// options, a closed peer, SDP the stack refuses); a failed call is a result
// with Connected=false and Failure set. The peer connections stay open, owned
// by the peers, until Peer.Close.
func Call(ctx context.Context, offerer, answerer *Peer, opts CallOptions) (*CallResult, error) {
	if err := opts.validate(offerer, answerer); err != nil {
		return nil, fmt.Errorf("call: %w", err)
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultCallTimeout
	}
	start := time.Now()
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errCallTimeout)
	defer cancel()

	c := &call{
		opts:    opts,
		timeout: timeout,
		start:   start,
		wake:    make(chan struct{}, 1),
	}
	toAnswerer, toOfferer := newWire(opts.SignalDelay), newWire(opts.SignalDelay)
	var err error
	if c.off, err = openLeg(offerer, "offerer", start, opts.Trickle, toAnswerer, c.notify); err != nil {
		return nil, fmt.Errorf("call: %w", err)
	}
	if c.ans, err = openLeg(answerer, "answerer", start, opts.Trickle, toOfferer, c.notify); err != nil {
		return nil, fmt.Errorf("call: %w", err)
	}
	c.probe = newProbe(offerer.uint64(), opts.Messages, opts.Size, c.notify)

	// Signalling: one pump per direction, so each side handles the other's
	// messages in order. Both stop before Call returns.
	pumpCtx, stopPumps := context.WithCancel(ctx)
	var pumps sync.WaitGroup
	pumps.Go(func() { c.setFault(toAnswerer.pump(pumpCtx, c.ans.receive)) })
	pumps.Go(func() { c.setFault(toOfferer.pump(pumpCtx, c.off.receive)) })

	res, err := c.run(ctx)
	stopPumps()
	pumps.Wait()
	if err == nil {
		err = c.getFault()
	}
	if err != nil {
		return nil, fmt.Errorf("call %s→%s: %w", offerer.name, answerer.name, err)
	}
	return res, nil
}

func (o CallOptions) validate(offerer, answerer *Peer) error {
	switch {
	case offerer == nil || answerer == nil:
		return errors.New("nil peer")
	case offerer == answerer:
		return fmt.Errorf("peer %q cannot call itself", offerer.name)
	case o.Timeout < 0:
		return fmt.Errorf("negative timeout %v", o.Timeout)
	case o.Messages < 0:
		return fmt.Errorf("negative message count %d", o.Messages)
	case o.Messages > 0 && (o.Size <= 0 || o.Size > maxMessageSize):
		return fmt.Errorf("message size %d outside 1..%d", o.Size, maxMessageSize)
	}
	return nil
}

// call is the state of one Call.
type call struct {
	opts     CallOptions
	timeout  time.Duration
	start    time.Time
	off, ans *leg
	probe    *probe
	wake     chan struct{} // cap 1: something changed
	offerAt  time.Duration // offer creation, call-relative

	mu    sync.Mutex
	fault error // first signalling fault
}

func (c *call) notify() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *call) setFault(err error) {
	if err == nil {
		return
	}
	c.mu.Lock()
	if c.fault == nil {
		c.fault = err
	}
	c.mu.Unlock()
	c.notify()
}

func (c *call) getFault() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fault
}

// run drives the offerer and waits for an outcome.
func (c *call) run(ctx context.Context) (*CallResult, error) {
	pc := c.off.pc
	dc, err := pc.CreateDataChannel(probeLabel, nil)
	if err != nil {
		return nil, fmt.Errorf("create data channel: %w", err)
	}
	dc.OnOpen(c.off.obs.setOpen)
	dc.OnMessage(c.probe.onEcho)
	c.ans.pc.OnDataChannel(func(dc *webrtc.DataChannel) {
		if dc.Label() != probeLabel {
			return
		}
		echo(dc)
		dc.OnOpen(c.ans.obs.setOpen)
	})

	c.offerAt = time.Since(c.start)
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return nil, fmt.Errorf("create offer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		return nil, fmt.Errorf("set local offer: %w", err)
	}
	if err := c.off.sendLocal(ctx, offer, gathered); err != nil && ctx.Err() == nil {
		return nil, err
	}

	probing := false
	for {
		if err := c.getFault(); err != nil {
			return nil, err
		}
		if f := c.failure(); f != "" {
			return c.result(f), nil
		}
		offOpen, ansOpen := c.off.obs.open(), c.ans.obs.open()
		if offOpen && !probing {
			probing = true
			if err := c.probe.send(dc); err != nil {
				sent, _ := c.probe.counts()
				return c.result(fmt.Sprintf("data: send %d/%d: %v", sent+1, c.opts.Messages, err)), nil
			}
		}
		if offOpen && ansOpen {
			_, echoed := c.probe.counts()
			if echoed == c.opts.Messages && c.off.connected() && c.ans.connected() {
				res := c.result("")
				res.Connected = true
				return res, nil
			}
		}
		select {
		case <-c.wake:
		case <-ctx.Done():
			return c.result(c.stopped(ctx)), nil
		}
	}
}

// connected reports whether the leg's peer connection is connected and its
// observer has already recorded ICE, DTLS and pc reaching "connected". Pion
// delivers ICE and pc state changes on their own goroutines, possibly after
// the data channel opened; waiting for them keeps every connected call's
// timeline complete (they arrive at the same instant of virtual time).
//
// It reads the observed events, not pc.ConnectionState(): pion recomputes the
// peer connection state from concurrent ICE and DTLS handlers and can end a
// burst at "connecting" right after "connected" with both transports up
// (seen once in 40 runs of a relayed call); the timeline keeps both states.
func (l *leg) connected() bool {
	_, ice := l.obs.when(whatICE, webrtc.ICEConnectionStateConnected.String())
	_, dtls := l.obs.when(whatDTLS, webrtc.DTLSTransportStateConnected.String())
	_, pc := l.obs.when(whatPC, webrtc.PeerConnectionStateConnected.String())
	return ice && dtls && pc
}

// failure returns why the call has failed for good, "" if it has not
// (yet). Only terminal states count: ICE "disconnected" may recover.
func (c *call) failure() string {
	earliest := func(what, state string) (time.Duration, bool) {
		a, okA := c.off.obs.when(what, state)
		b, okB := c.ans.obs.when(what, state)
		switch {
		case okA && okB:
			return min(a, b), true
		case okA:
			return a, true
		}
		return b, okB
	}
	if at, ok := earliest(whatICE, "failed"); ok {
		return "ice failed after " + seconds(at)
	}
	for _, l := range []*leg{c.off, c.ans} {
		failed, ok := l.obs.when(whatDTLS, "failed")
		if !ok {
			continue
		}
		// Pion reports no cause; a failure that took the whole handshake
		// budget is our context deadline.
		if began, ok := l.obs.when(whatDTLS, "connecting"); ok &&
			failed-began >= l.peer.timeouts.DTLSHandshake-time.Millisecond {
			return "dtls handshake timeout after " + seconds(failed)
		}
		return "dtls failed after " + seconds(failed)
	}
	if at, ok := earliest(whatPC, "failed"); ok {
		return "connection failed after " + seconds(at)
	}
	if at, ok := earliest(whatPC, "closed"); ok {
		return "connection closed after " + seconds(at)
	}
	return ""
}

// stopped explains a call that ran out of time or was cancelled.
func (c *call) stopped(ctx context.Context) string {
	if !errors.Is(context.Cause(ctx), errCallTimeout) {
		return "cancelled: " + context.Cause(ctx).Error()
	}
	prefix := "timeout after " + seconds(c.timeout) + ": "
	_, offerSent := c.off.obs.when(whatSignal, webrtc.SDPTypeOffer.String())
	_, answerSent := c.ans.obs.when(whatSignal, webrtc.SDPTypeAnswer.String())
	offOpen, ansOpen := c.off.obs.open(), c.ans.obs.open()
	switch {
	case !offerSent:
		return prefix + "offerer still gathering"
	case !answerSent:
		return prefix + "answerer still gathering"
	case offOpen && ansOpen:
		_, echoed := c.probe.counts()
		return fmt.Sprintf("data: %d/%d echoed", echoed, c.opts.Messages)
	}
	return prefix + "offerer " + c.off.states() + "; answerer " + c.ans.states()
}

// states summarises a leg's stack for a timeout message.
func (l *leg) states() string {
	ch := "closed"
	if l.obs.open() {
		ch = "open"
	}
	return fmt.Sprintf("ice %s, dtls %s, channel %s",
		l.pc.ICEConnectionState(), l.pc.SCTP().Transport().State(), ch)
}

// result freezes what was observed into a CallResult.
func (c *call) result(failure string) *CallResult {
	res := &CallResult{Failure: failure}
	if c.off.obs.open() && c.ans.obs.open() {
		res.ConnectTime = max(c.off.obs.openAt(), c.ans.obs.openAt()) - c.offerAt
	}
	res.DataSent, res.DataEchoed = c.probe.freeze()
	res.Offerer = c.off.side()
	res.Answerer = c.ans.side()
	return res
}

// side freezes a leg's observations and reads its selected pair.
func (l *leg) side() Side {
	var s Side
	s.Events, s.Gathered, s.Remote = l.obs.freeze()
	pair, err := l.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err == nil && pair != nil && pair.Local != nil && pair.Remote != nil {
		s.Selected = &results.Pair{Local: fromWebRTC(pair.Local), Remote: fromWebRTC(pair.Remote)}
	}
	return s
}

// seconds formats d like "7.02s" (10 ms resolution).
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.2fs", d.Seconds())
}
