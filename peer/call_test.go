package peer

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/icelab/icelab/results"
	pvnet "github.com/pion/transport/v3/vnet"
	"github.com/pion/webrtc/v4"
)

// callCase is one call between A (offerer) and B (answerer) in a fresh world.
type callCase struct {
	name    string
	world   worldSpec
	a, b    Config // Name and Net are filled in
	timeout time.Duration
	check   func(t *testing.T, r *CallResult)
}

const (
	probeMessages = 10
	probeSize     = 1200
)

func TestCall(t *testing.T) {
	cases := []callCase{
		{
			name:  "same LAN host to host",
			world: worldSpec{sameLAN: true},
			check: func(t *testing.T, r *CallResult) {
				wantConnected(t, r)
				// A check that beats the trickled candidate makes the remote
				// peer-reflexive (same address); both are direct host paths.
				wantSelected(t, "A", r.Offerer, hostA, hostA2)
				wantSelected(t, "B", r.Answerer, hostA2, hostA)
			},
		},
		{
			name:  "port-restricted both sides with STUN",
			world: worldSpec{natA: portRestricted, natB: portRestricted},
			a:     Config{ICEServers: []webrtc.ICEServer{stunServer}},
			b:     Config{ICEServers: []webrtc.ICEServer{stunServer}},
			check: func(t *testing.T, r *CallResult) {
				wantConnected(t, r)
				wantDirect(t, r)
				// Each side reaches the other at its NAT's public address.
				wantRemoteIP(t, "A", r.Offerer, publicB)
				wantRemoteIP(t, "B", r.Answerer, publicA)
				wantGatheredTypes(t, "A", r.Offerer, TypeHost, TypeSrflx)
			},
		},
		{
			name:    "symmetric both sides without TURN fails",
			world:   worldSpec{natA: symmetric, natB: symmetric},
			a:       Config{ICEServers: []webrtc.ICEServer{stunServer}},
			b:       Config{ICEServers: []webrtc.ICEServer{stunServer}},
			timeout: 10 * time.Second,
			check: func(t *testing.T, r *CallResult) {
				wantFailed(t, r, "ice failed after ")
			},
		},
		{
			name:  "symmetric both sides with TURN relays",
			world: worldSpec{natA: symmetric, natB: symmetric},
			a:     Config{ICEServers: []webrtc.ICEServer{stunServer, turnServer}},
			b:     Config{ICEServers: []webrtc.ICEServer{stunServer}},
			check: func(t *testing.T, r *CallResult) {
				wantConnected(t, r)
				if !isRelay(r.Offerer.Selected.Local) && !isRelay(r.Answerer.Selected.Local) {
					t.Errorf("no side's selected local candidate is relay: A %+v, B %+v",
						r.Offerer.Selected, r.Answerer.Selected)
				}
			},
		},
		{
			name:  "relay policy both sides",
			world: worldSpec{natA: portRestricted, natB: portRestricted},
			a:     Config{ICEServers: []webrtc.ICEServer{turnServer}, Policy: webrtc.ICETransportPolicyRelay},
			b:     Config{ICEServers: []webrtc.ICEServer{turnServer}, Policy: webrtc.ICETransportPolicyRelay},
			check: func(t *testing.T, r *CallResult) {
				wantConnected(t, r)
				for _, s := range []struct {
					name string
					side Side
				}{{"A", r.Offerer}, {"B", r.Answerer}} {
					if s.side.Selected.Local.Type != TypeRelay || s.side.Selected.Remote.Address != serverIP {
						t.Errorf("%s selected %+v, want relay to relay via %s", s.name, s.side.Selected, serverIP)
					}
					wantGatheredTypes(t, s.name, s.side, TypeRelay)
				}
			},
		},
		{
			name:  "mdns offerer on the same LAN",
			world: worldSpec{sameLAN: true},
			a:     Config{MDNS: true},
			check: func(t *testing.T, r *CallResult) {
				wantConnected(t, r)
				wantHidden(t, r.Offerer, r.Answerer)
				// B could not resolve A's name: it learnt A from A's checks.
				if got := r.Answerer.Selected.Remote; got.Type != "prflx" || got.Address != hostA {
					t.Errorf("B selected remote %+v, want prflx %s", got, hostA)
				}
			},
		},
		{
			name:  "mdns answerer behind NAT with STUN",
			world: worldSpec{natA: portRestricted, natB: portRestricted},
			a:     Config{ICEServers: []webrtc.ICEServer{stunServer}},
			b:     Config{ICEServers: []webrtc.ICEServer{stunServer}, MDNS: true},
			check: func(t *testing.T, r *CallResult) {
				wantConnected(t, r)
				wantHidden(t, r.Answerer, r.Offerer)
				for _, c := range r.Offerer.Remote {
					if c.Type == TypeSrflx && (c.RelatedAddress != "0.0.0.0" || c.RelatedPort != 0) {
						t.Errorf("B's srflx leaks its related address: %+v", c)
					}
				}
			},
		},
		{
			name:  "no host candidates",
			world: worldSpec{natA: portRestricted, natB: portRestricted},
			a:     Config{ICEServers: []webrtc.ICEServer{stunServer, turnServer}, Candidates: []string{TypeSrflx, TypeRelay}},
			b:     Config{ICEServers: []webrtc.ICEServer{stunServer}},
			check: func(t *testing.T, r *CallResult) {
				wantConnected(t, r)
				wantNoType(t, "A gathered", r.Offerer.Gathered, TypeHost)
				wantNoType(t, "B received", r.Answerer.Remote, TypeHost)
				wantGatheredTypes(t, "A", r.Offerer, TypeSrflx, TypeRelay)
			},
		},
		{
			name:  "no srflx although TURN yields one",
			world: worldSpec{natA: portRestricted, natB: symmetric},
			a:     Config{ICEServers: []webrtc.ICEServer{stunServer, turnServer}, Candidates: []string{TypeHost, TypeRelay}},
			b:     Config{ICEServers: []webrtc.ICEServer{stunServer}},
			check: func(t *testing.T, r *CallResult) {
				wantConnected(t, r)
				wantNoType(t, "A gathered", r.Offerer.Gathered, TypeSrflx)
				wantNoType(t, "B received", r.Answerer.Remote, TypeSrflx)
				wantGatheredTypes(t, "A", r.Offerer, TypeHost, TypeRelay)
			},
		},
		{
			name: "dtls blocked times out",
			world: worldSpec{natA: portRestricted, natB: portRestricted, wanFilter: func(c pvnet.Chunk) bool {
				return !isDTLS(c.UserData())
			}},
			a: Config{ICEServers: []webrtc.ICEServer{stunServer}},
			b: Config{ICEServers: []webrtc.ICEServer{stunServer}},
			check: func(t *testing.T, r *CallResult) {
				wantFailed(t, r, "dtls handshake timeout after ")
				wantEvent(t, r.Offerer, whatICE, "connected")
			},
		},
		{
			name: "large messages lost",
			world: worldSpec{natA: portRestricted, natB: portRestricted, wanFilter: func(c pvnet.Chunk) bool {
				// DTLS application data big enough to carry a probe message.
				d := c.UserData()
				return !(len(d) > probeSize && d[0] == 23)
			}},
			a:       Config{ICEServers: []webrtc.ICEServer{stunServer}},
			b:       Config{ICEServers: []webrtc.ICEServer{stunServer}},
			timeout: 5 * time.Second,
			check: func(t *testing.T, r *CallResult) {
				wantFailed(t, r, "data: 0/10 echoed")
				if r.ConnectTime <= 0 || r.DataSent != probeMessages {
					t.Errorf("channels opened and every message went out, got connect %v sent %d",
						r.ConnectTime, r.DataSent)
				}
			},
		},
	}
	for _, tc := range cases {
		for _, trickle := range []bool{true, false} {
			name := tc.name + "/non-trickle"
			if trickle {
				name = tc.name + "/trickle"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) { runCase(t, tc, trickle) })
			})
		}
	}
}

