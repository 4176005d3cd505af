package scenarios

import (
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func addr(s string) netip.Addr     { return netip.MustParseAddr(s) }
func cidr(s string) netip.Prefix   { return netip.MustParsePrefix(s) }
func nat(name string) NAT          { n, _ := natPreset(name); return n }
func ports(a, b uint16) PortRange  { return PortRange{Min: a, Max: b} }
func defaultCandidates() []string  { return []string{CandidateHost, CandidateSrflx, CandidateRelay} }
func defaultData() Data            { return Data{Messages: 10, Size: 1200} }
func defaultRelayPorts() PortRange { return ports(49152, 65535) }

func loadTestdata(t *testing.T, name string) *File {
	t.Helper()
	path := filepath.Join("testdata", "good", name)
	f, err := LoadFile(path)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// same fails with both values as JSON when got != want.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s differs\ngot:  %s\nwant: %s", what, g, w)
	}
}

func TestLoadGood(t *testing.T) {
	for _, tc := range []struct {
		file   string
		want   *Scenario
		expect Expect
	}{
		{
			file: "minimal.yaml",
			want: &Scenario{
				Version: 1,
				Name:    "minimal",
				Hosts: map[string]*Host{
					// No ip on the internet: 203.0.113.0/24 from .10, by name.
					"a": {Name: "a", Network: Internet, IP: addr("203.0.113.10")},
					"b": {Name: "b", Network: Internet, IP: addr("203.0.113.11")},
				},
				Peers: map[string]*Peer{
					"a": {Name: "a", Host: "a", ICETransportPolicy: PolicyAll, Candidates: defaultCandidates()},
					"b": {Name: "b", Host: "b", ICETransportPolicy: PolicyAll, Candidates: defaultCandidates()},
				},
				Call:        Call{Offerer: "a", Answerer: "b", Trickle: true, Timeout: 10 * time.Second, SignalDelay: 20 * time.Millisecond, Data: defaultData()},
				ExpectRules: []ExpectRule{{Expect: Expect{Connected: ptr(true)}}},
				File:        "testdata/good/minimal.yaml",
			},
			expect: Expect{Connected: ptr(true)},
		},
		{
			file: "full.yaml",
			want: &Scenario{
				Version:     1,
				Name:        "full",
				Description: "Every key of the format.",
				Labels:      []string{"all", "keys"},
				Networks: map[string]*Network{
					"carrier": {
						Name: "carrier", Parent: Internet, Subnet: cidr("100.64.0.0/24"), PublicIP: addr("37.120.0.2"),
						NAT:  nat(PresetSymmetric),
						Link: Link{Delay: 30 * time.Millisecond, Jitter: 5 * time.Millisecond, Loss: 1.5},
					},
					"home": {
						Name: "home", Parent: "carrier", Subnet: cidr("192.168.1.0/24"), PublicIP: addr("100.64.0.2"),
						NAT: NAT{
							Mapping: EndpointIndependent, Filtering: AddressDependent,
							MappingLifetime: 2 * time.Minute, Hairpinning: false,
						},
						Link: Link{Loss: 2},
						Firewall: []FirewallRule{
							{Action: ActionDrop, Direction: DirectionOutbound, Protocol: ProtocolUDP, Ports: []PortRange{ports(3478, 3478)}},
							{Action: ActionAllow, Direction: DirectionInbound, Protocol: ProtocolAny,
								Ports: []PortRange{ports(5000, 5999), ports(6000, 6000)}, Peer: cidr("85.1.1.0/24")},
							{Action: ActionDrop, Direction: DirectionBoth, Protocol: ProtocolAny},
						},
					},
					"dmz": {
						Name: "dmz", Parent: Internet, Subnet: cidr("10.0.0.0/30"), PublicIP: addr("82.5.6.7"),
						NAT: NAT{Preset: PresetOneToOne, OneToOne: true, Mapping: EndpointIndependent,
							Filtering: EndpointIndependent, Hairpinning: true},
					},
				},
				Hosts: map[string]*Host{
					"phone":  {Name: "phone", Network: "home", IP: addr("192.168.1.20")},
					"laptop": {Name: "laptop", Network: "home", IP: addr("192.168.1.10")},
					// A /30 has no .10: the lowest host address.
					"server": {Name: "server", Network: "dmz", IP: addr("10.0.0.1")},
					"turn":   {Name: "turn", Network: Internet, IP: addr("85.1.1.1")},
					"stun":   {Name: "stun", Network: Internet, IP: addr("203.0.113.10")},
				},
				Relays: map[string]*Relay{
					"coturn": {
						Name: "coturn", Host: "turn", Port: 3479, Realm: "example.org",
						Auth:       &RelayAuth{Secret: "s3cr3t", TTL: time.Hour, RevokeOnHangup: true},
						RelayPorts: ports(50000, 50200), ExternalIP: addr("85.1.1.100"),
						DenyPeers: []netip.Prefix{cidr("127.0.0.0/8"), cidr("169.254.0.0/16")},
					},
					"plain": {Name: "plain", Host: "stun", Port: 3478, Realm: "icelab", RelayPorts: defaultRelayPorts()},
					"users": {
						Name: "users", Host: "turn", Port: 3480, Realm: "icelab", RelayPorts: ports(3481, 3490),
						// No secret: no TTL either.
						Auth: &RelayAuth{Users: map[string]string{"alice": "secret", "bob": "1234"}},
					},
				},
				Peers: map[string]*Peer{
					"phone": {
						Name: "phone", Host: "phone",
						ICEServers: []ICEServer{
							{URLs: []string{"stun:stun:3478"}},
							{URLs: []string{"turn:turn:3479?transport=udp", "stun:85.1.1.1:3479"}, Username: "alice", Credential: "secret"},
							{URLs: []string{"turn:turn"}, Username: "bob", Credential: "1234"},
							{Relay: "coturn"},
						},
						ICETransportPolicy: PolicyRelay, Candidates: []string{CandidateRelay}, MDNS: true,
					},
					"server": {Name: "server", Host: "server", ICETransportPolicy: PolicyAll, Candidates: []string{CandidateHost, CandidateSrflx}},
				},
				Call: Call{Offerer: "phone", Answerer: "server", Trickle: false, Timeout: 7 * time.Second,
					SignalDelay: 80 * time.Millisecond, Data: Data{Messages: 0, Size: 65535}},
				ExpectRules: []ExpectRule{{Expect: Expect{
					Connected: ptr(true), Path: PathRelayed, Offerer: []string{ReachRelay},
					Answerer: []string{ReachReflexive, ReachHost}, Within: 3 * time.Second,
					Gathered: map[string][]string{"phone": {CandidateRelay}}, RelayLog: []string{"no such user exists"},
				}}},
				File: "testdata/good/full.yaml",
			},
			expect: Expect{
				Connected: ptr(true), Path: PathRelayed, Offerer: []string{ReachRelay},
				Answerer: []string{ReachReflexive, ReachHost}, Within: 3 * time.Second,
				Gathered: map[string][]string{"phone": {CandidateRelay}}, RelayLog: []string{"no such user exists"},
			},
		},
		{
			file: "anchors.yaml",
			want: &Scenario{
				Version: 1,
				Name:    "anchors",
				Hosts: map[string]*Host{
					"a":    {Name: "a", Network: Internet, IP: addr("85.1.1.1")},
					"b":    {Name: "b", Network: Internet, IP: addr("85.1.1.2")},
					"stun": {Name: "stun", Network: Internet, IP: addr("85.1.1.3")},
				},
				Peers: map[string]*Peer{
					"a": {Name: "a", Host: "a", ICEServers: []ICEServer{{URLs: []string{"stun:stun:3478"}}}, ICETransportPolicy: PolicyAll, Candidates: defaultCandidates()},
					"b": {Name: "b", Host: "b", ICEServers: []ICEServer{{URLs: []string{"stun:stun:3478"}}}, ICETransportPolicy: PolicyAll, Candidates: defaultCandidates()},
				},
				Call:        Call{Offerer: "a", Answerer: "b", Trickle: true, Timeout: 10 * time.Second, SignalDelay: 20 * time.Millisecond, Data: defaultData()},
				ExpectRules: []ExpectRule{{Expect: Expect{Connected: ptr(false)}}},
				File:        "testdata/good/anchors.yaml",
			},
			expect: Expect{Connected: ptr(false)},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := loadTestdata(t, tc.file)
			same(t, "scenario", f.Scenario, tc.want)
			if len(f.Cases) != 1 {
				t.Fatalf("got %d cases, want 1", len(f.Cases))
			}
			c := f.Cases[0]
			if c.ID != tc.want.Name || c.Scenario != f.Scenario || c.Cell != nil || c.CellOrder != nil {
				t.Errorf("case = {ID %q, same scenario %v, Cell %v, CellOrder %v}, want {ID %q, true, nil, nil}",
					c.ID, c.Scenario == f.Scenario, c.Cell, c.CellOrder, tc.want.Name)
			}
			same(t, "case expect", c.Expect, tc.expect)
		})
	}
}

