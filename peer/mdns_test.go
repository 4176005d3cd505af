package peer

import (
	"regexp"
	"strings"
	"testing"
)

var uuidLocal = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.local$`)

func TestHiderCandidate(t *testing.T) {
	h := newHider(7)
	tests := []struct {
		name, in string
		check    func(t *testing.T, out string)
	}{
		{
			name: "host address becomes a uuid name",
			in:   "candidate:1 1 udp 2130706431 192.168.0.10 5000 typ host",
			check: func(t *testing.T, out string) {
				f, ok := candidateFields(out)
				if !ok || !uuidLocal.MatchString(f[4]) || f[5] != "5000" || !strings.HasPrefix(out, "candidate:") {
					t.Errorf("got %q", out)
				}
			},
		},
		{
			name: "same address, same name; no prefix kept as is",
			in:   "2 1 udp 2130706431 192.168.0.10 5001 typ host",
			check: func(t *testing.T, out string) {
				f, _ := candidateFields(out)
				first, _ := candidateFields(h.candidate("candidate:1 1 udp 1 192.168.0.10 5000 typ host"))
				if f[4] != first[4] || strings.HasPrefix(out, "candidate:") {
					t.Errorf("got %q, want name %s", out, first[4])
				}
			},
		},
		{
			name: "srflx keeps its address, loses its related address",
			in:   "candidate:3 1 udp 1694498815 27.1.1.1 49152 typ srflx raddr 192.168.0.10 rport 5002 generation 0",
			check: func(t *testing.T, out string) {
				want := "candidate:3 1 udp 1694498815 27.1.1.1 49152 typ srflx raddr 0.0.0.0 rport 0 generation 0"
				if out != want {
					t.Errorf("got %q, want %q", out, want)
				}
			},
		},
		{
			name: "already a name",
			in:   "candidate:1 1 udp 1 abc.local 5000 typ host",
			check: func(t *testing.T, out string) {
				if out != "candidate:1 1 udp 1 abc.local 5000 typ host" {
					t.Errorf("got %q", out)
				}
			},
		},
		{
			name: "malformed left alone",
			in:   "candidate:garbage",
			check: func(t *testing.T, out string) {
				if out != "candidate:garbage" {
					t.Errorf("got %q", out)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, h.candidate(tc.in)) })
	}
}

func TestHiderDeterministic(t *testing.T) {
	a, b, c := newHider(1), newHider(1), newHider(2)
	if a.name("10.0.0.1") != b.name("10.0.0.1") {
		t.Error("same seed, different names")
	}
	if a.name("10.0.0.1") == c.name("10.0.0.1") {
		t.Error("different seeds, same name")
	}
	if a.name("10.0.0.1") == a.name("10.0.0.2") {
		t.Error("two addresses, one name")
	}
	var nilHider *hider
	if got := nilHider.candidate("candidate:1 1 udp 1 10.0.0.1 1 typ host"); got != "candidate:1 1 udp 1 10.0.0.1 1 typ host" {
		t.Errorf("nil hider changed %q", got)
	}
}
