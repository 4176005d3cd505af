package vnet

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Drop reasons recorded in Packet.Dropped and counted in RouterStats.Dropped.
const (
	DropFirewall = "firewall" // a firewall rule of the network said drop
	DropLoss     = "loss"     // the network's link lost it
	DropHairpin  = "hairpin"  // a NAT without hairpinning refused a datagram to its own public address
)

// Packet is one datagram as one router saw it.
//
// Addresses are that router's view: the internet router sees public
// (post-NAT) addresses; a network's router sees its own hosts' private
// addresses on both directions (outbound before its NAT translates, inbound
// after). A datagram crossing n routers is recorded n times.
type Packet struct {
	// At is when the router forwarded (or dropped) it, after any link delay
	// of that router.
	At time.Time
	// Router is "internet" or a network name.
	Router   string
	Src, Dst netip.AddrPort
	// Payload is a copy of the UDP payload.
	Payload []byte
	// Dropped is "" when forwarded, else DropFirewall, DropLoss or DropHairpin.
	// Datagrams dropped by NAT filtering (no binding, no permission) are
	// dropped by pion inside the NAT before the network's router sees them:
	// they appear forwarded by the parent and never at the network's router.
	Dropped string
}

// RouterStats counts what one router did with datagrams.
type RouterStats struct {
	// Forwarded counts datagrams the router passed on (including LAN-internal
	// ones, and ones a NAT later dropped for want of a binding or permission).
	Forwarded uint64
	// Dropped counts drops by reason (DropFirewall, DropLoss, DropHairpin);
	// reasons with no drop are absent.
	Dropped map[string]uint64
}

// Stats holds the counters of every router of a world.
type Stats struct {
	// Routers is keyed by "internet" and each network name.
	Routers map[string]RouterStats
}

// counters is the live form of RouterStats.
type counters struct {
	forwarded, firewall, loss, hairpin atomic.Uint64
}

func (c *counters) snapshot() RouterStats {
	rs := RouterStats{Forwarded: c.forwarded.Load(), Dropped: map[string]uint64{}}
	for reason, n := range map[string]uint64{
		DropFirewall: c.firewall.Load(),
		DropLoss:     c.loss.Load(),
		DropHairpin:  c.hairpin.Load(),
	} {
		if n > 0 {
			rs.Dropped[reason] = n
		}
	}
	return rs
}

// recorder is the per-World sink of the router taps. Filters call it with the
// router's mutex held, so it only counts and appends.
type recorder struct {
	capture  bool
	counters map[string]*counters // fixed after New

	mu      sync.Mutex
	packets []Packet
}

func newRecorder(capture bool, routers []string) *recorder {
	r := &recorder{capture: capture, counters: map[string]*counters{}}
	for _, name := range routers {
		r.counters[name] = &counters{}
	}
	return r
}

func (r *recorder) record(router string, src, dst netip.AddrPort, payload []byte, dropped string) {
	c := r.counters[router]
	switch dropped {
	case "":
		c.forwarded.Add(1)
	case DropFirewall:
		c.firewall.Add(1)
	case DropLoss:
		c.loss.Add(1)
	case DropHairpin:
		c.hairpin.Add(1)
	}
	if !r.capture {
		return
	}
	p := Packet{Router: router, Src: src, Dst: dst, Payload: append([]byte(nil), payload...), Dropped: dropped}
	r.mu.Lock()
	// Taking the time under the lock keeps Packets ordered by At.
	p.At = time.Now()
	r.packets = append(r.packets, p)
	r.mu.Unlock()
}

func (r *recorder) snapshot() []Packet {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Packet(nil), r.packets...)
}

func (r *recorder) stats() Stats {
	s := Stats{Routers: make(map[string]RouterStats, len(r.counters))}
	for name, c := range r.counters {
		s.Routers[name] = c.snapshot()
	}
	return s
}