// TestDefaults checks each default of the format where the document leaves
// the key out, against the value the format page gives.
func TestDefaults(t *testing.T) {
	src := `name: defaults
networks:
  home: { subnet: 192.168.1.0/24, public-ip: 81.2.3.4, firewall: [{ action: drop }] }
  lab: { subnet: 10.1.0.0/24, public-ip: 82.1.1.1, nat: { mapping: address-dependent, filtering: endpoint-independent } }
hosts:
  a: { network: home }
  b: {}
relays:
  stun: { host: b }
  rest: { host: b, port: 3479, auth: { secret: x } }
peers:
  a: { host: a }
  b: { host: b }
call: { offerer: a, answerer: b }
expect: { path: direct }
`
	f, err := Load("defaults.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Scenario
	for _, tc := range []struct {
		what      string
		got, want any
	}{
		{"version", s.Version, 1},
		{"network parent", s.Networks["home"].Parent, Internet},
		{"nat", s.Networks["home"].NAT, NAT{Preset: PresetPortRestrictedCone, Mapping: EndpointIndependent, Filtering: AddressAndPortDependent, Hairpinning: true}},
		{"nat object hairpinning", s.Networks["lab"].NAT.Hairpinning, true},
		{"nat object lifetime", s.Networks["lab"].NAT.MappingLifetime, time.Duration(0)},
		{"firewall direction", s.Networks["home"].Firewall[0].Direction, DirectionBoth},
		{"firewall protocol", s.Networks["home"].Firewall[0].Protocol, ProtocolAny},
		{"firewall ports", s.Networks["home"].Firewall[0].Ports, []PortRange(nil)},
		{"host network", s.Hosts["b"].Network, Internet},
		{"host ip in network", s.Hosts["a"].IP, addr("192.168.1.10")},
		{"host ip on internet", s.Hosts["b"].IP, addr("203.0.113.10")},
		{"relay port", s.Relays["stun"].Port, uint16(3478)},
		{"relay realm", s.Relays["stun"].Realm, "icelab"},
		{"relay ports", s.Relays["stun"].RelayPorts, defaultRelayPorts()},
		{"relay auth", s.Relays["stun"].Auth, (*RelayAuth)(nil)},
		{"auth ttl", s.Relays["rest"].Auth.TTL, 24 * time.Hour},
		{"peer policy", s.Peers["a"].ICETransportPolicy, PolicyAll},
		{"peer candidates", s.Peers["a"].Candidates, defaultCandidates()},
		{"call trickle", s.Call.Trickle, true},
		{"call timeout", s.Call.Timeout, 10 * time.Second},
		{"call data", s.Call.Data, defaultData()},
		{"expect connected", *f.Cases[0].Expect.Connected, true},
	} {
		same(t, tc.what, tc.got, tc.want)
	}
}

// TestAssignIPs checks the deterministic address assignment.
func TestAssignIPs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hosts string
		extra string
		want  map[string]string
	}{
		{
			name:  "from .10 in name order, skipping taken",
			hosts: "  c: { network: lan }\n  a: { network: lan }\n  b: { network: lan, ip: 10.0.0.11 }\n",
			want:  map[string]string{"a": "10.0.0.10", "b": "10.0.0.11", "c": "10.0.0.12"},
		},
		{
			name:  "child router address is taken",
			hosts: "  a: { network: lan }\n",
			extra: "  sub: { parent: lan, subnet: 10.9.0.0/24, public-ip: 10.0.0.10 }\n",
			want:  map[string]string{"a": "10.0.0.11"},
		},
		{
			name:  "small subnet starts at the first host address",
			hosts: "  a: { network: tiny }\n  b: { network: tiny }\n",
			extra: "  tiny: { subnet: 10.5.0.0/29, public-ip: 82.1.1.2 }\n",
			want:  map[string]string{"a": "10.5.0.1", "b": "10.5.0.2"},
		},
		{
			name:  "internet avoids used addresses and network subnets",
			hosts: "  a: {}\n  b: { ip: 203.0.113.11 }\n  c: {}\n",
			extra: "  dark: { subnet: 203.0.113.12/30, public-ip: 82.1.1.3 }\n",
			want:  map[string]string{"a": "203.0.113.10", "b": "203.0.113.11", "c": "203.0.113.16"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "name: assign\nnetworks:\n  lan: { subnet: 10.0.0.0/24, public-ip: 82.1.1.1 }\n" + tc.extra +
				"hosts:\n" + tc.hosts + "  p: { ip: 85.0.0.1 }\n  q: { ip: 85.0.0.2 }\n" +
				"peers:\n  p: { host: p }\n  q: { host: q }\ncall: { offerer: p, answerer: q }\nexpect: {}\n"
			f, err := Load("assign.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			for h, ip := range tc.want {
				if got := f.Scenario.Hosts[h].IP; got != addr(ip) {
					t.Errorf("host %s: ip %s, want %s", h, got, ip)
				}
			}
		})
	}
	// A full subnet is an error at the host, not a silent overlap.
	src := "name: full\nnetworks:\n  lan: { subnet: 10.0.0.0/30, public-ip: 82.1.1.1 }\nhosts:\n" +
		"  a: { network: lan }\n  b: { network: lan }\n  c: { network: lan }\n" +
		"peers:\n  a: { host: a }\n  b: { host: b }\ncall: { offerer: a, answerer: b }\nexpect: {}\n"
	_, err := Load("full.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "full.yaml:7:6: hosts.c: no free address left in 10.0.0.0/30") {
		t.Errorf("got %v, want no free address for hosts.c", err)
	}
}

