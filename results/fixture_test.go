package results

import (
	"fmt"
	"time"
)

func boolPtr(b bool) *bool { return &b }

// fixtureRun is a hand-built run covering every shape a report must draw: a
// 2-dimension matrix scenario (with a failing cell and an expected no-call), a
// plain pass with full detail, a fail whose relay log holds markup, a harness
// error, and a flaky case. It is built fresh on each call so tests may modify
// it.
func fixtureRun() *Run {
	r := &Run{
		Version:   CurrentVersion,
		StartedAt: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC),
		Clock:     "virtual",
		WallMS:    4812,
	}
	r.Cases = append(r.Cases, basicDirect())
	r.Cases = append(r.Cases, natMatrix()...)
	r.Cases = append(r.Cases, turnBadCredentials(), doubleNATError(), cgnatFlaky())
	return r
}

func homeOfficeWorld() *World {
	return &World{
		Networks: []WorldNetwork{
			{Name: "home", Parent: "internet", Subnet: "192.168.1.0/24", PublicIP: "198.51.100.2", NAT: "port-restricted-cone"},
			{Name: "office", Subnet: "10.0.0.0/24", PublicIP: "203.0.113.7", NAT: "full-cone"},
		},
		Hosts: []WorldHost{
			{Name: "laptop", Network: "home", IP: "192.168.1.10", Peer: "alice"},
			{Name: "desktop", Network: "office", IP: "10.0.0.20", Peer: "bob"},
			{Name: "stun", IP: "198.18.0.2", Relay: "coturn"},
		},
	}
}

// callTimeline is a typical successful call: signalling, gathering, ICE
// checks, DTLS, and the peer connection on each side.
func callTimeline(a, b string, connectMS float64) []Event {
	f := connectMS / 800
	at := func(ms float64) float64 { return float64(int(ms*f*10)) / 10 }
	return []Event{
		{AtMS: 0, Peer: a, What: "signal", State: "have-local-offer"},
		{AtMS: 0, Peer: a, What: "gather", State: "gathering"},
		{AtMS: 0, Peer: a, What: "pc", State: "new"},
		{AtMS: at(40), Peer: b, What: "signal", State: "stable"},
		{AtMS: at(40), Peer: b, What: "gather", State: "gathering"},
		{AtMS: at(40), Peer: b, What: "pc", State: "new"},
		{AtMS: at(42), Peer: a, What: "signal", State: "stable"},
		{AtMS: at(120), Peer: a, What: "ice", State: "checking"},
		{AtMS: at(121), Peer: a, What: "pc", State: "connecting"},
		{AtMS: at(150), Peer: b, What: "ice", State: "checking"},
		{AtMS: at(151), Peer: b, What: "pc", State: "connecting"},
		{AtMS: at(310), Peer: a, What: "gather", State: "complete"},
		{AtMS: at(330), Peer: b, What: "gather", State: "complete"},
		{AtMS: at(520), Peer: a, What: "ice", State: "connected"},
		{AtMS: at(520), Peer: a, What: "dtls", State: "connecting"},
		{AtMS: at(560), Peer: b, What: "ice", State: "connected"},
		{AtMS: at(560), Peer: b, What: "dtls", State: "connecting"},
		{AtMS: at(700), Peer: b, What: "dtls", State: "connected"},
		{AtMS: at(720), Peer: a, What: "dtls", State: "connected"},
		{AtMS: at(721), Peer: a, What: "pc", State: "connected"},
		{AtMS: at(760), Peer: b, What: "pc", State: "connected"},
	}
}

