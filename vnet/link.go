package vnet

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/netip"

	"github.com/icelab/icelab/scenarios"
	pvnet "github.com/pion/transport/v3/vnet"
)

// link impairs the datagrams that cross one network's router between its
// subnet and the outside, in both directions, once per crossing.
//
// Loss is a seeded Bernoulli draw per datagram. Delay and jitter hold each
// datagram for a duration drawn uniformly from
// [max(0, delay-jitter), delay+jitter] and then let it continue through the
// router. pion v3 exposes no way to re-inject a chunk into a router except its
// DuplicationFilter, so delaying works like this: the network's ChunkFilter
// asks a DuplicationFilter (probability 1, extra delay = the range above,
// seeded) to re-push a copy of the chunk after the drawn delay, and drops the
// original; when the copy comes back through the same ChunkFilter it is
// recognised by its chunk tag and passes. Consequences, all deliberate:
//   - both directions are delayed by the same mechanism on the same router,
//     so the delay is symmetric and a round trip through the link costs two
//     draws;
//   - each datagram is delayed independently, so with jitter > 0 datagrams
//     can be reordered (as with netem); with jitter 0 order is kept;
//   - delays are rounded up to the next whole millisecond of the clock (the
//     DuplicationFilter schedules in 1 ms buckets);
//   - LAN-internal datagrams and hairpinned ones (whose far side is the NAT's
//     own public address) are not impaired: they never travel the uplink.
//
// Alternatives that the pinned vnet offers and why they are not used:
// RouterConfig.MinDelay delays every chunk the router handles (LAN-internal
// and hairpin legs too) by a fixed amount and cannot vary per datagram;
// MaxJitter sleeps the whole router while holding its mutex; a DelayFilter
// between parent and child delays only the parent-to-child direction, and
// its unbuffered hand-off can block a router goroutine forever when the filter
// is closed while Router.Stop (which does not wait for the goroutine) is still
// draining, which would leak on Close.
type link struct {
	loss     float64 // percent, 0..100
	lossSeed uint64
	// lossSeq counts datagrams per loss stream (see lose). Only the router's
	// goroutine touches it (filters run under the router's mutex).
	lossSeq map[lossStream]uint64

	delayed bool
	dup     *pvnet.DuplicationFilter
	hold    pvnet.ChunkFilter
	// pending counts, by chunk tag, the copies scheduled and not yet back.
	// Only the router's goroutine touches it (filters run under the router's
	// mutex), so it needs no lock of its own.
	pending map[string]int
}

// seedFor derives a generator seed for one purpose on one network:
// Seed + FNV-1a(purpose/name).
func seedFor(seed int64, purpose, name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(purpose))
	_, _ = h.Write([]byte{'/'})
	_, _ = h.Write([]byte(name))
	return seed + int64(h.Sum64()) //nolint:gosec // wrap-around is fine for a seed
}

func validateLink(l scenarios.Link) error {
	switch {
	case l.Delay < 0:
		return fmt.Errorf("link delay %s is negative", l.Delay)
	case l.Jitter < 0:
		return fmt.Errorf("link jitter %s is negative", l.Jitter)
	case l.Loss < 0 || l.Loss > 100 || l.Loss != l.Loss:
		return fmt.Errorf("link loss %v%% is outside 0..100", l.Loss)
	}
	return nil
}

func newLink(cfg scenarios.Link, router *pvnet.Router, seed int64, name string) (*link, error) {
	if err := validateLink(cfg); err != nil {
		return nil, err
	}
	l := &link{
		loss:     cfg.Loss,
		lossSeed: uint64(seedFor(seed, "loss", name)), //nolint:gosec // a seed, not a quantity
		lossSeq:  map[lossStream]uint64{},
		pending:  map[string]int{},
	}
	lo, hi := cfg.Delay-cfg.Jitter, cfg.Delay+cfg.Jitter
	if lo < 0 {
		lo = 0
	}
	if hi > 0 {
		dup, err := pvnet.NewDuplicationFilterWithOptions(router,
			pvnet.WithDuplicationProbability(1),
			pvnet.WithDuplicationExtraDelay(lo, hi),
			pvnet.WithDuplicationSeed(seedFor(seed, "delay", name)),
		)
		if err != nil {
			return nil, fmt.Errorf("link delay: %w", err)
		}
		l.delayed, l.dup, l.hold = true, dup, dup.ChunkFilter()
	}
	return l, nil
}