// TestLibrary loads the embedded library: it must load without error, and
// each file must say what the lead asked of it.
func TestLibrary(t *testing.T) {
	files, err := LoadFS(Library(), ".")
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		connected           bool
		path                string
		offerer, answerer   []string
		timeout             time.Duration
		relayedViaUsersAuth bool
	}
	wants := map[string]want{
		"basics/dedicated-subnet.yaml":   {true, PathDirect, []string{ReachHost}, []string{ReachHost}, 10 * time.Second, true},
		"basics/home-to-office.yaml":     {true, PathDirect, []string{ReachReflexive}, []string{ReachReflexive}, 10 * time.Second, false},
		"basics/phone-4g-stun-only.yaml": {false, "", nil, nil, 5 * time.Second, false},
		"basics/phone-4g-turn.yaml":      {true, PathRelayed, nil, nil, 10 * time.Second, true},
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
		w, ok := wants[f.Path]
		if !ok {
			continue
		}
		data, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), "# yaml-language-server: $schema=../schema.json\n") {
			t.Errorf("%s does not begin with the schema modeline", f.Path)
		}
		if len(f.Cases) != 1 {
			t.Fatalf("%s: %d cases", f.Path, len(f.Cases))
		}
		c := f.Cases[0]
		e := c.Expect
		if *e.Connected != w.connected || e.Path != w.path || !reflect.DeepEqual(e.Offerer, w.offerer) || !reflect.DeepEqual(e.Answerer, w.answerer) {
			t.Errorf("%s: expect %+v, want %+v", f.Path, e, w)
		}
		if c.Scenario.Call.Timeout != w.timeout {
			t.Errorf("%s: timeout %v, want %v", f.Path, c.Scenario.Call.Timeout, w.timeout)
		}
		turn := false
		for _, p := range c.Scenario.Peers {
			for _, srv := range p.ICEServers {
				if r := c.Scenario.Relays[srv.Relay]; r != nil && r.Auth != nil && len(r.Auth.Users) > 0 {
					turn = true
				}
			}
		}
		if turn != w.relayedViaUsersAuth {
			t.Errorf("%s: peers use a TURN relay with users: %v, want %v", f.Path, turn, w.relayedViaUsersAuth)
		}
	}
	for p := range wants {
		if !contains(got, p) {
			t.Errorf("library lacks %s (has %v)", p, got)
		}
	}
	for _, p := range got {
		if strings.HasPrefix(p, "testdata") {
			t.Errorf("library embeds test data %s", p)
		}
	}
	// dedicated-subnet: the TURN server at 198.18.7.16 with its Screego settings.
	for _, f := range files {
		if f.Path != "basics/dedicated-subnet.yaml" {
			continue
		}
		s := f.Scenario
		r := s.Relays["turn"]
		if s.Hosts[r.Host].IP != addr("198.18.7.16") || r.RelayPorts != ports(50000, 50200) || r.Realm != "screego" {
			t.Errorf("dedicated-subnet relay = %+v on %v", r, s.Hosts[r.Host].IP)
		}
		for _, p := range s.Peers {
			if s.Hosts[p.Host].Network != "vpn" {
				t.Errorf("peer %s is on %s, want vpn", p.Name, s.Hosts[p.Host].Network)
			}
		}
	}
}

