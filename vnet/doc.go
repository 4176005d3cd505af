// Package vnet builds the emulated network of one scenario on top of pion's
// virtual network (github.com/pion/transport/v3/vnet, imported as pvnet) and
// makes the scenario's NAT, firewall and link settings real on the wire.
//
// # Model
//
// A World has one pion router per network plus a root router "internet"
// (CIDR 0.0.0.0/0, no NAT). Each network's router has the network's subnet as
// CIDR and its public-ip as its only address on the parent's side; routers
// nest through Network.Parent (a CGNAT then a home router is two routers).
// Every host gets its own pvnet.Net with exactly its scenario IP, attached to
// its network's router; World.Net returns it as the transport.Net to hand to
// pion (SettingEngine.SetNet, turn servers and clients). Every host name is
// registered in the root resolver, so "turn:NAME:3478" resolves from any host
// (pion lower-cases names before looking them up).
//
// # NAT
//
// The network's router is its NAT (pion's NAPT):
//   - mapping and filtering follow RFC 4787 as pion implements them:
//     endpoint-independent, address-dependent and address-and-port-dependent
//     for both, in all nine combinations. Filtering permissions are recorded
//     per mapping from its outbound traffic.
//   - mapped ports are 49152, 49153, ... in order of creation, shared by all
//     hosts of the NAT; there is no port preservation, no randomisation and
//     no exhaustion handling, and only the first public address is used.
//   - a mapping expires mapping-lifetime (default 30s) after its last
//     outbound datagram; inbound traffic does not refresh it; expiry is
//     checked lazily, so an expired mapping is only noticed when used.
//   - one-to-one maps public-ip to the network's single host, keeps ports,
//     filters nothing and never expires.
//   - datagrams the NAT filters (no mapping, no permission) are dropped by
//     pion inside the NAT with one Warn log each on the "vnet" scope; they
//     never reach the network's own router, so Stats and Packets show them
//     only as forwarded by the parent.
//
// Hairpinning: pion always hairpins (a datagram from a host to its own NAT's
// public address goes up to the parent, which hands it back to the NAT). When
// NAT.Hairpinning is false, the parent's router drops every datagram whose
// source and destination IP are both that NAT's public IP (reason "hairpin",
// counted on the parent).
//
// # Firewall
//
// Rules run on the network's own router, which sees outbound datagrams
// before its NAT translates them and inbound datagrams after. Outbound is
// from inside the subnet to outside, inbound the reverse; traffic with both
// ends inside the subnet (LAN traffic, including a child network's WAN side
// talking to hosts of this network) is never firewalled. The first matching
// rule decides; no match allows. "ports" is the far side's (destination) port
// for outbound traffic and the inside destination port for inbound traffic,
// i.e. the port the inside host bound, not its public mapped port. "peer" is
// the far side's address: the destination outbound, the real source inbound.
// "protocol" udp and any are the same thing here: all traffic is UDP.
//
// # Link
//
// delay, jitter and loss apply to datagrams that cross the network's router
// between the subnet and the outside, in both directions, once per crossing,
// after the firewall: loss first (a seeded draw per datagram), then a delay
// drawn uniformly from [max(0, delay-jitter), delay+jitter] per datagram.
// A round trip from a host to the internet therefore pays two delay draws
// on its own network's link, plus two on each enclosing network's link.
// LAN traffic and hairpinned traffic are not impaired. Jitter reorders
// datagrams like netem does; delays are rounded up to the next millisecond.
// Outbound loss happens before the NAT, so a lost first datagram creates no
// mapping. Delays are implemented by re-injecting a copy of the datagram into
// the same router through pion's DuplicationFilter and dropping the original;
// see link for why not MinDelay, MaxJitter or DelayFilter.
//
// Delay draws come from a generator owned by each network and seeded with
// Options.Seed plus a hash of the network name. Loss draws are a hash of the
// seed, the loss stream (direction, the two addresses, the datagram's kind:
// STUN message type, ChannelData, DTLS content and handshake type) and the
// datagram's index in that stream: the k-th DTLS record from a laptop to a
// desktop is lost or not whatever the scheduler did to unrelated datagrams,
// so the same seed loses the same logical datagrams from run to run. What
// stays unseeded is pion's: ephemeral ports (5000-5999, from the global
// math/rand), and goroutine scheduling, which interleaves datagrams of one
// stream from several sockets (ICE checks of different pairs) differently,
// so loss can still move which pair wins, rarely.
//
// # Capture
//
// With Options.Capture every router records each datagram it forwards or
// drops, in its own view of the addresses (Packets), and WritePCAP writes
// one router's record as a LINKTYPE_RAW pcap with synthesised IPv4 and UDP
// headers. Stats counts forwarded and dropped datagrams per router whether or
// not capture is on.
//
// # Limits
//
// Inherited from pion's vnet v3: no TCP (ICE-TCP and TURN over TCP/TLS cannot
// be emulated), no IPv6, no multicast and hence no mDNS, no ICMP (a datagram
// to nowhere vanishes silently), no MTU enforcement, no bandwidth limit, a
// name resolver that is a map rather than DNS on the wire, and at most 1000
// ephemeral ports per host.
package vnet
