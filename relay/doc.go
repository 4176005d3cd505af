// Package relay runs the harness's own STUN/TURN server (pion/turn v4) on a
// host of the emulated world, configured from a scenarios.Relay.
//
// Everything the server opens lives on the host's vnet Net: the listening
// socket and every relay socket. A relay never touches real OS sockets, so
// it runs inside a testing/synctest bubble and repeats run after run (relay
// ports are drawn from a seeded generator).
//
// Besides serving, a Server keeps what a scenario asserts on: every log line
// pion/turn and the relay itself wrote, at every level (Log), and every
// allocation it ever created (Allocations).
//
// Behaviour worth knowing when writing scenarios:
//   - STUN-only (no auth): Binding is answered; Allocate gets 401 then 400,
//     as pion/turn does without an AuthHandler.
//   - An unknown, revoked or expired user makes pion answer 400 and log, at
//     debug, "... no such user exists <name>"; a wrong password or realm is a
//     400 after a MESSAGE-INTEGRITY mismatch ("auth failed ... mismatch").
//   - Every STUN error response sent is logged ("Allocate error response
//     508 Insufficient Capacity to ..."), 401/438 challenges at debug.
//   - A deny-peers refusal logs "permission denied for client C to peer P
//     (deny-peers CIDR)"; pion v4.1.3 answers it without an ERROR-CODE.
package relay
