package scenarios

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load. It must never panic; an error
// must be an ErrorList of *Error with a line; a success must satisfy the
// invariants every later package relies on; and loading is deterministic.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"testdata/good", "testdata/bad", "basics"} {
		paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Load("fuzz.yaml", data)
		_, err2 := Load("fuzz.yaml", data)
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("not deterministic:\n%v\n---\n%v", err, err2)
		}
		if err != nil {
			if file != nil {
				t.Fatalf("file returned with error %v", err)
			}
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("error %T %v, want a non-empty ErrorList", err, err)
			}
			for _, e := range list {
				if e == nil || e.Line < 1 || e.Col < 0 || e.File != "fuzz.yaml" || e.Msg == "" {
					t.Fatalf("bad error %#v", e)
				}
			}
			return
		}
		checkInvariants(t, file)
	})
}

// checkInvariants checks what a loaded file promises: cases that are whole,
// with references resolved and every host addressed inside its network.
func checkInvariants(t *testing.T, f *File) {
	t.Helper()
	if f == nil || len(f.Cases) == 0 || len(f.Cases) > maxCases {
		t.Fatalf("loaded file with %d cases", len(f.Cases))
	}
	for _, c := range f.Cases {
		s := c.Scenario
		if s == nil || c.Expect.Connected == nil || !isName(s.Name) || s.Version != 1 {
			t.Fatalf("case %q incomplete", c.ID)
		}
		for name, h := range s.Hosts {
			sub := internetSubnet
			if h.Network != Internet {
				n := s.Networks[h.Network]
				if n == nil {
					t.Fatalf("%s: host %s on unknown network %q", c.ID, name, h.Network)
				}
				sub = n.Subnet
			}
			if !h.IP.Is4() || !sub.Contains(h.IP) {
				t.Fatalf("%s: host %s ip %v outside %v", c.ID, name, h.IP, sub)
			}
		}
		for name, p := range s.Peers {
			if s.Hosts[p.Host] == nil || len(p.Candidates) == 0 {
				t.Fatalf("%s: peer %s: host %q, candidates %v", c.ID, name, p.Host, p.Candidates)
			}
		}
		for name, r := range s.Relays {
			if s.Hosts[r.Host] == nil || r.Port == 0 || r.RelayPorts.Min == 0 || r.RelayPorts.Min > r.RelayPorts.Max {
				t.Fatalf("%s: relay %s: %+v", c.ID, name, r)
			}
		}
		if s.Peers[s.Call.Offerer] == nil || s.Peers[s.Call.Answerer] == nil || s.Call.Offerer == s.Call.Answerer || s.Call.Timeout <= 0 {
			t.Fatalf("%s: call %+v", c.ID, s.Call)
		}
	}
}
