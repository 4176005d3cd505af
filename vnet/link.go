package vnet

import (
	"fmt"
	"hash/fnv"
	"math/rand"

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
	loss    float64 // percent, 0..100
	lossRng *rand.Rand

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
		loss:    cfg.Loss,
		lossRng: rand.New(rand.NewSource(seedFor(seed, "loss", name))), //nolint:gosec // emulation, not crypto
		pending: map[string]int{},
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

// lose draws whether this crossing loses the datagram.
func (l *link) lose() bool {
	return l.loss > 0 && l.lossRng.Float64()*100 < l.loss
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
