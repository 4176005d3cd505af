package peer

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"
)

// Peer is a WebRTC endpoint on one emulated host. It owns every
// PeerConnection its calls opened, until Close.
type Peer struct {
	name       string
	cfg        Config
	timeouts   Timeouts
	want       candidateSet
	servers    []webrtc.ICEServer
	policy     webrtc.ICETransportPolicy
	logFactory logging.LoggerFactory

	mu     sync.Mutex
	rng    *rand.Rand // seeded from Config.Seed and Name
	pcs    []*webrtc.PeerConnection
	closed bool
}

// ErrClosed is returned when a closed Peer is asked to place a call.
var ErrClosed = errors.New("peer closed")

// New checks cfg and returns a Peer. It opens nothing yet: sockets are bound
// when a call starts gathering.
func New(cfg Config) (*Peer, error) {
	if cfg.Name == "" {
		return nil, errors.New("peer: empty name")
	}
	wrap := func(err error) error { return fmt.Errorf("peer %q: %w", cfg.Name, err) }
	if cfg.Net == nil {
		return nil, wrap(errors.New("no Net: a peer runs only on an emulated host"))
	}
	want, err := parseCandidates(cfg.Candidates)
	if err != nil {
		return nil, wrap(err)
	}
	servers, err := filterServers(cfg.ICEServers, want)
	if err != nil {
		return nil, wrap(err)
	}
	policy, err := transportPolicy(cfg.Policy, want)
	if err != nil {
		return nil, wrap(err)
	}
	if err := cfg.Timeouts.validate(); err != nil {
		return nil, wrap(err)
	}
	lf := cfg.LoggerFactory
	if lf == nil {
		lf = quietLoggers()
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(cfg.Name))
	return &Peer{
		name:       cfg.Name,
		cfg:        cfg,
		timeouts:   cfg.Timeouts.withDefaults(),
		want:       want,
		servers:    servers,
		policy:     policy,
		logFactory: lf,
		rng:        rand.New(rand.NewPCG(uint64(cfg.Seed), h.Sum64())), //nolint:gosec // reproducibility, not secrecy
	}, nil
}

// Name returns the peer's name.
func (p *Peer) Name() string { return p.name }

// Close closes every PeerConnection the peer opened and waits for their
// goroutines and handlers. It is idempotent.
func (p *Peer) Close() error {
	p.mu.Lock()
	pcs := p.pcs
	p.pcs = nil
	p.closed = true
	p.mu.Unlock()
	var errs []error
	for _, pc := range pcs {
		if err := pc.GracefulClose(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("peer %q: close: %w", p.name, err)
	}
	return nil
}

// uint64 draws from the peer's seeded generator.
func (p *Peer) uint64() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.Uint64()
}

// iceChars is pion's own ufrag/pwd alphabet.
const iceChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// credentials draws a fresh ufrag (16 chars) and pwd (32 chars), the lengths
// pion generates itself.
func (p *Peer) credentials() (ufrag, pwd string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	draw := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = iceChars[p.rng.IntN(len(iceChars))]
		}
		return string(b)
	}
	return draw(16), draw(32)
}

// settingEngine builds the per-connection SettingEngine.
func (p *Peer) settingEngine() webrtc.SettingEngine {
	var se webrtc.SettingEngine
	se.LoggerFactory = p.logFactory
	se.SetNet(p.cfg.Net)
	// vnet has no multicast; .local names are emulated in signalling instead.
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// vnet carries UDP over IPv4 only (no TCP, no IPv6 in transport v3).
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.DisableActiveTCP(true)
	t := p.timeouts
	se.SetICETimeouts(t.ICEDisconnected, t.ICEFailed, t.ICEKeepalive)
	// Pion's DTLS handshake has no deadline by default and can hang forever
	// on a lossy path; bound it. Pion drops the cancel func, so the context
	// lives until its deadline: a timer, not a goroutine.
	se.SetDTLSConnectContextMaker(func() (context.Context, func()) {
		return context.WithTimeout(context.Background(), t.DTLSHandshake)
	})
	se.SetDTLSRetransmissionInterval(dtlsRetransmit)
	se.SetICECredentials(p.credentials())
	return se
}

// newConnection opens a PeerConnection owned by p.
func (p *Peer) newConnection() (*webrtc.PeerConnection, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("peer %q: %w", p.name, ErrClosed)
	}
	api := webrtc.NewAPI(webrtc.WithSettingEngine(p.settingEngine()))
	pc, err := api.NewPeerConnection(webrtc.Configuration{
		ICEServers:         p.servers,
		ICETransportPolicy: p.policy,
	})
	if err != nil {
		return nil, fmt.Errorf("peer %q: new peer connection: %w", p.name, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed { // closed while we were building it
		_ = pc.GracefulClose()
		return nil, fmt.Errorf("peer %q: %w", p.name, ErrClosed)
	}
	p.pcs = append(p.pcs, pc)
	return pc, nil
}