func runCase(t *testing.T, tc callCase, trickle bool) {
	w := newWorld(t, tc.world)
	tc.a.Name, tc.a.Net, tc.a.Seed = "A", w.a, 1
	tc.b.Name, tc.b.Net, tc.b.Seed = "B", w.b, 1
	a, b := newTestPeer(t, tc.a), newTestPeer(t, tc.b)
	timeout := tc.timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	start := time.Now()
	r, err := Call(t.Context(), a, b, CallOptions{
		Trickle: trickle, Timeout: timeout, Messages: probeMessages, Size: probeSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if took > timeout+time.Second {
		t.Errorf("Call returned after %v, past its %v timeout", took, timeout)
	}
	t.Logf("virtual: call %v, connect %v, failure %q, A %s, B %s",
		took, r.ConnectTime, r.Failure, pairString(r.Offerer.Selected), pairString(r.Answerer.Selected))
	wantTimeline(t, r)
	tc.check(t, r)
}

func TestCallCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, worldSpec{natA: symmetric, natB: symmetric})
		a := newTestPeer(t, Config{Name: "A", Net: w.a})
		b := newTestPeer(t, Config{Name: "B", Net: w.b})
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		r, err := Call(ctx, a, b, CallOptions{Trickle: true, Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != 300*time.Millisecond {
			t.Errorf("returned after %v, want when ctx ended (300ms)", took)
		}
		if r.Connected || !strings.HasPrefix(r.Failure, "cancelled: ") {
			t.Errorf("got connected=%v failure %q, want a cancelled failure", r.Connected, r.Failure)
		}
	})
}