func basicDirect() *Result {
	return &Result{
		ID:          "basic-direct",
		Scenario:    "basic-direct",
		File:        "scenarios/library/basic-direct.yaml",
		Labels:      []string{"smoke", "direct"},
		Description: "Two home users behind cone NATs reach each other directly through STUN.",
		Verdict:     Pass,
		Expected: Expected{
			Connected: boolPtr(true),
			Path:      "direct",
			Offerer:   []string{"reflexive"},
			WithinMS:  3000,
			Gathered:  map[string][]string{"alice": {"host", "srflx"}},
		},
		Observed: Observed{
			Connected: true,
			Path:      "direct",
			Offerer:   "reflexive",
			Answerer:  "reflexive",
			ConnectMS: 842,
			Selected: map[string]*Pair{
				"alice": {
					Local:  Candidate{Type: "srflx", Address: "198.51.100.2", Port: 49152, Protocol: "udp", RelatedAddress: "192.168.1.10", RelatedPort: 50102},
					Remote: Candidate{Type: "srflx", Address: "203.0.113.7", Port: 49152, Protocol: "udp"},
				},
				"bob": {
					Local:  Candidate{Type: "srflx", Address: "203.0.113.7", Port: 49152, Protocol: "udp", RelatedAddress: "10.0.0.20", RelatedPort: 61001},
					Remote: Candidate{Type: "prflx", Address: "198.51.100.2", Port: 49152, Protocol: "udp"},
				},
			},
			Gathered: map[string][]Candidate{
				"alice": {
					{Type: "host", Address: "192.168.1.10", Port: 50102, Protocol: "udp"},
					{Type: "srflx", Address: "198.51.100.2", Port: 49152, Protocol: "udp", RelatedAddress: "192.168.1.10", RelatedPort: 50102},
				},
				"bob": {
					{Type: "host", Address: "10.0.0.20", Port: 61001, Protocol: "udp"},
					{Type: "srflx", Address: "203.0.113.7", Port: 49152, Protocol: "udp", RelatedAddress: "10.0.0.20", RelatedPort: 61001},
				},
			},
			Wire:     &Wire{OffererAddr: "198.51.100.2:49152 (home NAT)", AnswererAddr: "203.0.113.7:49152 (office NAT)", Packets: 118},
			Data:     Data{Sent: 10, Echoed: 10},
			Timeline: callTimeline("alice", "bob", 842),
			RelayLog: map[string][]string{
				"coturn": {
					"INFO  coturn: listening on 198.18.0.2:3478/udp",
					"DEBUG coturn: binding request from 198.51.100.2:49152",
					"DEBUG coturn: binding request from 203.0.113.7:49152",
				},
			},
			NAT: map[string]NATBehavior{
				"home":   {Mapping: "endpoint-independent", Filtering: "address-and-port-dependent", Hairpinning: true, MappingLifetime: "30s"},
				"office": {Mapping: "endpoint-independent", Filtering: "endpoint-independent", Hairpinning: true, MappingLifetime: "30s"},
			},
		},
		World:  homeOfficeWorld(),
		Seed:   1,
		WallMS: 61.4,
		Log: []string{
			"alice: ice: gathered host 192.168.1.10:50102",
			"alice: ice: gathered srflx 198.51.100.2:49152",
			"alice: ice: selected pair srflx 198.51.100.2:49152 <-> srflx 203.0.113.7:49152",
		},
	}
}

