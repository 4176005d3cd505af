package peer

import (
	"slices"
	"sync"
	"time"

	"github.com/icelab/icelab/results"
)

// Event kinds (results.Event.What).
const (
	whatICE    = "ice"
	whatDTLS   = "dtls"
	whatPC     = "pc"
	whatGather = "gather"
	whatSignal = "signal"
)

// observer records what one side of a call saw. Pion invokes handlers on its
// own goroutines, also after Call returned; freeze makes them no-ops so the
// snapshot handed to the caller never changes under it.
type observer struct {
	peer   string
	start  time.Time
	notify func() // wakes the call loop; never blocks

	mu       sync.Mutex
	frozen   bool
	events   []results.Event
	gathered []results.Candidate
	remote   []results.Candidate
	seen     map[results.Candidate]bool // remote dedup (SDP + trickle)
	firstAt  map[string]time.Duration   // "what/state" → first time seen
	dcOpen   bool
	dcAt     time.Duration // when dcOpen became true
}

func newObserver(peer string, start time.Time, notify func()) *observer {
	return &observer{
		peer:    peer,
		start:   start,
		notify:  notify,
		seen:    map[results.Candidate]bool{},
		firstAt: map[string]time.Duration{},
	}
}

// event records a state change at the current time.
func (o *observer) event(what, state string) {
	at := time.Since(o.start)
	o.mu.Lock()
	if !o.frozen {
		o.events = append(o.events, results.Event{
			AtMS:  float64(at) / float64(time.Millisecond),
			Peer:  o.peer,
			What:  what,
			State: state,
		})
		if _, ok := o.firstAt[what+"/"+state]; !ok {
			o.firstAt[what+"/"+state] = at
		}
	}
	o.mu.Unlock()
	o.notify()
}

// when returns the call-relative time what/state was first seen.
func (o *observer) when(what, state string) (time.Duration, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, ok := o.firstAt[what+"/"+state]
	return d, ok
}

func (o *observer) addGathered(c results.Candidate) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.frozen {
		o.gathered = append(o.gathered, c)
	}
}

func (o *observer) addRemote(c results.Candidate) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.frozen && !o.seen[c] {
		o.seen[c] = true
		o.remote = append(o.remote, c)
	}
}

func (o *observer) setOpen() {
	at := time.Since(o.start)
	o.mu.Lock()
	if !o.dcOpen {
		o.dcOpen, o.dcAt = true, at
	}
	o.mu.Unlock()
	o.notify()
}

func (o *observer) open() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.dcOpen
}

// openAt returns when the probe channel opened (call-relative).
func (o *observer) openAt() time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.dcAt
}

// freeze stops recording and returns copies of what was recorded.
func (o *observer) freeze() (events []results.Event, gathered, remote []results.Candidate) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.frozen = true
	events = slices.Clone(o.events)
	// Handlers run on several pion goroutines; keep the timeline in time
	// order even if two of them appended out of order.
	slices.SortStableFunc(events, func(a, b results.Event) int {
		switch {
		case a.AtMS < b.AtMS:
			return -1
		case a.AtMS > b.AtMS:
			return 1
		}
		return 0
	})
	return events,
		append([]results.Candidate(nil), o.gathered...),
		append([]results.Candidate(nil), o.remote...)
}
