package peer

import (
	"slices"
	"testing"

	"github.com/icelab/icelab/results"
)

const testSDP = "v=0\r\n" +
	"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n" +
	"a=candidate:1 1 udp 2130706431 192.168.0.10 5000 typ host\r\n" +
	"a=candidate:2 1 udp 1694498815 27.1.1.1 49152 typ srflx raddr 192.168.0.10 rport 5001\r\n" +
	"a=candidate:3 1 udp 16777215 1.2.3.4 50000 typ relay raddr 0.0.0.0 rport 5002\r\n" +
	"a=end-of-candidates\r\n"

func TestSDPCandidates(t *testing.T) {
	got := sdpCandidates(testSDP)
	if len(got) != 3 || candidateType(got[0]) != "host" || candidateType(got[2]) != "relay" {
		t.Fatalf("got %q", got)
	}
	c, err := parseCandidate(got[1])
	if err != nil {
		t.Fatal(err)
	}
	want := results.Candidate{Type: "srflx", Address: "27.1.1.1", Port: 49152, Protocol: "udp",
		RelatedAddress: "192.168.0.10", RelatedPort: 5001}
	if c != want {
		t.Errorf("parsed %+v, want %+v", c, want)
	}
	if _, err := parseCandidate("candidate:nonsense"); err == nil {
		t.Error("nonsense parsed")
	}
	// A .local host name is what an mDNS peer sends: it must parse.
	if c, err := parseCandidate("candidate:1 1 udp 1 x.local 5000 typ host"); err != nil || c.Address != "x.local" {
		t.Errorf("mDNS candidate: %+v, %v", c, err)
	}
}

func TestRewriteSDP(t *testing.T) {
	out := rewriteSDP(testSDP, func(v string) (string, bool) {
		if candidateType(v) == "srflx" {
			return "", false
		}
		return v + " x", true
	})
	want := "v=0\r\n" +
		"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n" +
		"a=candidate:1 1 udp 2130706431 192.168.0.10 5000 typ host x\r\n" +
		"a=candidate:3 1 udp 16777215 1.2.3.4 50000 typ relay raddr 0.0.0.0 rport 5002 x\r\n" +
		"a=end-of-candidates\r\n"
	if out != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
	if got := rewriteSDP(testSDP, func(v string) (string, bool) { return v, true }); got != testSDP {
		t.Errorf("identity rewrite changed the SDP:\n%q", got)
	}
}

func TestParseCandidates(t *testing.T) {
	for _, tc := range []struct {
		in      []string
		want    candidateSet
		wantErr bool
	}{
		{nil, candidateSet{true, true, true}, false},
		{[]string{"relay"}, candidateSet{relay: true}, false},
		{[]string{"host", "srflx"}, candidateSet{host: true, srflx: true}, false},
		{[]string{"prflx"}, candidateSet{}, true},
	} {
		got, err := parseCandidates(tc.in)
		if (err != nil) != tc.wantErr || (err == nil && got != tc.want) {
			t.Errorf("parseCandidates(%q) = %+v, %v; want %+v, err %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
	if (candidateSet{host: true}).signals("prflx") {
		t.Error("prflx signalled")
	}
	if !slices.Equal([]string{TypeHost, TypeSrflx, TypeRelay}, []string{"host", "srflx", "relay"}) {
		t.Error("type names drifted from pion's")
	}
}
