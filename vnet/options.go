package vnet

import (
	"io"

	"github.com/pion/logging"
)

// Options configure a World. The zero value is valid: seed 0, quiet logs, no
// capture.
type Options struct {
	// Seed seeds every random choice the world makes on its own (link loss,
	// delay jitter). Each network derives its own generators from Seed and a
	// hash of its name, so the same Seed and the same sequence of datagrams
	// through a network give the same drops and the same delays.
	Seed int64
	// LoggerFactory receives the logs of pion's routers and NATs (scope
	// "vnet"). nil discards them. pion logs one Warn per datagram its NAT
	// filtering drops; raise the "vnet" level if that is too noisy.
	LoggerFactory logging.LoggerFactory
	// Capture records every datagram the routers see (see World.Packets and
	// World.WritePCAP). Counters (World.Stats) are kept either way.
	Capture bool
}

// discardLoggers returns a factory whose loggers write nothing. pion's
// NewRouter dereferences RouterConfig.LoggerFactory unconditionally, so a nil
// factory from the caller must be replaced rather than passed through.
func discardLoggers() logging.LoggerFactory {
	return &logging.DefaultLoggerFactory{
		Writer:          io.Discard,
		DefaultLogLevel: logging.LogLevelDisabled,
		ScopeLevels:     map[string]logging.LogLevel{},
	}
}
