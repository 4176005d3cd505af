package relay

import (
	"net/netip"

	"github.com/pion/logging"
	"github.com/pion/transport/v3"
)

// Options are the runtime inputs of a relay that do not come from the
// scenario: where it runs and how it logs.
type Options struct {
	// Net is the host's vnet Net. The listening socket and every relay socket
	// are opened on it; it is required, because pion/turn silently falls back
	// to real OS sockets when a relay address generator has no Net.
	Net transport.Net
	// HostIP is the host's address: the server listens on it and binds relay
	// sockets to it.
	HostIP netip.Addr
	// LoggerFactory receives the server's log lines at the factory's own
	// levels; nil drops them (Server.Log still has every line).
	LoggerFactory logging.LoggerFactory
	// Seed seeds the choice of relay ports so runs repeat.
	Seed int64
}
