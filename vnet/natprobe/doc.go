// Package natprobe discovers how the NATs of a scenario behave, the way a
// client on a real network would: with the RFC 5780 tests run against a
// STUN server that answers from two addresses and two ports.
//
// Probe builds the scenario's world with two extra server hosts (the
// observer) and one probe client per network, runs inside that world the
// tests of RFC 5780 sections 4.3 (mapping), 4.4 (filtering), 4.5
// (hairpinning) and 4.6 (mapping lifetime), and reports what it saw. The
// classification never reads the scenario's NAT declarations or pion's NAT
// tables: it comes only from which datagrams arrive and what the server
// saw, so comparing it with Declared proves (or disproves) that the
// emulator keeps the promises of the scenario format. (The declarations
// only decide where the probe client stands: a one-to-one NAT translates
// for its one host alone, so that host is borrowed.)
//
// Probing a nested network from the internet shows what every server on
// the internet sees: the NATs composed (see Declared for the rule).
// VantageParent places the server right outside the network's own router
// instead, to see that NAT alone.
//
// Probe must run on a virtual clock (inside a testing/synctest bubble): the
// filtering tests wait for responses that never come, and the lifetime
// search idles for minutes, which costs nothing there.
package natprobe
