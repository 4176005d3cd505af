package peer

import (
	"io"

	"github.com/pion/logging"
)

// quietLoggers is the factory used when the caller gives none: pion's own,
// writing nothing.
func quietLoggers() logging.LoggerFactory {
	return &logging.DefaultLoggerFactory{
		Writer:          io.Discard,
		DefaultLogLevel: logging.LogLevelDisabled,
		ScopeLevels:     map[string]logging.LogLevel{},
	}
}
