package runner

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/scenarios"
	"github.com/icelab/icelab/vnet"
)

// Unknown is the reach class of an address the world cannot attribute to the
// peer; it always fails an expectation and is explained in the wire notes.
const Unknown = "unknown"

// addressBook knows, for one case, which addresses belong to a peer and how:
// its own interface address (host), the public address of a NAT it sits
// behind (reflexive), or an allocation a relay granted it (relay). It is the
// emulator's ground truth, independent of the candidate types pion reports.
type addressBook struct {
	hostIP      netip.Addr
	reflexive   []netip.Addr
	allocations []results.Allocation
}

// classify says how a peer was reached when the other side sent to addr.
func (b addressBook) classify(addr netip.AddrPort) string {
	switch {
	case !addr.IsValid():
		return Unknown
	case addr.Addr() == b.hostIP:
		return scenarios.ReachHost
	}
	for _, a := range b.allocations {
		if a.Relayed == addr.String() {
			return scenarios.ReachRelay
		}
	}
	if slices.Contains(b.reflexive, addr.Addr()) {
		return scenarios.ReachReflexive
	}
	return Unknown
}

// relayedBy reports whether addr is a relayed address of any allocation in
// the case, whoever owns it.
func relayedBy(allocs []results.Allocation, addr netip.AddrPort) (results.Allocation, bool) {
	for _, a := range allocs {
		if a.Relayed == addr.String() {
			return a, true
		}
	}
	return results.Allocation{}, false
}

func candidateAddr(c results.Candidate) netip.AddrPort {
	ip, err := netip.ParseAddr(c.Address)
	if err != nil || c.Port <= 0 || c.Port > 65535 {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ip, uint16(c.Port))
}

// reach fills Observed.Offerer/Answerer/Path from the selected pairs and the
// address book, and writes a wire note wherever pion's type strings disagree
// with what the addresses show (pion reports a NATed local side as "host",
// pion/ice#82).
func reach(obs *results.Observed, offName, ansName string, off, ans addressBook) {
	if obs.Wire == nil {
		obs.Wire = &results.Wire{}
	}
	wire := obs.Wire
	offPair, ansPair := obs.Selected[offName], obs.Selected[ansName]
	if offPair == nil || ansPair == nil {
		obs.Offerer, obs.Answerer = Unknown, Unknown
		wire.Notes = append(wire.Notes, "a side reported no selected candidate pair")
		return
	}
	// How the offerer is reached is where the answerer sends: the answerer's
	// selected remote address. And the other way round.
	offAt := candidateAddr(ansPair.Remote)
	ansAt := candidateAddr(offPair.Remote)
	wire.OffererAddr, wire.AnswererAddr = offAt.String(), ansAt.String()
	obs.Offerer = off.classify(offAt)
	obs.Answerer = ans.classify(ansAt)
	obs.Path = scenarios.PathDirect
	if obs.Offerer == scenarios.ReachRelay || obs.Answerer == scenarios.ReachRelay {
		obs.Path = scenarios.PathRelayed
	}
	note := func(who string, local results.Candidate, class string, at netip.AddrPort) {
		want := map[string]string{scenarios.ReachHost: "host", scenarios.ReachReflexive: "srflx/prflx", scenarios.ReachRelay: "relay"}[class]
		switch {
		case class == Unknown:
			wire.Notes = append(wire.Notes, fmt.Sprintf("%s reached at %s, which the world cannot attribute to it", who, at))
		case class == scenarios.ReachReflexive && (local.Type == "srflx" || local.Type == "prflx"),
			class == scenarios.ReachHost && local.Type == "host",
			class == scenarios.ReachRelay && local.Type == "relay":
		default:
			wire.Notes = append(wire.Notes, fmt.Sprintf("%s: the stack reports its local candidate as %s %s:%d; on the wire it was reached at %s (%s, expected type %s)",
				who, local.Type, local.Address, local.Port, at, class, want))
		}
	}
	note(offName, offPair.Local, obs.Offerer, offAt)
	note(ansName, ansPair.Local, obs.Answerer, ansAt)
	for _, side := range []struct {
		name string
		at   netip.AddrPort
	}{{offName, offAt}, {ansName, ansAt}} {
		a, ok := relayedBy(obs.Allocations, side.at)
		switch {
		case !ok:
		case a.Peer == "":
			wire.Notes = append(wire.Notes, fmt.Sprintf("%s reached through relay %s at %s, an allocation from %s whose owner the world cannot tell (peers share that NAT address)", side.name, a.Relay, side.at, a.Client))
		case a.Peer != side.name:
			wire.Notes = append(wire.Notes, fmt.Sprintf("%s reached through an allocation of %s", side.name, a.Peer))
		}
	}
}

// confirm counts, from the capture, the datagrams a router delivered to each
// reach address, and notes a selected pair that carried nothing: pion's view
// is then not what happened on the wire.
func confirm(obs *results.Observed, packets []vnet.Packet) {
	w := obs.Wire
	off, _ := netip.ParseAddrPort(w.OffererAddr)
	ans, _ := netip.ParseAddrPort(w.AnswererAddr)
	for _, p := range packets {
		if p.Dropped != "" {
			continue
		}
		switch p.Dst {
		case off:
			w.OffererDatagrams++
		case ans:
			w.AnswererDatagrams++
		}
	}
	if off.IsValid() && w.OffererDatagrams == 0 {
		w.Notes = append(w.Notes, fmt.Sprintf("no datagram was delivered to the offerer's selected address %s", off))
	}
	if ans.IsValid() && w.AnswererDatagrams == 0 {
		w.Notes = append(w.Notes, fmt.Sprintf("no datagram was delivered to the answerer's selected address %s", ans))
	}
}
