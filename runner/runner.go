// Package runner runs one icelab case: it builds the world, starts the relays,
// places the call between two real WebRTC peers, reads what happened on the
// emulated wire and judges it against the case's expectation.
//
// A case is clock-agnostic: run it inside a testing/synctest bubble (see
// RunAll and RunT) and every timer of the whole stack runs on virtual time.
package runner

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/icelab/icelab/peer"
	"github.com/icelab/icelab/relay"
	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/scenarios"
	"github.com/icelab/icelab/vnet"
	"github.com/icelab/icelab/vnet/natprobe"
)

// Options control one case run.
type Options struct {
	// Seed seeds every source of randomness under icelab's control; 0 derives
	// a seed from the case id, so a case repeats exactly by default.
	Seed int64
	// Verbose keeps the per-component logs (vnet, ice, turn, ...) in the
	// result and streams them to LogWriter when it is set.
	Verbose   bool
	LogWriter io.Writer
	// PCAPDir, when set, receives one capture per case of what crossed the
	// internet router (<id>.pcap, '/' and ',' replaced) and one per network
	// of what its router saw inside (<id>.<network>.pcap).
	PCAPDir string
	// ProbeNAT runs the RFC 5780 probe on the case's networks (in a world of
	// its own, before the call) and records each classification in
	// observed.nat, so a report shows what every NAT actually did.
	ProbeNAT bool
	// Settle, when set, is called after the peers close and before the
	// relays' logs are read, to let in-flight datagrams land. Inside a
	// synctest bubble it is synctest.Wait, which makes it exact.
	Settle func()
}

// SeedFor is the default seed of a case: a hash of its id.
func SeedFor(id string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return int64(h.Sum64() & 0x7fffffffffffffff)
}

// Run runs one case and returns its result. It never panics on a bad case:
// a harness fault is an "error" verdict with the reason.
func Run(ctx context.Context, c *scenarios.Case, opts Options) *results.Result {
	start := time.Now()
	res := newResult(c)
	if opts.Seed == 0 {
		opts.Seed = SeedFor(c.ID)
	}
	res.Seed = opts.Seed
	logs := newCaseLog(opts.Verbose, opts.LogWriter, "["+c.ID+"]")

	err := run(ctx, c, opts, logs, res)
	if opts.Verbose {
		res.Log = logs.Lines()
	}
	res.WallMS = ms(time.Since(start))
	if err != nil {
		res.Verdict = results.Error
		res.Reasons = append([]string{err.Error()}, res.Reasons...)
		return res
	}
	res.Reasons = judge(c.Expect, &res.Observed, res.Observed.RelayLog)
	res.Verdict = results.Pass
	if len(res.Reasons) > 0 {
		res.Verdict = results.Fail
	}
	return res
}

func run(ctx context.Context, c *scenarios.Case, opts Options, logs *caseLog, res *results.Result) (err error) {
	s := c.Scenario
	world, err := vnet.New(s, vnet.Options{Seed: opts.Seed, LoggerFactory: logs, Capture: true})
	if err != nil {
		return fmt.Errorf("world: %w", err)
	}
	if err := world.Start(); err != nil {
		_ = world.Close()
		return fmt.Errorf("world: %w", err)
	}
	defer func() {
		if opts.PCAPDir != "" {
			if perr := writePCAP(world, s, opts.PCAPDir, c.ID); perr != nil && err == nil {
				err = perr
			}
		}
		if cerr := world.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("world: close: %w", cerr)
		}
	}()

	relays := map[string]*relay.Server{}
	defer func() {
		for _, name := range sortedKeys(relays) {
			if cerr := relays[name].Close(); cerr != nil && err == nil {
				err = fmt.Errorf("relay %q: close: %w", name, cerr)
			}
		}
	}()
	if err := startRelays(s, world, opts.Seed, logs, relays); err != nil {
		return err
	}

	offerer, answerer := s.Peers[s.Call.Offerer], s.Peers[s.Call.Answerer]
	newPeer := func(p *scenarios.Peer, seed int64) (*peer.Peer, error) {
		return startPeer(s, p, world, relays, seed, logs)
	}
	op, err := newPeer(offerer, opts.Seed+101)
	if err != nil {
		return err
	}
	ap, err := newPeer(answerer, opts.Seed+202)
	if err != nil {
		_ = op.Close()
		return err
	}
	closed := false
	closePeers := func() {
		if closed {
			return
		}
		closed = true
		if cerr := op.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("peer %q: close: %w", offerer.Name, cerr)
		}
		if cerr := ap.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("peer %q: close: %w", answerer.Name, cerr)
		}
	}
	defer closePeers()

	call, err := peer.Call(ctx, op, ap, peer.CallOptions{
		Trickle:     s.Call.Trickle,
		Timeout:     s.Call.Timeout,
		Messages:    s.Call.Data.Messages,
		Size:        s.Call.Data.Size,
		SignalDelay: s.Call.SignalDelay,
	})
	if err != nil {
		return fmt.Errorf("call: %w", err)
	}

	// Hang up: a relay that revokes credentials does so before the peers
	// close, as Screego does when a share stops; the peers' closing Refresh
	// then meets a missing user.
	for _, name := range sortedKeys(relays) {
		if a := s.Relays[name].Auth; a != nil && a.RevokeOnHangup {
			relays[name].RevokeAll()
		}
	}
	closePeers()
	if err != nil {
		return err
	}
	if opts.Settle != nil {
		opts.Settle()
	}

	observe(res, c, world, relays, call)
	if opts.ProbeNAT && len(s.Networks) > 0 {
		probed, err := natprobe.Probe(ctx, s, natprobe.Options{Seed: opts.Seed, LoggerFactory: logs})
		if err != nil {
			return fmt.Errorf("probe-nat: %w", err)
		}
		res.Observed.NAT = map[string]results.NATBehavior{}
		for name, r := range probed {
			res.Observed.NAT[name] = r.NATBehavior()
		}
	}
	return nil
}

