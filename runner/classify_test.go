package runner

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/icelab/icelab/results"
)

func TestClassify(t *testing.T) {
	b := addressBook{
		hostIP:      netip.MustParseAddr("192.168.1.20"),
		reflexive:   []netip.Addr{netip.MustParseAddr("100.64.0.2"), netip.MustParseAddr("81.2.3.4")},
		allocations: []results.Allocation{{Relayed: "85.1.1.1:50001"}},
	}
	tests := []struct {
		addr string
		want string
	}{
		{"192.168.1.20:5000", "host"},
		{"81.2.3.4:49152", "reflexive"},
		{"100.64.0.2:49153", "reflexive"}, // the inner NAT of a double NAT
		{"85.1.1.1:50001", "relay"},
		{"85.1.1.1:50002", Unknown}, // not an allocation of the case
		{"10.0.0.1:1", Unknown},
	}
	for _, tt := range tests {
		if got := b.classify(netip.MustParseAddrPort(tt.addr)); got != tt.want {
			t.Errorf("classify(%s) = %s, want %s", tt.addr, got, tt.want)
		}
	}
}

// TestReachNotesDisagreement checks that when pion's type strings and the
// wire disagree, the result carries both views.
func TestReachNotesDisagreement(t *testing.T) {
	obs := &results.Observed{
		Connected: true,
		Selected: map[string]*results.Pair{
			"phone": {Local: results.Candidate{Type: "host", Address: "10.0.0.2", Port: 5000}, Remote: results.Candidate{Type: "srflx", Address: "200.0.0.2", Port: 49152}},
			"pc":    {Local: results.Candidate{Type: "srflx", Address: "200.0.0.2", Port: 49152}, Remote: results.Candidate{Type: "prflx", Address: "150.0.0.2", Port: 49152}},
		},
	}
	phone := addressBook{hostIP: netip.MustParseAddr("10.0.0.2"), reflexive: []netip.Addr{netip.MustParseAddr("150.0.0.2")}}
	pc := addressBook{hostIP: netip.MustParseAddr("192.0.0.3"), reflexive: []netip.Addr{netip.MustParseAddr("200.0.0.2")}}
	reach(obs, "phone", "pc", phone, pc)
	if obs.Path != "direct" || obs.Offerer != "reflexive" || obs.Answerer != "reflexive" {
		t.Fatalf("got path %s offerer %s answerer %s", obs.Path, obs.Offerer, obs.Answerer)
	}
	if len(obs.Wire.Notes) != 1 || !strings.Contains(obs.Wire.Notes[0], "reports its local candidate as host") {
		t.Fatalf("want one note on the phone's host/reflexive disagreement, got %q", obs.Wire.Notes)
	}
}
