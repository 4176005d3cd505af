package results

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Timeline geometry, in SVG user units; the SVG scales to the page width.
const (
	tlWidth   = 960.0
	tlLabelW  = 132.0 // left column: "peer · what"
	tlRight   = 16.0
	tlTop     = 20.0 // room for the "connected" label above the lanes
	tlLaneH   = 20.0
	tlLaneGap = 4.0
	tlPeerGap = 10.0
	tlAxisH   = 26.0
)

// timelineSVG is a state timeline laid out for the template: one lane per
// peer and state machine (signal, gather, ice, dtls, pc), each state a bar
// from its change to the next change (or the end of the plot).
type timelineSVG struct {
	Width, Height float64
	PlotX0        float64
	PlotX1        float64
	AxisY         float64
	Lanes         []tlLane
	Ticks         []tlTick
	// Connected marks the moment the call connected, when it did.
	Connected *tlTick
}

type tlLane struct {
	Y, H, TextY float64
	// SepY is where the separator above a new peer's lanes is drawn.
	SepY      float64
	Label     string
	FirstPeer bool // the first lane of a peer: drawn with a separator above
	Segs      []tlSeg
}

type tlSeg struct {
	X, W, TextX float64
	Class       string
	Label       string
	ShowLabel   bool
	Title       string
}

type tlTick struct {
	X      float64
	Label  string
	Anchor string // text-anchor: start, or end near the right edge
}

// laneOrder is the order state machines are drawn in, following a call's life.
var laneOrder = []string{"signal", "gather", "ice", "dtls", "pc"}

func buildTimeline(o Observed) *timelineSVG {
	if len(o.Timeline) == 0 {
		return nil
	}
	type key struct{ peer, what string }
	var peers []string
	lanes := map[key][]Event{}
	maxT := 0.0
	for _, e := range o.Timeline {
		if !slices.Contains(peers, e.Peer) {
			peers = append(peers, e.Peer)
		}
		k := key{e.Peer, e.What}
		lanes[k] = append(lanes[k], e)
		maxT = max(maxT, e.AtMS)
	}
	if o.Connected {
		maxT = max(maxT, o.ConnectMS)
	}
	// Leave room after the last change so final states show as bars.
	end := niceCeil(maxT * 1.08)
	if end <= 0 {
		end = 1
	}
	t := &timelineSVG{Width: tlWidth, PlotX0: tlLabelW, PlotX1: tlWidth - tlRight}
	scale := (t.PlotX1 - t.PlotX0) / end
	x := func(ms float64) float64 { return round1(t.PlotX0 + math.Max(0, ms)*scale) }

	y := tlTop
	for pi, p := range peers {
		var whats []string
		for k := range lanes {
			if k.peer == p {
				whats = append(whats, k.what)
			}
		}
		slices.SortFunc(whats, func(a, b string) int {
			ia, ib := laneRank(a), laneRank(b)
			if ia != ib {
				return ia - ib
			}
			return strings.Compare(a, b)
		})
		if pi > 0 {
			y += tlPeerGap
		}
		for wi, what := range whats {
			evs := slices.Clone(lanes[key{p, what}])
			slices.SortStableFunc(evs, func(a, b Event) int { return cmpFloat(a.AtMS, b.AtMS) })
			lane := tlLane{Y: y, H: tlLaneH, TextY: y + tlLaneH/2 + 4, SepY: y - tlPeerGap/2 - tlLaneGap/2,
				Label: p + " · " + what, FirstPeer: wi == 0 && pi > 0}
			for i, e := range evs {
				stop := end
				if i+1 < len(evs) {
					stop = evs[i+1].AtMS
				}
				x0, x1 := x(e.AtMS), x(stop)
				w := math.Max(x1-x0, 1.5)
				seg := tlSeg{
					X: x0, W: round1(w), TextX: round1(x0 + 4),
					Class: stateClass(e.State), Label: e.State,
					Title: fmt.Sprintf("%s %s: %s at %s", p, what, e.State, fmtMS(e.AtMS)),
				}
				// About 6.2 units per character at the 11px label size.
				seg.ShowLabel = w >= float64(len(e.State))*6.2+8
				lane.Segs = append(lane.Segs, seg)
			}
			t.Lanes = append(t.Lanes, lane)
			y += tlLaneH + tlLaneGap
		}
	}
	t.AxisY = y + 2
	t.Height = t.AxisY + tlAxisH
	step := niceStep(end / 6)
	for ms := 0.0; ms <= end+step/1000; ms += step {
		t.Ticks = append(t.Ticks, tlTick{X: x(ms), Label: fmtTick(ms, step)})
	}
	if o.Connected && o.ConnectMS > 0 {
		c := &tlTick{X: x(o.ConnectMS), Label: "connected " + fmtMS(o.ConnectMS), Anchor: "middle"}
		// Keep the label inside the plot: about 6.5 units per character.
		half := float64(len(c.Label)) * 6.5 / 2
		switch {
		case c.X+half > t.PlotX1:
			c.Anchor = "end"
		case c.X-half < t.PlotX0:
			c.Anchor = "start"
		}
		t.Connected = c
	}
	return t
}

func laneRank(what string) int {
	if i := slices.Index(laneOrder, what); i >= 0 {
		return i
	}
	return len(laneOrder)
}

// stateClass colours a state by what it means for the call, across the ICE,
// DTLS, peer-connection, gathering and signalling state machines.
func stateClass(state string) string {
	switch strings.ToLower(state) {
	case "connected", "completed", "complete", "stable", "open", "answer", "answered":
		return "st-ok"
	case "failed", "closed", "timeout", "error":
		return "st-bad"
	case "disconnected":
		return "st-warn"
	case "new", "":
		return "st-idle"
	default:
		return "st-work"
	}
}

// niceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// niceCeil rounds v up to a multiple of a nice step so the axis ends on a tick.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 0
	}
	s := niceStep(v / 6)
	return math.Ceil(v/s) * s
}

func fmtTick(ms, step float64) string {
	switch {
	case ms == 0:
		return "0"
	case step >= 1000 || ms >= 1000 && math.Mod(ms, 100) == 0:
		return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.2f", ms/1000), "0"), ".0") + "s"
	default:
		return fmt.Sprintf("%.0fms", ms)
	}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
