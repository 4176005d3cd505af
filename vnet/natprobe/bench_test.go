package natprobe

import (
	"testing"
	"testing/synctest"
	"time"
)

// BenchmarkProbe is the wall cost of probing one port-restricted network
// completely (mapping, filtering, hairpinning and the 30s lifetime search:
// about three virtual minutes), world built and torn down each time, on the
// virtual clock.
func BenchmarkProbe(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"full", Options{}},
		{"no-lifetime", Options{SkipLifetime: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := lan(nat(ei, apd, true, 0))
			n := b.N
			var virtual time.Duration
			// synctest.Test needs a *testing.T; a benchmark has none, so
			// run one through testing.RunTests.
			ok := testing.RunTests(func(_, _ string) (bool, error) { return true, nil }, []testing.InternalTest{{
				Name: b.Name(),
				F: func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						for range n {
							start := time.Now()
							got, err := Probe(t.Context(), s, bc.opts)
							if err != nil {
								t.Fatal(err)
							}
							if got["lan"].Filtering != apd {
								t.Fatalf("misclassified: %s", got["lan"].Summary())
							}
							virtual += time.Since(start)
						}
					})
				},
			}})
			if !ok {
				b.Fatal("probe failed")
			}
			b.ReportMetric(virtual.Seconds()/float64(n), "virtual-s/op")
		})
	}
}
