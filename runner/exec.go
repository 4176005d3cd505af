package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/scenarios"
)

// Clocks a run can use.
const (
	ClockVirtual = "virtual"
	ClockReal    = "real"
)

// Job is one case to run, with its seed (0: derived from the id).
type Job struct {
	Case *scenarios.Case
	Seed int64
}

// ExecOptions control a batch of cases.
type ExecOptions struct {
	Options
	Clock    string // virtual (default) or real
	Parallel int    // cases at once; 0 = GOMAXPROCS
	// Done is called once per finished case, from any goroutine, serialised.
	Done func(index int, r *results.Result)
}

// RunT runs one case inside t, on a virtual clock: the whole case lives in
// its own synctest bubble, so its timers cost nothing and nothing it starts
// may outlive it (synctest fails the test if a goroutine is left behind).
func RunT(t *testing.T, c *scenarios.Case, opts Options) *results.Result {
	t.Helper()
	var res *results.Result
	synctest.Test(t, func(t *testing.T) {
		o := opts
		o.Settle = synctest.Wait
		res = Run(t.Context(), c, o)
	})
	return res
}

// RunAll runs jobs and returns their results in job order.
//
// With the virtual clock outside `go test`, each case needs a *testing.T to
// open a synctest bubble. The only way to get one in a plain binary is
// testing.MainStart, which the Go team documents as internal to `go test` and
// outside the compatibility promise. We accept that: if a Go release changes
// it, icelab fails to compile (never silently misbehaves), and --clock real
// keeps working. See README, "Virtual time".
func RunAll(ctx context.Context, jobs []Job, opts ExecOptions) []*results.Result {
	out := make([]*results.Result, len(jobs))
	var mu sync.Mutex
	done := func(i int, r *results.Result) {
		mu.Lock()
		defer mu.Unlock()
		out[i] = r
		if opts.Done != nil {
			opts.Done(i, r)
		}
	}
	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = runtime.GOMAXPROCS(0)
	}
	if opts.Clock == ClockReal {
		runReal(ctx, jobs, opts, parallel, done)
		return out
	}
	runVirtual(jobs, opts, parallel, done)
	return out
}

func runReal(ctx context.Context, jobs []Job, opts ExecOptions, parallel int, done func(int, *results.Result)) {
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			o := opts.Options
			o.Seed = j.Seed
			done(i, Run(ctx, j.Case, o))
		}()
	}
	wg.Wait()
}

var mainStartOnce sync.Mutex

func runVirtual(jobs []Job, opts ExecOptions, parallel int, done func(int, *results.Result)) {
	tests := make([]testing.InternalTest, len(jobs))
	for i, j := range jobs {
		tests[i] = testing.InternalTest{
			Name: strconv.Itoa(i),
			F: func(t *testing.T) {
				t.Parallel()
				o := opts.Options
				o.Seed = j.Seed
				var res *results.Result
				synctest.Test(t, func(t *testing.T) {
					o.Settle = synctest.Wait
					res = runProtected(t.Context(), j.Case, o)
				})
				if res == nil {
					// synctest reported a fault of the case itself (a
					// goroutine left behind, a deadlock): that is a harness
					// error for this case, not a crash of the run.
					res = newResult(j.Case)
					res.Verdict = results.Error
					res.Reasons = []string{"case did not finish cleanly in its virtual-time bubble"}
				}
				done(i, res)
			},
		}
	}
	mainStartOnce.Lock()
	defer mainStartOnce.Unlock()
	if testing.Testing() {
		// Inside a test binary (benchmarks, the command's own tests) the
		// testing package is already initialised: RunTests runs the cases
		// as top-level tests of this binary without a second MainStart.
		_ = flag.Set("test.parallel", strconv.Itoa(parallel))
		_ = testing.RunTests(matchAll, tests)
		return
	}
	m := testing.MainStart(testDeps{}, tests, nil, nil, nil)
	// testing reads its own flags from flag.CommandLine; parse them here so it
	// does not look at the icelab command line.
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse([]string{"-test.parallel=" + strconv.Itoa(parallel)})
	} else {
		_ = flag.Set("test.parallel", strconv.Itoa(parallel))
	}
	// testing prints PASS/FAIL and test names to os.Stdout; the caller's
	// output is ours. Silence it for the duration.
	stdout := os.Stdout
	if devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stdout = devnull
		defer func() { os.Stdout = stdout; _ = devnull.Close() }()
	}
	_ = m.Run()
}

func matchAll(_, _ string) (bool, error) { return true, nil }

// runProtected turns a panic inside a case into an error verdict rather than
// the end of the whole run.
func runProtected(ctx context.Context, c *scenarios.Case, o Options) (res *results.Result) {
	defer func() {
		if p := recover(); p != nil {
			res = newResult(c)
			res.Verdict = results.Error
			res.Reasons = []string{fmt.Sprintf("panic: %v", p)}
		}
	}()
	return Run(ctx, c, o)
}

// testDeps is the minimal testing.MainStart dependency set: no profiling,
// no fuzzing, no coverage; every test name matches.
type testDeps struct{}

type corpusEntry = struct {
	Parent     string
	Path       string
	Data       []byte
	Values     []any
	Generation int
	IsSeed     bool
}

var errNotSupported = errors.New("not supported by icelab")

func (testDeps) ImportPath() string                          { return "github.com/icelab/icelab" }
func (testDeps) ModulePath() string                          { return "github.com/icelab/icelab" }
func (testDeps) MatchString(_, _ string) (bool, error)       { return true, nil }
func (testDeps) SetPanicOnExit0(bool)                        {}
func (testDeps) StartCPUProfile(io.Writer) error             { return errNotSupported }
func (testDeps) StopCPUProfile()                             {}
func (testDeps) StartTestLog(io.Writer)                      {}
func (testDeps) StopTestLog() error                          { return nil }
func (testDeps) WriteProfileTo(string, io.Writer, int) error { return errNotSupported }
func (testDeps) CoordinateFuzzing(time.Duration, int64, time.Duration, int64, int, []corpusEntry, []reflect.Type, string, string) error {
	return errNotSupported
}
func (testDeps) RunFuzzWorker(func(corpusEntry) error) error              { return errNotSupported }
func (testDeps) ReadCorpus(string, []reflect.Type) ([]corpusEntry, error) { return nil, nil }
func (testDeps) CheckCorpus([]any, []reflect.Type) error                  { return nil }
func (testDeps) ResetCoverage()                                           {}
func (testDeps) SnapshotCoverage()                                        {}
func (testDeps) InitRuntimeCoverage() (string, func(string, string) (string, error), func() float64) {
	return "", nil, nil
}
