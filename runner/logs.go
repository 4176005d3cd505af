package runner

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/pion/logging"
)

// caseLog collects the per-component log lines of one case. It is quiet by
// default: lines are kept only when the run is verbose, and are streamed to
// the verbose writer as they happen so a hanging case can still be read.
type caseLog struct {
	mu     sync.Mutex
	lines  []string
	stream io.Writer
	prefix string
	start  time.Time
	level  logging.LogLevel
}

func newCaseLog(verbose bool, stream io.Writer, prefix string) *caseLog {
	l := &caseLog{stream: stream, prefix: prefix, start: time.Now(), level: logging.LogLevelDisabled}
	if verbose {
		l.level = logging.LogLevelInfo
	}
	return l
}

// maxLogLines bounds the memory one verbose case can use; ICE at debug level
// can log thousands of lines.
const maxLogLines = 20000

func (l *caseLog) add(scope string, level logging.LogLevel, msg string) {
	line := fmt.Sprintf("%8.1fms %-5s %s: %s", float64(time.Since(l.start).Microseconds())/1000, strings.ToUpper(level.String()), scope, msg)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) < maxLogLines {
		l.lines = append(l.lines, line)
	}
	if l.stream != nil {
		fmt.Fprintf(l.stream, "%s %s\n", l.prefix, line)
	}
}

// Lines returns a copy of the collected lines.
func (l *caseLog) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// NewLogger implements logging.LoggerFactory.
func (l *caseLog) NewLogger(scope string) logging.LeveledLogger {
	level := l.level
	// vnet logs every routed chunk at debug and every NAT-filtered chunk at
	// warn; at info it still says what the routers drop, which is what a
	// person debugging a scenario wants to see.
	return &scopeLogger{log: l, scope: scope, level: level}
}

type scopeLogger struct {
	log   *caseLog
	scope string
	level logging.LogLevel
}

func (s *scopeLogger) logf(level logging.LogLevel, format string, args ...any) {
	if s.level < level {
		return
	}
	s.log.add(s.scope, level, fmt.Sprintf(format, args...))
}

func (s *scopeLogger) Trace(msg string) { s.logf(logging.LogLevelTrace, "%s", msg) }
func (s *scopeLogger) Tracef(format string, args ...any) {
	s.logf(logging.LogLevelTrace, format, args...)
}
func (s *scopeLogger) Debug(msg string) { s.logf(logging.LogLevelDebug, "%s", msg) }
func (s *scopeLogger) Debugf(format string, args ...any) {
	s.logf(logging.LogLevelDebug, format, args...)
}
func (s *scopeLogger) Info(msg string) { s.logf(logging.LogLevelInfo, "%s", msg) }
func (s *scopeLogger) Infof(format string, args ...any) {
	s.logf(logging.LogLevelInfo, format, args...)
}
func (s *scopeLogger) Warn(msg string) { s.logf(logging.LogLevelWarn, "%s", msg) }
func (s *scopeLogger) Warnf(format string, args ...any) {
	s.logf(logging.LogLevelWarn, format, args...)
}
func (s *scopeLogger) Error(msg string) { s.logf(logging.LogLevelError, "%s", msg) }
func (s *scopeLogger) Errorf(format string, args ...any) {
	s.logf(logging.LogLevelError, format, args...)
}