// TestCallDeterministic checks that a seeded call signals the same
// credentials and mDNS names twice.
func TestCallDeterministic(t *testing.T) {
	run := func() (ufrag string, remote []results.Candidate) {
		synctest.Test(t, func(t *testing.T) {
			w := newWorld(t, worldSpec{sameLAN: true})
			a := newTestPeer(t, Config{Name: "A", Net: w.a, MDNS: true, Seed: 42})
			b := newTestPeer(t, Config{Name: "B", Net: w.b, Seed: 42})
			r, err := Call(t.Context(), a, b, CallOptions{Trickle: false, Messages: 1, Size: 10})
			if err != nil {
				t.Fatal(err)
			}
			wantConnected(t, r)
			remote = r.Answerer.Remote
			p, err := b.pcs[0].RemoteDescription().Unmarshal()
			if err != nil {
				t.Fatal(err)
			}
			ufrag, _ = p.MediaDescriptions[0].Attribute("ice-ufrag")
		})
		return ufrag, remote
	}
	u1, r1 := run()
	u2, r2 := run()
	if u1 == "" || u1 != u2 {
		t.Errorf("offerer ufrag %q then %q, want equal and set", u1, u2)
	}
	hostNames := func(cs []results.Candidate) []string {
		var out []string
		for _, c := range cs {
			if c.Type == TypeHost {
				out = append(out, c.Address)
			}
		}
		return out
	}
	if n1, n2 := hostNames(r1), hostNames(r2); len(n1) == 0 || !slices.Equal(n1, n2) {
		t.Errorf("mDNS names %v then %v, want equal and non-empty", n1, n2)
	}
}

func TestCallBadOptions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, worldSpec{sameLAN: true})
		a := newTestPeer(t, Config{Name: "A", Net: w.a})
		b := newTestPeer(t, Config{Name: "B", Net: w.b})
		for _, tc := range []struct {
			name     string
			off, ans *Peer
			opts     CallOptions
		}{
			{"self", a, a, CallOptions{}},
			{"nil", a, nil, CallOptions{}},
			{"negative timeout", a, b, CallOptions{Timeout: -1}},
			{"negative messages", a, b, CallOptions{Messages: -1}},
			{"zero size", a, b, CallOptions{Messages: 1}},
			{"huge size", a, b, CallOptions{Messages: 1, Size: maxMessageSize + 1}},
		} {
			if _, err := Call(t.Context(), tc.off, tc.ans, tc.opts); err == nil {
				t.Errorf("%s: no error", tc.name)
			}
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := Call(t.Context(), a, b, CallOptions{}); err == nil {
			t.Error("call to a closed peer: no error")
		}
	})
}

// isDTLS reports whether a UDP payload is a DTLS record (RFC 7983: first
// byte 20..63); STUN starts with 0 or 1.
func isDTLS(b []byte) bool { return len(b) > 0 && b[0] >= 20 && b[0] <= 63 }

func isRelay(c results.Candidate) bool { return c.Type == TypeRelay }

func pairString(p *results.Pair) string {
	if p == nil {
		return "-"
	}
	return p.Local.Type + " " + p.Local.Address + " <-> " + p.Remote.Type + " " + p.Remote.Address
}

func wantConnected(t *testing.T, r *CallResult) {
	t.Helper()
	if !r.Connected || r.Failure != "" {
		t.Fatalf("not connected: %q", r.Failure)
	}
	if r.ConnectTime <= 0 {
		t.Errorf("connect time %v", r.ConnectTime)
	}
	if r.Offerer.Selected == nil || r.Answerer.Selected == nil {
		t.Fatalf("selected pair missing: A %v, B %v", r.Offerer.Selected, r.Answerer.Selected)
	}
	if want := probeMessages; r.DataSent > 1 && (r.DataSent != want || r.DataEchoed != want) {
		t.Errorf("data %d sent, %d echoed; want %d/%d", r.DataSent, r.DataEchoed, want, want)
	}
	if r.DataEchoed != r.DataSent {
		t.Errorf("data %d sent, %d echoed", r.DataSent, r.DataEchoed)
	}
}

func wantFailed(t *testing.T, r *CallResult, prefix string) {
	t.Helper()
	if r.Connected {
		t.Fatalf("connected, want failure %q", prefix)
	}
	if !strings.HasPrefix(r.Failure, prefix) {
		t.Errorf("failure %q, want prefix %q", r.Failure, prefix)
	}
}

