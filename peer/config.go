package peer

import (
	"fmt"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v3"
	"github.com/pion/webrtc/v4"
)

// Candidate types a peer may gather and signal (Config.Candidates).
const (
	TypeHost  = "host"
	TypeSrflx = "srflx"
	TypeRelay = "relay"
)

// Config describes one WebRTC endpoint on an emulated host.
type Config struct {
	Name string
	// Net is the host's vnet Net; every socket of the peer is opened on it.
	Net transport.Net
	// ICEServers are already resolved by the caller (URLs + credentials).
	ICEServers []webrtc.ICEServer
	Policy     webrtc.ICETransportPolicy
	// Candidates is the subset of "host", "srflx", "relay" this peer gathers
	// and signals; empty means all three.
	Candidates []string
	// MDNS hides host candidates behind random "<uuid>.local" names in
	// signalling, as browsers and phones do.
	MDNS bool
	// Seed seeds ICE ufrag/pwd, mDNS names and probe payloads. It is mixed
	// with Name, so the peers of one case may share the case seed.
	Seed          int64
	LoggerFactory logging.LoggerFactory // nil → discard
	Timeouts      Timeouts              // zero fields → defaults
}

// Timeouts bound how long a peer waits on a broken path. Zero fields take the
// defaults below.
type Timeouts struct {
	ICEDisconnected, ICEFailed, ICEKeepalive, DTLSHandshake time.Duration
}

// Defaults. Pion's own (5 s / 25 s / 2 s, DTLS unbounded) make a failing call
// last 30 s or hang forever; icelab wants a failing call to end well inside a
// 10 s call timeout while a slow but healthy one still connects:
//   - ICE in "checking" is declared failed after disconnected+failed = 7 s.
//     The slowest healthy setup we model (relay pair, nominated after pion's
//     2 s relay acceptance wait, plus TURN allocation and a few lossy RTTs)
//     connects in 2-3 s, so 7 s leaves more than 2x margin.
//   - A keepalive every 500 ms gives four chances (three may be lost) before a
//     quiet but healthy pair is declared disconnected after 2 s.
//   - DTLS gets 5 s from ICE connected: the handshake is 2-3 round trips and,
//     with the 100 ms first retransmission (see dtlsRetransmit), a lost flight
//     is resent about five times (100+200+400+800+1600 ms) within the budget.
const (
	DefaultICEDisconnected = 2 * time.Second
	DefaultICEFailed       = 5 * time.Second
	DefaultICEKeepalive    = 500 * time.Millisecond
	DefaultDTLSHandshake   = 5 * time.Second
)

// dtlsRetransmit is the first DTLS flight retransmission interval (doubling
// from there). Pion's default is RFC 6347's 1 s, which on a lossy emulated
// link costs whole seconds per lost flight (and pion ignores early
// retransmit hints, pion/dtls#758). 100 ms is a few emulated RTTs: spurious
// resends on slow links are cheap, lost flights are recovered fast. The
// stack notes measured 33/40 → 37/40 successes at 20 % loss with it.
const dtlsRetransmit = 100 * time.Millisecond

// withDefaults returns t with zero fields replaced by the defaults.
func (t Timeouts) withDefaults() Timeouts {
	if t.ICEDisconnected == 0 {
		t.ICEDisconnected = DefaultICEDisconnected
	}
	if t.ICEFailed == 0 {
		t.ICEFailed = DefaultICEFailed
	}
	if t.ICEKeepalive == 0 {
		t.ICEKeepalive = DefaultICEKeepalive
	}
	if t.DTLSHandshake == 0 {
		t.DTLSHandshake = DefaultDTLSHandshake
	}
	return t
}

func (t Timeouts) validate() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"ice-disconnected", t.ICEDisconnected},
		{"ice-failed", t.ICEFailed},
		{"ice-keepalive", t.ICEKeepalive},
		{"dtls-handshake", t.DTLSHandshake},
	} {
		if d.v < 0 {
			return fmt.Errorf("timeout %s is negative (%v)", d.name, d.v)
		}
	}
	return nil
}

// candidateSet is the parsed Config.Candidates.
type candidateSet struct{ host, srflx, relay bool }

func parseCandidates(types []string) (candidateSet, error) {
	if len(types) == 0 {
		return candidateSet{true, true, true}, nil
	}
	var s candidateSet
	for _, t := range types {
		switch t {
		case TypeHost:
			s.host = true
		case TypeSrflx:
			s.srflx = true
		case TypeRelay:
			s.relay = true
		default:
			return s, fmt.Errorf("unknown candidate type %q (want host, srflx or relay)", t)
		}
	}
	return s, nil
}

// signals reports whether a gathered candidate of pion type typ is signalled.
// Peer-reflexive candidates are never gathered, so never signalled.
func (s candidateSet) signals(typ string) bool {
	switch typ {
	case TypeHost:
		return s.host
	case TypeSrflx:
		return s.srflx
	case TypeRelay:
		return s.relay
	}
	return false
}
