package runner

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/scenarios"
)

// bubble runs f once in its own synctest bubble from a benchmark, which has
// no *testing.T of its own.
func bubble(b *testing.B, f func(t *testing.T)) {
	b.Helper()
	ok := testing.RunTests(matchAll, []testing.InternalTest{{Name: "bubble", F: func(t *testing.T) { synctest.Test(t, f) }}})
	if !ok {
		b.Fatal("bubble failed")
	}
}

// BenchmarkFloor is the hand-written pion program of floor_test.go: the
// same call as BenchmarkCaseDirect with nothing of icelab in between.
func BenchmarkFloor(b *testing.B) {
	for b.Loop() {
		bubble(b, func(t *testing.T) {
			if err := floorCall(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
}

func benchCase(b *testing.B, path string) {
	c := loadCase(b, path, nil)
	var virtualMS float64
	for b.Loop() {
		bubble(b, func(t *testing.T) {
			r := Run(t.Context(), c, Options{Settle: synctest.Wait})
			if r.Verdict != results.Pass {
				t.Errorf("%s: %s %q", c.ID, r.Verdict, r.Reasons)
			}
			virtualMS = r.Observed.ConnectMS
		})
	}
	b.ReportMetric(virtualMS, "virtual-ms")
}

func BenchmarkCaseDirect(b *testing.B)  { benchCase(b, directFile) }
func BenchmarkCaseRelayed(b *testing.B) { benchCase(b, relayedFile) }
func BenchmarkCaseFailing(b *testing.B) { benchCase(b, failingFile) }

// BenchmarkLibrary runs the whole embedded library as `icelab run` does:
// every case in its own bubble, GOMAXPROCS at once.
func BenchmarkLibrary(b *testing.B) {
	files, err := scenarios.LoadFS(scenarios.Library(), ".")
	if err != nil {
		b.Fatal(err)
	}
	var jobs []Job
	for _, f := range files {
		for _, c := range f.Cases {
			jobs = append(jobs, Job{Case: c})
		}
	}
	for b.Loop() {
		for _, r := range RunAll(context.Background(), jobs, ExecOptions{}) {
			if r.Verdict != results.Pass {
				b.Fatalf("%s: %s %q", r.ID, r.Verdict, r.Reasons)
			}
		}
	}
	b.ReportMetric(float64(len(jobs)), "cases")
}