// startRelays starts every relay of the scenario into relays (the caller
// closes what started, also on error).
func startRelays(s *scenarios.Scenario, world *vnet.World, seed int64, logs *caseLog, relays map[string]*relay.Server) error {
	for i, name := range sortedKeys(s.Relays) {
		cfg := s.Relays[name]
		srv, err := relay.Start(name, cfg, relay.Options{
			Net:           world.Net(cfg.Host),
			HostIP:        world.HostIP(cfg.Host),
			LoggerFactory: logs,
			Seed:          seed + int64(i) + 1,
		})
		if err != nil {
			return fmt.Errorf("relay %q: %w", name, err)
		}
		relays[name] = srv
	}
	return nil
}

// startPeer creates a peer on its host with its ICE servers resolved.
func startPeer(s *scenarios.Scenario, p *scenarios.Peer, world *vnet.World, relays map[string]*relay.Server, seed int64, logs *caseLog) (*peer.Peer, error) {
	servers, err := iceServers(s, p, relays)
	if err != nil {
		return nil, err
	}
	policy := webrtc.ICETransportPolicyAll
	if p.ICETransportPolicy == scenarios.PolicyRelay {
		policy = webrtc.ICETransportPolicyRelay
	}
	pp, err := peer.New(peer.Config{
		Name:          p.Name,
		Net:           world.Stack(p.Host),
		ICEServers:    servers,
		Policy:        policy,
		Candidates:    p.Candidates,
		MDNS:          p.MDNS,
		Seed:          seed,
		LoggerFactory: logs,
	})
	if err != nil {
		return nil, fmt.Errorf("peer %q: %w", p.Name, err)
	}
	return pp, nil
}

// iceServers resolves a peer's ice-servers: URLs pass through, {relay: NAME}
// becomes that relay's stun: and (with auth) turn: URLs with credentials
// valid now. URLs use the relay's host name, resolved inside the world.
func iceServers(s *scenarios.Scenario, p *scenarios.Peer, relays map[string]*relay.Server) ([]webrtc.ICEServer, error) {
	var out []webrtc.ICEServer
	for _, is := range p.ICEServers {
		if is.Relay == "" {
			out = append(out, webrtc.ICEServer{URLs: is.URLs, Username: is.Username, Credential: is.Credential})
			continue
		}
		cfg, srv := s.Relays[is.Relay], relays[is.Relay]
		if cfg == nil || srv == nil {
			return nil, fmt.Errorf("peer %q: ice-servers: no relay %q", p.Name, is.Relay)
		}
		hostport := cfg.Host + ":" + strconv.Itoa(int(cfg.Port))
		out = append(out, webrtc.ICEServer{URLs: []string{"stun:" + hostport}})
		if user, pass, ok := srv.Credentials(); ok {
			out = append(out, webrtc.ICEServer{
				URLs:       []string{"turn:" + hostport + "?transport=udp"},
				Username:   user,
				Credential: pass,
			})
		}
	}
	return out, nil
}

