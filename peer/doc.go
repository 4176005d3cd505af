// Package peer runs real WebRTC peers (pion/webrtc v4) on hosts of an emulated
// world and places one call between two of them: in-process signalling
// (trickle or complete SDP), a data-channel echo probe, and a record of what
// each stack saw (candidates, selected pair, state timeline).
//
// A Peer is configuration plus a seeded source of ICE credentials; every call
// opens one PeerConnection on each side, which the Peers own until Close.
// Everything runs on the caller's clock, so a whole call fits inside a
// testing/synctest bubble.
package peer