// natMatrix is phone-nat × servers. Cells: full-cone passes directly either
// way; port-restricted with TURN fails (relayed where direct was expected);
// symmetric without TURN passes because it must not connect.
func natMatrix() []*Result {
	type cell struct {
		nat, servers string
		verdict      string
		connected    bool
		path         string
		offerer      string
		connectMS    float64
		reasons      []string
		exp          Expected
	}
	direct := Expected{Connected: boolPtr(true), Path: "direct"}
	cells := []cell{
		{"full-cone", "stun-only", Pass, true, "direct", "reflexive", 612, nil, direct},
		{"full-cone", "with-turn", Pass, true, "direct", "reflexive", 640, nil, direct},
		{"port-restricted-cone", "stun-only", Pass, true, "direct", "reflexive", 731, nil, direct},
		{"port-restricted-cone", "with-turn", Fail, true, "relayed", "relay", 1930,
			[]string{"path: expected direct, observed relayed (offerer reached via relay 198.18.0.2:50007)"}, direct},
		{"symmetric", "stun-only", Pass, false, "", "", 0, nil, Expected{Connected: boolPtr(false)}},
		{"symmetric", "with-turn", Pass, true, "relayed", "relay", 1204, nil,
			Expected{Connected: boolPtr(true), Path: "relayed", Offerer: []string{"relay"}}},
	}
	var out []*Result
	for i, c := range cells {
		id := fmt.Sprintf("nat-matrix/phone-nat=%s,servers=%s", c.nat, c.servers)
		res := &Result{
			ID:          id,
			Scenario:    "nat-matrix",
			File:        "scenarios/library/nat-matrix.yaml",
			Cell:        map[string]string{"phone-nat": c.nat, "servers": c.servers},
			CellOrder:   []string{"phone-nat", "servers"},
			Labels:      []string{"nat"},
			Description: "A phone behind a home NAT calls a PC on a full-cone network, with and without TURN.",
			Verdict:     c.verdict,
			Reasons:     c.reasons,
			Expected:    c.exp,
			Observed: Observed{
				Connected: c.connected,
				Path:      c.path,
				Offerer:   c.offerer,
				ConnectMS: c.connectMS,
			},
			World: &World{
				Networks: []WorldNetwork{
					{Name: "home", Subnet: "192.168.1.0/24", PublicIP: "198.51.100.2", NAT: c.nat},
					{Name: "office", Subnet: "10.0.0.0/24", PublicIP: "203.0.113.7", NAT: "full-cone"},
				},
				Hosts: []WorldHost{
					{Name: "phone", Network: "home", IP: "192.168.1.20", Peer: "phone"},
					{Name: "pc", Network: "office", IP: "10.0.0.20", Peer: "pc"},
					{Name: "turn", IP: "198.18.0.2", Relay: "coturn"},
				},
			},
			Seed:   int64(100 + i),
			WallMS: 40 + float64(i),
		}
		if c.connected {
			res.Observed.Answerer = "reflexive"
			res.Observed.Data = Data{Sent: 10, Echoed: 10}
			res.Observed.Timeline = callTimeline("phone", "pc", c.connectMS)
		} else {
			res.Observed.Failure = "ice: connection failed after 10s (no valid candidate pair)"
			res.Observed.Timeline = []Event{
				{AtMS: 0, Peer: "phone", What: "ice", State: "new"},
				{AtMS: 110, Peer: "phone", What: "ice", State: "checking"},
				{AtMS: 10000, Peer: "phone", What: "ice", State: "failed"},
				{AtMS: 0, Peer: "pc", What: "ice", State: "new"},
				{AtMS: 150, Peer: "pc", What: "ice", State: "checking"},
				{AtMS: 10000, Peer: "pc", What: "ice", State: "failed"},
			}
		}
		if c.path == "relayed" {
			res.Observed.Allocations = []Allocation{
				{Relay: "coturn", Client: "198.51.100.2:49153", Relayed: "198.18.0.2:50007", Username: "1773480413:phone", Peer: "phone"},
			}
			res.Observed.Selected = map[string]*Pair{
				"phone": {
					Local:  Candidate{Type: "relay", Address: "198.18.0.2", Port: 50007, Protocol: "udp", RelatedAddress: "198.51.100.2", RelatedPort: 49153},
					Remote: Candidate{Type: "srflx", Address: "203.0.113.7", Port: 49152, Protocol: "udp"},
				},
				"pc": {
					Local:  Candidate{Type: "srflx", Address: "203.0.113.7", Port: 49152, Protocol: "udp"},
					Remote: Candidate{Type: "relay", Address: "198.18.0.2", Port: 50007, Protocol: "udp"},
				},
			}
		}
		out = append(out, res)
	}
	return out
}

