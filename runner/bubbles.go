package runner

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"
	"testing/synctest"
)

// InBubbles runs every fn in its own testing/synctest bubble, so that each
// sees a virtual clock and must leave nothing running behind it, with at
// most parallel of them at once (0: GOMAXPROCS). It returns when all have
// finished; ok[i] reports whether fns[i] finished cleanly: it did not fail
// its *testing.T, did not panic, and its bubble neither deadlocked nor kept
// goroutines alive.
//
// It is the generic form of the executor RunAll uses for the virtual
// clock, for work that is not a call case (the NAT probe of `icelab
// probe-nat`). Outside `go test` it goes through testing.MainStart, with
// the caveat documented on RunAll; inside a test binary it uses
// testing.RunTests. It must not be called from inside a bubble.
func InBubbles(fns []func(t *testing.T), parallel int) []bool {
	return inBubbles(fns, parallel, nil)
}

// inBubbles is InBubbles with a callback run as soon as each bubble ends,
// for live progress.
func inBubbles(fns []func(t *testing.T), parallel int, after func(i int, clean bool)) []bool {
	ok := make([]bool, len(fns))
	if len(fns) == 0 {
		return ok
	}
	if parallel <= 0 {
		parallel = runtime.GOMAXPROCS(0)
	}
	sem := make(chan struct{}, parallel)
	tests := make([]testing.InternalTest, len(fns))
	for i, fn := range fns {
		tests[i] = testing.InternalTest{
			Name: "bubble-" + strconv.Itoa(i),
			F: func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				ok[i] = runBubble(t, fn)
				if after != nil {
					after(i, ok[i])
				}
			},
		}
	}
	if testing.Testing() {
		// Inside a test binary (benchmarks, the command's own tests) the
		// testing package is already initialised: RunTests runs the
		// bubbles as top-level tests of this binary without a second
		// MainStart.
		_ = flag.Set("test.parallel", strconv.Itoa(parallel))
		testing.RunTests(matchAll, tests)
		return ok
	}
	mainStartOnce.Lock()
	defer mainStartOnce.Unlock()
	m := testing.MainStart(testDeps{}, tests, nil, nil, nil)
	// testing reads its own flags from flag.CommandLine; parse them here
	// so that it does not look at the icelab command line. The semaphore
	// above is the real limit; -test.parallel only must not be lower.
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse([]string{"-test.parallel=" + strconv.Itoa(parallel)})
	} else {
		_ = flag.Set("test.parallel", strconv.Itoa(parallel))
	}
	// testing prints PASS/FAIL and test names to os.Stdout, which belongs
	// to the caller. Silence it for the duration.
	stdout := os.Stdout
	if devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stdout = devnull
		defer func() { os.Stdout = stdout; _ = devnull.Close() }()
	}
	_ = m.Run()
	return ok
}

func matchAll(_, _ string) (bool, error) { return true, nil }

// runBubble runs fn in a bubble of t and reports whether it finished
// cleanly. A panic of fn, and synctest's own panic for a deadlocked bubble
// or goroutines left behind, fail t instead of ending the process.
func runBubble(t *testing.T, fn func(*testing.T)) (clean bool) {
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("bubble: %v", p)
			clean = false
		}
	}()
	synctest.Test(t, func(t *testing.T) {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("panic: %v", p)
			}
		}()
		fn(t)
	})
	return !t.Failed()
}
