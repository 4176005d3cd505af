package runner

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestInBubbles(t *testing.T) {
	var virtual [2]time.Duration
	var running, peak atomic.Int32
	track := func() func() {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		return func() { running.Add(-1) }
	}
	fns := []func(*testing.T){
		func(t *testing.T) { // an hour of virtual time
			defer track()()
			start := time.Now()
			<-time.After(time.Hour)
			virtual[0] = time.Since(start)
		},
		func(t *testing.T) { t.Fatal("fails") },
		func(t *testing.T) { panic("boom") },
		func(t *testing.T) { // a goroutine that ends with the bubble's own timer
			defer track()()
			done := make(chan struct{})
			go func() { <-time.After(time.Minute); close(done) }()
			start := time.Now()
			<-done
			virtual[1] = time.Since(start)
		},
	}
	ok := InBubbles(fns, 1)
	want := []bool{true, false, false, true}
	for i := range want {
		if ok[i] != want[i] {
			t.Errorf("fn %d: ok=%t, want %t", i, ok[i], want[i])
		}
	}
	if virtual[0] != time.Hour || virtual[1] != time.Minute {
		t.Errorf("virtual durations %v, want [1h 1m]", virtual)
	}
	if p := peak.Load(); p != 1 {
		t.Errorf("%d bubbles at once with parallel=1", p)
	}
	if got := InBubbles(nil, 0); len(got) != 0 {
		t.Errorf("no functions: %v", got)
	}
}
