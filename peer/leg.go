package peer

import (
	"context"
	"fmt"
	"time"

	"github.com/pion/webrtc/v4"
)

// probeLabel names the data channel of the echo probe.
const probeLabel = "probe"

// leg is one side of a call: a fresh PeerConnection of a Peer, what it
// observed, and the wire it signals on.
type leg struct {
	role    string // "offerer" or "answerer"
	peer    *Peer
	pc      *webrtc.PeerConnection
	obs     *observer
	hide    *hider // nil unless the peer hides host candidates
	out     *wire  // to the other side
	trickle bool
}

// openLeg opens a PeerConnection on p and hooks every observer. out is the
// wire to the other side.
func openLeg(p *Peer, role string, start time.Time, trickle bool, out *wire, notify func()) (*leg, error) {
	l := &leg{
		role:    role,
		peer:    p,
		obs:     newObserver(p.name, start, notify),
		out:     out,
		trickle: trickle,
	}
	if p.cfg.MDNS {
		l.hide = newHider(p.uint64())
	}
	pc, err := p.newConnection()
	if err != nil {
		return nil, err
	}
	l.pc = pc
	pc.OnICEConnectionStateChange(func(s webrtc.ICEConnectionState) { l.obs.event(whatICE, s.String()) })
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) { l.obs.event(whatPC, s.String()) })
	pc.OnICEGatheringStateChange(func(s webrtc.ICEGatheringState) { l.obs.event(whatGather, s.String()) })
	// Called with the DTLS transport's lock held: record only, never call back
	// into the transport.
	pc.SCTP().Transport().OnStateChange(func(s webrtc.DTLSTransportState) { l.obs.event(whatDTLS, s.String()) })
	pc.OnICECandidate(l.onCandidate)
	return l, nil
}

// onCandidate records a gathered candidate and, when trickling, signals it.
// Pion delivers candidates one at a time, in order, nil last.
func (l *leg) onCandidate(c *webrtc.ICECandidate) {
	if c == nil {
		if l.trickle {
			l.out.sendCand(webrtc.ICECandidateInit{}) // end-of-candidates
		}
		return
	}
	if !l.peer.want.signals(c.Typ.String()) {
		return
	}
	l.obs.addGathered(fromWebRTC(c))
	if l.trickle {
		init := c.ToJSON()
		init.Candidate = l.hide.candidate(init.Candidate)
		l.out.sendCand(init)
	}
}

// sendLocal signals the local description. Without trickle it first waits for
// gathering to complete and sends the complete SDP, as a non-trickle app
// does. Filtered candidate types are dropped and host addresses hidden either
// way.
func (l *leg) sendLocal(ctx context.Context, desc webrtc.SessionDescription, gathered <-chan struct{}) error {
	if !l.trickle {
		select {
		case <-gathered:
		case <-ctx.Done():
			return ctx.Err()
		}
		local := l.pc.LocalDescription()
		if local == nil {
			return fmt.Errorf("%s %q: no local description after gathering", l.role, l.peer.name)
		}
		desc = *local
	}
	desc.SDP = rewriteSDP(desc.SDP, func(v string) (string, bool) {
		if !l.peer.want.signals(candidateType(v)) {
			return "", false
		}
		return l.hide.candidate(v), true
	})
	l.obs.event(whatSignal, desc.Type.String())
	l.out.sendDesc(desc)
	return nil
}

// receive applies one message from the other side. An offer is answered
// here, so the answerer's whole signalling runs on its pump goroutine.
// Errors on a connection closed under the call (Peer.Close) are not harness
// faults: the call loop reports the closure itself.
func (l *leg) receive(ctx context.Context, m message) error {
	err := l.apply(ctx, m)
	if err != nil && l.pc.ConnectionState() == webrtc.PeerConnectionStateClosed {
		return nil
	}
	return err
}

func (l *leg) apply(ctx context.Context, m message) error {
	wrap := func(what string, err error) error {
		return fmt.Errorf("%s %q: %s: %w", l.role, l.peer.name, what, err)
	}
	if m.cand != nil {
		if m.cand.Candidate != "" {
			c, err := parseCandidate(m.cand.Candidate)
			if err != nil {
				return wrap("remote candidate", err)
			}
			l.obs.addRemote(c)
		}
		if err := l.pc.AddICECandidate(*m.cand); err != nil {
			return wrap("add ice candidate", err)
		}
		return nil
	}
	desc := *m.desc
	for _, v := range sdpCandidates(desc.SDP) {
		c, err := parseCandidate(v)
		if err != nil {
			return wrap("remote description", err)
		}
		l.obs.addRemote(c)
	}
	if err := l.pc.SetRemoteDescription(desc); err != nil {
		return wrap("set remote "+desc.Type.String(), err)
	}
	if desc.Type != webrtc.SDPTypeOffer {
		return nil
	}
	answer, err := l.pc.CreateAnswer(nil)
	if err != nil {
		return wrap("create answer", err)
	}
	gathered := webrtc.GatheringCompletePromise(l.pc)
	if err := l.pc.SetLocalDescription(answer); err != nil {
		return wrap("set local answer", err)
	}
	return l.sendLocal(ctx, answer, gathered)
}
