package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
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

// mainStartOnce serialises virtual-clock batches: testing's flags and
// MainStart are process-wide.
var mainStartOnce sync.Mutex

func runVirtual(jobs []Job, opts ExecOptions, parallel int, done func(int, *results.Result)) {
	res := make([]*results.Result, len(jobs))
	fns := make([]func(*testing.T), len(jobs))
	for i, j := range jobs {
		fns[i] = func(t *testing.T) {
			o := opts.Options
			o.Seed = j.Seed
			o.Settle = synctest.Wait
			res[i] = runProtected(t.Context(), j.Case, o)
		}
	}
	inBubbles(fns, parallel, func(i int, clean bool) {
		r := res[i]
		if !clean || r == nil {
			// synctest reported a fault of the case itself (a goroutine
			// left behind, a deadlock): a harness error for this case,
			// not a crash of the run.
			if r == nil {
				r = newResult(jobs[i].Case)
			}
			r.Verdict = results.Error
			r.Reasons = append(r.Reasons, "case did not finish cleanly in its virtual-time bubble (a goroutine outlived it or it deadlocked)")
		}
		done(i, r)
	})
}

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
