package results

import (
	"fmt"
	"io"
	"testing"
)

// bigRun is a run the size of a large matrix sweep: n copies of the fixture
// with distinct ids.
func bigRun(n int) *Run {
	r := fixtureRun()
	base := r.Cases
	r.Cases = nil
	for i := range n {
		for _, c := range base {
			cp := *c
			cp.ID = fmt.Sprintf("%s#%d", c.ID, i)
			r.Cases = append(r.Cases, &cp)
		}
	}
	return r
}

func benchWriter(b *testing.B, write func(io.Writer, *Run) error) {
	r := bigRun(50) // 500 cases
	b.ReportAllocs()
	for b.Loop() {
		if err := write(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteJSON(b *testing.B)     { benchWriter(b, WriteJSON) }
func BenchmarkWriteJUnit(b *testing.B)    { benchWriter(b, WriteJUnit) }
func BenchmarkWriteMarkdown(b *testing.B) { benchWriter(b, WriteMarkdown) }
func BenchmarkWriteHTML(b *testing.B)     { benchWriter(b, WriteHTML) }

func BenchmarkCompare(b *testing.B) {
	base, cur := bigRun(500), bigRun(500) // 5000 cases each
	cur.Cases[3].Observed.Path = "relayed"
	b.ReportAllocs()
	for b.Loop() {
		if d := Compare(base, cur, DiffOptions{}); d.Regressions == 0 {
			b.Fatal("no regression found")
		}
	}
}
