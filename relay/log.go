package relay

import (
	"fmt"
	"sync"

	"github.com/pion/logging"
)

// maxLogLines bounds a server's log buffer; older lines are dropped first.
const maxLogLines = 10000

// logBuffer is a bounded, thread-safe ring of log lines.
type logBuffer struct {
	mu      sync.Mutex
	lines   []string
	next    int // index of the oldest line once the ring is full
	dropped int
}

func (b *logBuffer) add(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.lines) < maxLogLines {
		b.lines = append(b.lines, line)
		return
	}
	b.lines[b.next] = line
	b.next = (b.next + 1) % maxLogLines
	b.dropped++
}

// snapshot returns the lines oldest first; when lines were dropped, a first
// line says how many, so a missing expected line is not a silent surprise.
func (b *logBuffer) snapshot() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, 0, len(b.lines)+1)
	if b.dropped > 0 {
		out = append(out, fmt.Sprintf("WARN relay: %d earlier log lines dropped (buffer keeps %d)", b.dropped, maxLogLines))
	}
	out = append(out, b.lines[b.next:]...)
	return append(out, b.lines[:b.next]...)
}

// captureFactory hands out loggers that record every line, whatever its
// level, into the server's buffer and forward it to the caller's factory,
// which applies its own level. pion/turn logs the interesting failures
// ("no such user exists") at debug, so filtering before capture would lose
// exactly the lines scenarios assert on.
type captureFactory struct {
	buf    *logBuffer
	fwd    logging.LoggerFactory
	prefix string // prepended to forwarded lines so several relays can be told apart
}

func (f *captureFactory) NewLogger(scope string) logging.LeveledLogger {
	l := &captureLogger{scope: scope, buf: f.buf, prefix: f.prefix}
	if f.fwd != nil {
		l.fwd = f.fwd.NewLogger(scope)
	}
	return l
}

// captureLogger implements logging.LeveledLogger; lines read
// "LEVEL scope: message".
type captureLogger struct {
	scope  string
	buf    *logBuffer
	fwd    logging.LeveledLogger
	prefix string
}

// Levels, in pion/logging's order.
const (
	levelTrace = iota
	levelDebug
	levelInfo
	levelWarn
	levelError
)

var levelNames = [...]string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR"}

func (l *captureLogger) record(level int, msg string) {
	l.buf.add(levelNames[level] + " " + l.scope + ": " + msg)
	if l.fwd == nil {
		return
	}
	msg = l.prefix + msg
	switch level {
	case levelTrace:
		l.fwd.Trace(msg)
	case levelDebug:
		l.fwd.Debug(msg)
	case levelInfo:
		l.fwd.Info(msg)
	case levelWarn:
		l.fwd.Warn(msg)
	default:
		l.fwd.Error(msg)
	}
}

func (l *captureLogger) Trace(msg string) { l.record(levelTrace, msg) }
func (l *captureLogger) Tracef(format string, args ...any) {
	l.record(levelTrace, fmt.Sprintf(format, args...))
}
func (l *captureLogger) Debug(msg string) { l.record(levelDebug, msg) }
func (l *captureLogger) Debugf(format string, args ...any) {
	l.record(levelDebug, fmt.Sprintf(format, args...))
}
func (l *captureLogger) Info(msg string) { l.record(levelInfo, msg) }
func (l *captureLogger) Infof(format string, args ...any) {
	l.record(levelInfo, fmt.Sprintf(format, args...))
}
func (l *captureLogger) Warn(msg string) { l.record(levelWarn, msg) }
func (l *captureLogger) Warnf(format string, args ...any) {
	l.record(levelWarn, fmt.Sprintf(format, args...))
}
func (l *captureLogger) Error(msg string) { l.record(levelError, msg) }
func (l *captureLogger) Errorf(format string, args ...any) {
	l.record(levelError, fmt.Sprintf(format, args...))
}