func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, name string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		src := "name: " + name + "\nhosts: { a: {}, b: {} }\npeers: { a: { host: a }, b: { host: b } }\n" +
			"call: { offerer: a, answerer: b }\nexpect: {}\n"
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b := write("set/b.yaml", "bee")
	a := write("set/sub/a.yml", "ay")
	write("set/notes.txt", "ignored")
	odd := write("odd.scenario", "odd")

	files, err := LoadPaths([]string{filepath.Join(dir, "set"), odd, b})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
	}
	// Sorted by path, each file once, an explicit file whatever its name.
	want := []string{odd, b, a}
	if filepath.Join(dir, "odd.scenario") > filepath.Join(dir, "set") {
		want = []string{b, a, odd}
	}
	same(t, "paths", got, want)

	dup := write("more/c.yaml", "bee")
	files, err = LoadPaths([]string{filepath.Join(dir, "set"), dup})
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("got %v, want one error", err)
	}
	// more/c.yaml sorts before set/b.yaml: the later file is the duplicate.
	if e := list[0]; e.File != b || e.Line != 1 || e.Col != 7 || e.Path != "name" ||
		!strings.Contains(e.Msg, `scenario name "bee" is already used by `+dup+":1") {
		t.Errorf("duplicate name error = %v", e)
	}
	if len(files) != 2 {
		t.Errorf("got %d files loaded alongside the error, want 2", len(files))
	}

	_, err = LoadPaths([]string{filepath.Join(dir, "missing.yaml")})
	if !errors.As(err, &list) || len(list) != 1 || list[0].Line != 0 || !strings.Contains(list[0].Msg, "no such file") {
		t.Errorf("missing path: got %v", err)
	}
	_, err = LoadFile(filepath.Join(dir, "missing.yaml"))
	if !errors.As(err, &list) || len(list) != 1 {
		t.Errorf("LoadFile missing: got %v", err)
	}
}

func BenchmarkLoad(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "good", "full.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load("full.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