// turnBadCredentials fails, and carries hostile text: markup in the
// description and relay log, control characters and a CDATA terminator in the
// case log. Every writer must keep it inert.
func turnBadCredentials() *Result {
	return &Result{
		ID:          "turn-bad-credentials",
		Scenario:    "turn-bad-credentials",
		File:        "scenarios/library/turn-bad-credentials.yaml",
		Labels:      []string{"turn", "auth"},
		Description: `A relay-only peer with a wrong password must still be diagnosable: <b>not bold</b> & "quoted".`,
		Verdict:     Fail,
		Reasons: []string{
			"connected: expected true, observed false (ice: connection failed after 10s)",
			`relay-log: "allocation refused" not found in any relay log`,
		},
		Expected: Expected{
			Connected: boolPtr(true),
			Path:      "relayed",
			RelayLog:  []string{"no such user exists", "allocation refused"},
		},
		Observed: Observed{
			Connected: false,
			Failure:   "ice: connection failed after 10s (relay-only policy, no relay candidate)",
			Gathered: map[string][]Candidate{
				"alice": nil,
				"bob":   {{Type: "host", Address: "10.0.0.20", Port: 61001, Protocol: "udp"}},
			},
			Data: Data{Sent: 0, Echoed: 0},
			Timeline: []Event{
				{AtMS: 0, Peer: "alice", What: "gather", State: "gathering"},
				{AtMS: 0, Peer: "alice", What: "ice", State: "new"},
				{AtMS: 96, Peer: "alice", What: "ice", State: "checking"},
				{AtMS: 5012, Peer: "alice", What: "gather", State: "complete"},
				{AtMS: 10000, Peer: "alice", What: "ice", State: "failed"},
				{AtMS: 10000, Peer: "alice", What: "pc", State: "failed"},
				{AtMS: 40, Peer: "bob", What: "ice", State: "new"},
				{AtMS: 130, Peer: "bob", What: "ice", State: "checking"},
				{AtMS: 10000, Peer: "bob", What: "ice", State: "failed"},
			},
			RelayLog: map[string][]string{
				"coturn": {
					"INFO  coturn: listening on 198.18.0.2:3478/udp",
					"WARN  coturn: 198.51.100.2:49152: no such user exists: mallory",
					`WARN  coturn: realm "<script>alert('x')</script>" & more`,
					"https://attacker.example/evil.js",
				},
			},
		},
		World:  homeOfficeWorld(),
		Seed:   7,
		WallMS: 83.2,
		Log: []string{
			"alice: turn: 401 Unauthorized <realm=icelab>",
			"alice: weird bytes \x1b[31mred\x1b[0m and a ]]> terminator",
		},
	}
}

func doubleNATError() *Result {
	return &Result{
		ID:       "double-nat/carrier=cgnat",
		Scenario: "double-nat",
		File:     "scenarios/library/double-nat.yaml",
		Cell:     map[string]string{"carrier": "cgnat"},
		Verdict:  Error,
		Reasons:  []string{`vnet: network "home": public-ip 100.64.0.2 is already used by host "cgn-box"`},
		Expected: Expected{Connected: boolPtr(true)},
		World: &World{
			Networks: []WorldNetwork{
				{Name: "carrier", Subnet: "100.64.0.0/24", PublicIP: "100.0.0.2", NAT: "symmetric"},
				{Name: "home", Parent: "carrier", Subnet: "192.168.1.0/24", PublicIP: "100.64.0.2", NAT: "port-restricted-cone"},
			},
			Hosts: []WorldHost{
				{Name: "phone", Network: "home", IP: "192.168.1.20", Peer: "phone"},
				{Name: "cgn-box", Network: "carrier", IP: "100.64.0.2"},
				{Name: "turn", IP: "50.0.0.2", Relay: "coturn"},
				{Name: "pc", IP: "50.0.0.9", Peer: "pc"},
			},
		},
		Seed:   9,
		WallMS: 2.5,
	}
}

func cgnatFlaky() *Result {
	return &Result{
		ID:          "cgnat-slow-link",
		Scenario:    "cgnat-slow-link",
		File:        "scenarios/library/cgnat-slow-link.yaml",
		Description: "A CGNAT'd phone on a lossy link must connect within 3s.",
		Verdict:     Fail,
		Flaky:       true,
		Outcomes:    []string{Pass, Fail, Pass},
		Reasons:     []string{"within: connected after 3.4s, expected within 3.0s"},
		Expected:    Expected{Connected: boolPtr(true), WithinMS: 3000},
		Observed: Observed{
			Connected: true,
			Path:      "direct",
			Offerer:   "reflexive",
			Answerer:  "host",
			ConnectMS: 3412,
			Data:      Data{Sent: 10, Echoed: 9},
			Timeline:  callTimeline("phone", "server", 3412),
		},
		Seed:   42,
		WallMS: 120,
	}
}