func wantDirect(t *testing.T, r *CallResult) {
	t.Helper()
	for _, p := range []*results.Pair{r.Offerer.Selected, r.Answerer.Selected} {
		if isRelay(p.Local) || isRelay(p.Remote) || p.Remote.Address == serverIP {
			t.Errorf("relayed pair %s, want direct", pairString(p))
		}
	}
}

// wantSelected checks a host-to-host pair: local host at la, remote at ra as
// host or, when an inbound check came first, prflx.
func wantSelected(t *testing.T, who string, s Side, la, ra string) {
	t.Helper()
	p := s.Selected
	if p.Local.Type != TypeHost || p.Local.Address != la ||
		(p.Remote.Type != TypeHost && p.Remote.Type != "prflx") || p.Remote.Address != ra {
		t.Errorf("%s selected %s, want host %s <-> host/prflx %s", who, pairString(p), la, ra)
	}
}

func wantRemoteIP(t *testing.T, who string, s Side, ip string) {
	t.Helper()
	if s.Selected.Remote.Address != ip {
		t.Errorf("%s selected %s, want remote %s", who, pairString(s.Selected), ip)
	}
}

func wantGatheredTypes(t *testing.T, who string, s Side, types ...string) {
	t.Helper()
	var got []string
	for _, c := range s.Gathered {
		if !slices.Contains(got, c.Type) {
			got = append(got, c.Type)
		}
	}
	slices.Sort(got)
	types = slices.Clone(types)
	slices.Sort(types)
	if !slices.Equal(got, types) {
		t.Errorf("%s gathered types %v, want %v (%+v)", who, got, types, s.Gathered)
	}
}

func wantNoType(t *testing.T, what string, cs []results.Candidate, typ string) {
	t.Helper()
	for _, c := range cs {
		if c.Type == typ {
			t.Errorf("%s a %s candidate: %+v", what, typ, c)
		}
	}
}

// wantHidden checks that none of hidden's host addresses reached other, and
// that other received hidden's hosts as .local names instead.
func wantHidden(t *testing.T, hidden, other Side) {
	t.Helper()
	var hosts []string
	for _, c := range hidden.Gathered {
		if c.Type == TypeHost {
			hosts = append(hosts, c.Address)
		}
	}
	if len(hosts) == 0 {
		t.Fatal("the mDNS peer gathered no host candidate")
	}
	names := 0
	for _, c := range other.Remote {
		if slices.Contains(hosts, c.Address) || slices.Contains(hosts, c.RelatedAddress) {
			t.Errorf("host address leaked: %+v", c)
		}
		if c.Type == TypeHost {
			if !strings.HasSuffix(c.Address, ".local") {
				t.Errorf("host candidate not hidden: %+v", c)
			}
			names++
		}
	}
	if names == 0 {
		t.Errorf("no .local candidate received: %+v", other.Remote)
	}
}

func wantEvent(t *testing.T, s Side, what, state string) {
	t.Helper()
	for _, e := range s.Events {
		if e.What == what && e.State == state {
			return
		}
	}
	t.Errorf("no %s %s event in %+v", what, state, s.Events)
}

// wantTimeline checks what every call's timeline must show.
func wantTimeline(t *testing.T, r *CallResult) {
	t.Helper()
	for _, s := range []Side{r.Offerer, r.Answerer} {
		if !slices.IsSortedFunc(s.Events, func(a, b results.Event) int {
			return int(a.AtMS - b.AtMS)
		}) {
			t.Errorf("events not in time order: %+v", s.Events)
		}
		wantEvent(t, s, whatGather, "gathering")
		wantEvent(t, s, whatICE, "checking")
		if r.Connected {
			wantEvent(t, s, whatICE, "connected")
			wantEvent(t, s, whatDTLS, "connected")
			wantEvent(t, s, whatPC, "connected")
		}
	}
	wantEvent(t, r.Offerer, whatSignal, "offer")
	wantEvent(t, r.Answerer, whatSignal, "answer")
}

// TestCallPeerClosedMidCall: closing a peer under a running call ends the
// call as a failure, not a harness error, and leaks nothing.
func TestCallPeerClosedMidCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, worldSpec{natA: symmetric, natB: symmetric})
		a := newTestPeer(t, Config{Name: "A", Net: w.a, ICEServers: []webrtc.ICEServer{stunServer}})
		b := newTestPeer(t, Config{Name: "B", Net: w.b, ICEServers: []webrtc.ICEServer{stunServer}})
		time.AfterFunc(time.Second, func() {
			if err := a.Close(); err != nil {
				t.Error(err)
			}
		})
		start := time.Now()
		r, err := Call(t.Context(), a, b, CallOptions{Trickle: true})
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != time.Second {
			t.Errorf("returned after %v, want at the close (1s)", took)
		}
		wantFailed(t, r, "connection closed after 1.00s")
	})
}