// returning reports whether c is a delayed copy coming back, and forgets it.
func (l *link) returning(c pvnet.Chunk) bool {
	if !l.delayed {
		return false
	}
	tag := c.Tag()
	n, ok := l.pending[tag]
	if !ok {
		return false
	}
	if n <= 1 {
		delete(l.pending, tag)
	} else {
		l.pending[tag] = n - 1
	}
	return true
}

// lossStream is what a loss draw is keyed on: the direction and the two
// addresses of a crossing (not ports: pion picks host ports at random) and
// the kind of datagram. Within one stream datagrams come from one protocol
// state machine in a fixed order (a DTLS handshake, an SCTP association, the
// Binding requests of one agent to one server), so the k-th datagram of a
// stream is the same logical datagram from run to run even when goroutine
// scheduling interleaves streams differently.
type lossStream struct {
	dir      direction
	src, dst netip.Addr
	kind     uint16
}

// lose decides whether this crossing loses the datagram. The draw is a hash
// of the seed, the stream and the datagram's index in it, not the next value
// of a shared generator: a shared generator hands its draws to whichever
// datagram the scheduler lets through first, so the same seed would lose
// different datagrams on every run (and a lost DTLS HelloVerifyRequest, say,
// fails a call that a lost ICE check does not).
func (l *link) lose(dir direction, src, dst netip.Addr, payload []byte) bool {
	if l.loss <= 0 {
		return false
	}
	key := lossStream{dir: dir, src: src, dst: dst, kind: datagramKind(payload)}
	k := l.lossSeq[key]
	l.lossSeq[key] = k + 1
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], l.lossSeed)
	_, _ = h.Write(b[:])
	_, _ = h.Write([]byte{byte(dir)})
	s4, d4 := src.As4(), dst.As4()
	_, _ = h.Write(s4[:])
	_, _ = h.Write(d4[:])
	binary.LittleEndian.PutUint16(b[:2], key.kind)
	_, _ = h.Write(b[:2])
	binary.LittleEndian.PutUint64(b[:], k)
	_, _ = h.Write(b[:])
	// The top 53 bits as a uniform float in [0, 1).
	return float64(mix(h.Sum64())>>11)/(1<<53)*100 < l.loss
}

// mix is splitmix64's finaliser: FNV's low bits are weak, this spreads them.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// datagramKind classifies a UDP payload for loss streams: a STUN message by
// its type (method and class), TURN ChannelData, a DTLS record by content
// type (and handshake message type), anything else as one kind.
func datagramKind(p []byte) uint16 {
	switch {
	case len(p) >= 20 && p[0] < 0x40 && binary.BigEndian.Uint32(p[4:8]) == 0x2112A442:
		return 0x1000 | binary.BigEndian.Uint16(p[0:2])&0x3fff // STUN message type
	case len(p) >= 4 && p[0] >= 0x40 && p[0] <= 0x7f:
		return 0x2000 // ChannelData
	case len(p) >= 13 && p[0] >= 20 && p[0] <= 63:
		kind := uint16(0x3000) | uint16(p[0])
		if p[0] == 22 && len(p) >= 14 && p[3] == 0 && p[4] == 0 {
			kind |= uint16(p[13]&0x3f) << 6 // unencrypted handshake: its message type
		}
		return kind
	}
	return 0x4000
}

// delay schedules a delayed copy of c and reports whether it did; the caller
// then drops the original.
func (l *link) delay(c pvnet.Chunk) bool {
	if !l.delayed {
		return false
	}
	l.pending[c.Tag()]++
	l.hold(c)
	return true
}

// close stops pending deliveries.
func (l *link) close() error {
	if l.dup == nil {
		return nil
	}
	return l.dup.Close()
}
