package peer

import (
	"slices"
	"testing"

	pvnet "github.com/pion/transport/v3/vnet"
	"github.com/pion/webrtc/v4"
)

func TestFilterServers(t *testing.T) {
	servers := []webrtc.ICEServer{
		{URLs: []string{"stun:1.2.3.4:3478"}},
		{URLs: []string{"turn:1.2.3.4:3478?transport=udp", "stun:5.6.7.8"}, Username: "u", Credential: "p"},
	}
	urls := func(ss []webrtc.ICEServer) (out []string) {
		for _, s := range ss {
			out = append(out, s.URLs...)
		}
		return out
	}
	for _, tc := range []struct {
		want candidateSet
		urls []string
	}{
		{candidateSet{true, true, true}, []string{"stun:1.2.3.4:3478", "turn:1.2.3.4:3478?transport=udp", "stun:5.6.7.8"}},
		{candidateSet{host: true, relay: true}, []string{"turn:1.2.3.4:3478?transport=udp"}},
		{candidateSet{host: true, srflx: true}, []string{"stun:1.2.3.4:3478", "stun:5.6.7.8"}},
		{candidateSet{host: true}, nil},
	} {
		got, err := filterServers(servers, tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(urls(got), tc.urls) {
			t.Errorf("%+v: got %q, want %q", tc.want, urls(got), tc.urls)
		}
		for _, s := range got {
			if len(s.URLs) == 0 {
				t.Errorf("%+v: empty server kept", tc.want)
			}
		}
	}
	if servers[1].URLs[1] != "stun:5.6.7.8" {
		t.Error("caller's servers modified")
	}
	if _, err := filterServers([]webrtc.ICEServer{{URLs: []string{"http://x"}}}, candidateSet{}); err == nil {
		t.Error("unknown scheme accepted")
	}
}

func TestTransportPolicy(t *testing.T) {
	all := candidateSet{true, true, true}
	noHost := candidateSet{srflx: true, relay: true}
	for _, tc := range []struct {
		in   webrtc.ICETransportPolicy
		want candidateSet
		out  webrtc.ICETransportPolicy
	}{
		{webrtc.ICETransportPolicyAll, all, webrtc.ICETransportPolicyAll},
		{webrtc.ICETransportPolicyAll, noHost, webrtc.ICETransportPolicyNoHost},
		{webrtc.ICETransportPolicyRelay, all, webrtc.ICETransportPolicyRelay},
		{webrtc.ICETransportPolicyRelay, noHost, webrtc.ICETransportPolicyRelay},
	} {
		got, err := transportPolicy(tc.in, tc.want)
		if err != nil || got != tc.out {
			t.Errorf("transportPolicy(%v, %+v) = %v, %v; want %v", tc.in, tc.want, got, err, tc.out)
		}
	}
	if _, err := transportPolicy(99, all); err == nil {
		t.Error("unknown policy accepted")
	}
}

func TestNewRejects(t *testing.T) {
	vnetBuildMu.Lock()
	n, err := pvnet.NewNet(&pvnet.NetConfig{StaticIPs: []string{"10.0.0.1"}})
	vnetBuildMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]Config{
		"no name":        {Net: n},
		"no net":         {Name: "a"},
		"bad type":       {Name: "a", Net: n, Candidates: []string{"prflx"}},
		"bad url":        {Name: "a", Net: n, ICEServers: []webrtc.ICEServer{{URLs: []string{"1.2.3.4"}}}},
		"bad policy":     {Name: "a", Net: n, Policy: 7},
		"negative timer": {Name: "a", Net: n, Timeouts: Timeouts{ICEFailed: -1}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	p, err := New(Config{Name: "a", Net: n})
	if err != nil {
		t.Fatal(err)
	}
	if p.timeouts != (Timeouts{DefaultICEDisconnected, DefaultICEFailed, DefaultICEKeepalive, DefaultDTLSHandshake}) {
		t.Errorf("defaults not applied: %+v", p.timeouts)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestCredentials(t *testing.T) {
	a1, _ := New(Config{Name: "a", Net: &pvnet.Net{}, Seed: 3})
	a2, _ := New(Config{Name: "a", Net: &pvnet.Net{}, Seed: 3})
	b, _ := New(Config{Name: "b", Net: &pvnet.Net{}, Seed: 3})
	u1, p1 := a1.credentials()
	u2, p2 := a2.credentials()
	u3, _ := b.credentials()
	if u1 != u2 || p1 != p2 {
		t.Error("same seed and name, different credentials")
	}
	if u1 == u3 {
		t.Error("same seed, different names, same ufrag")
	}
	if len(u1) != 16 || len(p1) != 32 {
		t.Errorf("ufrag %q pwd %q: want pion's 16/32 chars", u1, p1)
	}
	if u4, _ := a1.credentials(); u4 == u1 {
		t.Error("a second connection reuses the ufrag")
	}
}