func observe(res *results.Result, c *scenarios.Case, world *vnet.World, relays map[string]*relay.Server, call *peer.CallResult) {
	s := c.Scenario
	offName, ansName := s.Call.Offerer, s.Call.Answerer
	obs := &res.Observed
	obs.Connected = call.Connected
	obs.Failure = call.Failure
	if call.Connected {
		obs.ConnectMS = ms(call.ConnectTime)
	}
	obs.Data = results.Data{Sent: call.DataSent, Echoed: call.DataEchoed}
	obs.Selected = map[string]*results.Pair{}
	if call.Offerer.Selected != nil {
		obs.Selected[offName] = call.Offerer.Selected
	}
	if call.Answerer.Selected != nil {
		obs.Selected[ansName] = call.Answerer.Selected
	}
	obs.Gathered = map[string][]results.Candidate{offName: call.Offerer.Gathered, ansName: call.Answerer.Gathered}
	obs.Timeline = append(append([]results.Event(nil), call.Offerer.Events...), call.Answerer.Events...)
	slices.SortStableFunc(obs.Timeline, func(a, b results.Event) int { return cmp.Compare(a.AtMS, b.AtMS) })

	books := map[string]*addressBook{}
	for _, name := range []string{offName, ansName} {
		host := s.Peers[name].Host
		books[name] = &addressBook{hostIP: world.HostIP(host), reflexive: world.Reflexive(host)}
	}
	obs.RelayLog = map[string][]string{}
	for _, name := range sortedKeys(relays) {
		srv := relays[name]
		obs.RelayLog[name] = srv.Log()
		for _, a := range srv.Allocations() {
			ra := results.Allocation{Relay: name, Client: a.Client.String(), Relayed: a.Relayed.String(), Username: a.Username}
			for _, pn := range []string{offName, ansName} {
				b := books[pn]
				if a.Client.Addr() == b.hostIP || (slices.Contains(b.reflexive, a.Client.Addr()) && ownsAlone(world, s, pn, a.Client.Addr())) {
					ra.Peer = pn
				}
			}
			obs.Allocations = append(obs.Allocations, ra)
		}
	}
	// A relayed address belongs to exactly one allocation, so an address
	// that is one means "reached via a relay" whoever allocated it: the
	// allocation's owner cannot always be told (two peers behind one NAPT
	// share its public address), the path class can.
	for _, name := range []string{offName, ansName} {
		books[name].allocations = obs.Allocations
	}
	// What the routers did, connected or not: a failed call is explained by
	// its drops (a firewall rule, the hairpin a NAT refused, loss).
	stats := world.Stats()
	obs.Wire = &results.Wire{Packets: int(stats.Routers[scenarios.Internet].Forwarded)}
	for _, r := range stats.Routers {
		for reason, n := range r.Dropped {
			if n == 0 {
				continue
			}
			if obs.Wire.Drops == nil {
				obs.Wire.Drops = map[string]int{}
			}
			obs.Wire.Drops[reason] += int(n)
		}
	}
	if call.Connected {
		reach(obs, offName, ansName, *books[offName], *books[ansName])
		confirm(obs, world.Packets())
	}
	res.World = worldOf(s)
}

// ownsAlone reports whether the peer is the only peer of the call behind the
// NAT whose public address is ip: only then does an allocation from ip
// belong to it without knowing the NAT's port mapping.
func ownsAlone(world *vnet.World, s *scenarios.Scenario, peerName string, ip netip.Addr) bool {
	for _, name := range []string{s.Call.Offerer, s.Call.Answerer} {
		if name == peerName {
			continue
		}
		other := s.Peers[name].Host
		if world.HostIP(other) == ip || slices.Contains(world.Reflexive(other), ip) {
			return false
		}
	}
	return true
}

func newResult(c *scenarios.Case) *results.Result {
	s := c.Scenario
	e := c.Expect
	r := &results.Result{
		ID:          c.ID,
		Scenario:    s.Name,
		File:        s.File,
		Cell:        c.Cell,
		CellOrder:   c.CellOrder,
		Labels:      s.Labels,
		Description: strings.TrimSpace(s.Description),
		Expected: results.Expected{
			Connected: e.Connected,
			Path:      e.Path,
			Offerer:   e.Offerer,
			Answerer:  e.Answerer,
			WithinMS:  ms(e.Within),
			Gathered:  e.Gathered,
			RelayLog:  e.RelayLog,
		},
	}
	if r.Expected.Connected == nil {
		t := true
		r.Expected.Connected = &t
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
