package scenarios

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v4"
)

func TestMatrixExpansion(t *testing.T) {
	f := loadTestdata(t, "matrix.yaml")
	type want struct {
		id        string
		connected bool
		path      string
	}
	var wants []want
	// Document order, the last dimension varying fastest.
	for _, nat := range []string{"full-cone", "port-restricted-cone", "symmetric"} {
		for _, servers := range []string{"stun-only", "with-turn"} {
			for _, delay := range []string{"none", "slow"} {
				w := want{fmt.Sprintf("nat-grid/home-nat=%s,servers=%s,delay=%s", nat, servers, delay), true, PathDirect}
				switch {
				case nat == "symmetric" && servers == "stun-only":
					w.connected, w.path = false, ""
				case nat == "symmetric":
					w.path = PathRelayed
				}
				wants = append(wants, w)
			}
		}
	}
	if len(f.Cases) != len(wants) {
		t.Fatalf("got %d cases, want %d", len(f.Cases), len(wants))
	}
	for i, c := range f.Cases {
		w := wants[i]
		if c.ID != w.id {
			t.Errorf("case %d: id %q, want %q", i, c.ID, w.id)
			continue
		}
		if *c.Expect.Connected != w.connected || c.Expect.Path != w.path {
			t.Errorf("%s: expect connected=%v path=%q, want %v %q", c.ID, *c.Expect.Connected, c.Expect.Path, w.connected, w.path)
		}
		if w.path == PathDirect && !reflect.DeepEqual(c.Expect.Offerer, []string{ReachReflexive, ReachHost}) {
			t.Errorf("%s: offerer %v", c.ID, c.Expect.Offerer)
		}
		if !reflect.DeepEqual(c.CellOrder, []string{"home-nat", "servers", "delay"}) {
			t.Errorf("%s: cell order %v", c.ID, c.CellOrder)
		}
		// The values really are applied to this case's scenario.
		s := c.Scenario
		if got := s.Networks["home"].NAT.Preset; got != c.Cell["home-nat"] {
			t.Errorf("%s: home NAT %q, want %q", c.ID, got, c.Cell["home-nat"])
		}
		wantDelay := map[string]time.Duration{"none": 0, "slow": 100 * time.Millisecond}[c.Cell["delay"]]
		if got := s.Networks["home"].Link.Delay; got != wantDelay {
			t.Errorf("%s: delay %v, want %v", c.ID, got, wantDelay)
		}
		servers := s.Peers["a"].ICEServers
		if withTurn := len(servers) == 2 && servers[1].Relay == "turn"; withTurn != (c.Cell["servers"] == "with-turn") {
			t.Errorf("%s: peer a servers %+v", c.ID, servers)
		}
		if len(s.Peers["b"].ICEServers) != 1 || s.Matrix == nil || s.File != "testdata/good/matrix.yaml" {
			t.Errorf("%s: peer b servers %+v, matrix %v, file %q", c.ID, s.Peers["b"].ICEServers, s.Matrix != nil, s.File)
		}
	}
	// The base document is the matrix-free one.
	base := f.Scenario
	if base.Networks["home"].NAT.Preset != PresetPortRestrictedCone || base.Networks["home"].Link != (Link{}) {
		t.Errorf("base home network changed: %+v", base.Networks["home"])
	}
	var dims []string
	for _, d := range base.Matrix {
		var names []string
		for _, v := range d.Values {
			names = append(names, v.Name)
		}
		dims = append(dims, d.Name+"@"+d.At+"="+strings.Join(names, "|"))
	}
	same(t, "dimensions", dims, []string{
		"home-nat@networks.home.nat=full-cone|port-restricted-cone|symmetric",
		"servers@peers.a.ice-servers=stun-only|with-turn",
		"delay@networks.home.link=none|slow",
	})
	same(t, "structured value", base.Matrix[1].Values[1].Value, []any{"stun:turn:3478", map[string]any{"relay": "turn"}})
	same(t, "when", base.ExpectRules[1].When, map[string][]string{"servers": {"with-turn"}, "home-nat": {"symmetric"}})
	// Rules as written keep what a failing case's expectation drops.
	if base.ExpectRules[0].Path != PathDirect {
		t.Errorf("rule 0 path %q, want direct as written", base.ExpectRules[0].Path)
	}
}

func TestRuleMatches(t *testing.T) {
	cell := map[string]string{"nat": "symmetric", "servers": "stun-only"}
	for _, tc := range []struct {
		when map[string][]string
		want bool
	}{
		{nil, true},
		{map[string][]string{"nat": {"symmetric"}}, true},
		{map[string][]string{"nat": {"full-cone", "symmetric"}}, true},
		{map[string][]string{"nat": {"symmetric"}, "servers": {"with-turn"}}, false},
		{map[string][]string{"nat": {"full-cone"}}, false},
		{map[string][]string{"other": {"x"}}, false},
	} {
		r := ExpectRule{When: tc.when}
		if got := r.Matches(cell); got != tc.want {
			t.Errorf("when %v: %v, want %v", tc.when, got, tc.want)
		}
	}
}

// matrixDoc is a small valid document for matrix tests; %s is the matrix
// and expect block.
const matrixDoc = `name: m
networks:
  home: { subnet: 192.168.1.0/24, public-ip: 81.2.3.4 }
hosts:
  a: { network: home }
  b: { ip: 85.1.1.2 }
peers:
  a: { host: a, ice-servers: &s ["stun:b:3478"] }
  b: { host: b, ice-servers: *s }
call: { offerer: a, answerer: b }
%s`

func TestMatrixAliasesStayPrivate(t *testing.T) {
	for _, tc := range []struct {
		at     string
		a, b   string // first URL of each peer in the case
		values string
	}{
		{"peers.a.ice-servers", "stun:85.1.1.2", "stun:b:3478", `["stun:85.1.1.2"]`},
		{"peers.b.ice-servers.0", "stun:b:3478", "stun:85.1.1.2", `["stun:85.1.1.2"]`},
		{"peers.a.ice-servers.0", "stun:85.1.1.2", "stun:b:3478", `["stun:85.1.1.2"]`},
	} {
		t.Run(tc.at, func(t *testing.T) {
			src := fmt.Sprintf(matrixDoc, "matrix:\n  s:\n    at: "+tc.at+"\n    values: { one: "+tc.values+" }\nexpect: {}\n")
			if strings.HasSuffix(tc.at, ".0") {
				src = strings.Replace(src, "values: { one: [\"stun:85.1.1.2\"] }", `values: { one: "stun:85.1.1.2" }`, 1)
			}
			f, err := Load("m.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			s := f.Cases[0].Scenario
			if a, b := s.Peers["a"].ICEServers[0].URLs[0], s.Peers["b"].ICEServers[0].URLs[0]; a != tc.a || b != tc.b {
				t.Errorf("a=%s b=%s, want a=%s b=%s", a, b, tc.a, tc.b)
			}
		})
	}
}

// TestMatrixErrors checks which errors a matrix file reports and how they
// are attributed to cases.
func TestMatrixErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		block  string
		errors []string // Error() of each, in order; none: loads
	}{
		{
			name:  "a bad value is reported at the value, for its case",
			block: "matrix:\n  nat: { at: networks.home.nat, values: [full-cone, bogus] }\nexpect: {}\n",
			errors: []string{
				`m.yaml:12:53: networks.home.nat: unknown NAT preset "bogus"; use one of full-cone, restricted-cone, port-restricted-cone, symmetric, one-to-one, or the object form {mapping, filtering} (case nat=bogus)`,
			},
		},
		{
			name:  "an error of every case is reported once, without a case",
			block: "matrix:\n  nat: { at: networks.home.nat, values: [full-cone, symmetric] }\nexpect: { within: 0s }\n",
			errors: []string{
				`m.yaml:13:19: expect.within: must be greater than 0, got 0s`,
			},
		},
		{
			name:  "a value that breaks a cross-check names its case",
			block: "matrix:\n  ip: { at: hosts.a.ip, values: [192.168.1.20, 192.168.2.20] }\nexpect: {}\n",
			errors: []string{
				`m.yaml:12:48: hosts.a.ip: 192.168.2.20 lies outside the subnet 192.168.1.0/24 of network home (case ip=192.168.2.20)`,
			},
		},
		{
			name:  "a key added by the matrix is checked like any other",
			block: "matrix:\n  x: { at: hosts.a.port, values: [1] }\nexpect: {}\n",
			errors: []string{
				`m.yaml:12:12: matrix.x.at: hosts.a has no key "port"; allowed: network, ip`,
			},
		},
		{
			name:  "the base may leave out what every case sets",
			block: "matrix:\n  nat: { at: networks.home.nat, values: [full-cone, symmetric] }\nexpect: {}\n",
		},
		{
			name:  "when takes a word or a list",
			block: "matrix:\n  nat: { at: networks.home.nat, values: [full-cone, symmetric, restricted-cone] }\nexpect:\n  - { when: { nat: symmetric }, connected: false }\n  - { when: { nat: [full-cone, restricted-cone] } }\n",
		},
		{
			name:  "when only in the list form",
			block: "matrix:\n  nat: { at: networks.home.nat, values: [full-cone] }\nexpect: { when: { nat: full-cone } }\n",
			errors: []string{
				`m.yaml:13:11: expect.when: when belongs to the rules of the list form`,
			},
		},
		{
			name:  "duplicate value names",
			block: "matrix:\n  nat: { at: networks.home.nat, values: [full-cone, full-cone] }\nexpect: {}\n",
			errors: []string{
				`m.yaml:12:53: matrix.nat.values.1: value "full-cone" is named twice`,
			},
		},
		{
			name:  "unmatched cases are listed together",
			block: "matrix:\n  n: { at: call.data, values: { a: {}, b: {}, c: {}, d: {}, e: {}, f: {}, g: {} } }\nexpect:\n  - { when: { n: a } }\n",
			errors: []string{
				`m.yaml:14:3: expect: no rule matches case m/n=b, m/n=c, m/n=d, m/n=e, m/n=f and 1 more: add a rule for it, or a last rule without when`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("m.yaml", []byte(fmt.Sprintf(matrixDoc, tc.block)))
			if len(tc.errors) == 0 {
				if err != nil {
					t.Fatalf("unexpected error:\n%v", err)
				}
				return
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("got %v, want ErrorList", err)
			}
			if len(list) != len(tc.errors) {
				t.Fatalf("got %d errors, want %d:\n%v", len(list), len(tc.errors), err)
			}
			for i, w := range tc.errors {
				if !strings.HasPrefix(list[i].Error(), w) {
					t.Errorf("error %d:\ngot  %s\nwant %s", i, list[i].Error(), w)
				}
			}
		})
	}
}

func TestMatrixBaseMayLackRequired(t *testing.T) {
	src := strings.Replace(fmt.Sprintf(matrixDoc,
		"matrix:\n  subnet: { at: networks.home.subnet, values: [192.168.1.0/24, 192.168.0.0/16] }\nexpect: {}\n"),
		"home: { subnet: 192.168.1.0/24, public-ip: 81.2.3.4 }", "home: { public-ip: 81.2.3.4 }", 1)
	f, err := Load("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) != 2 || f.Cases[1].Scenario.Networks["home"].Subnet != cidr("192.168.0.0/16") {
		t.Errorf("cases %d, second subnet %v", len(f.Cases), f.Cases[1].Scenario.Networks["home"].Subnet)
	}
	if f.Scenario.Networks["home"].Subnet.IsValid() {
		t.Errorf("base subnet %v, want none", f.Scenario.Networks["home"].Subnet)
	}
}

func TestLocate(t *testing.T) {
	doc := `name: x
networks:
  home: { subnet: 10.0.0.0/24, public-ip: 1.2.3.4, nat: symmetric }
  lab: { subnet: 10.1.0.0/24, public-ip: 1.2.3.5, nat: { mapping: address-dependent, filtering: address-dependent } }
hosts: { a: {}, b: ~ }
peers:
  a: { host: a, ice-servers: [stun:a, { relay: r }] }
call: { offerer: a, answerer: b }
expect: { path: direct }
`
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ at, err string }{
		{"networks.home.nat", ""},
		{"networks.home.link", ""},
		{"networks.home", ""},
		{"networks.new", ""},
		{"hosts.b", ""},
		{"networks.lab.nat.mapping", ""},
		{"networks.lab.nat.hairpinning", ""},
		{"peers.a.ice-servers.0", ""},
		{"peers.a.ice-servers.1.relay", ""},
		{"peers.a.mdns", ""},
		{"call.data", ""},
		{"expect.path", ""},
		{"relays", ""},
		{"networks.home.nat.mapping", "networks.home.nat is a single value"},
		{"peers.a.ice-servers.2", `"2" is not an index of it`},
		{"peers.a.ice-servers.x", `"x" is not an index of it`},
		{"peers.a.ice-servers.0.urls", "peers.a.ice-servers.0 is a single value"},
		{"call.data.size", "call.data does not exist in the document"},
		{"networks.office.nat", "networks.office does not exist in the document"},
		{"relays.r.port", "relays does not exist in the document"},
		{"networks.home.natt", `networks.home has no key "natt" (did you mean nat?)`},
		{"bogus", `the top level has no key "bogus"`},
		{"matrix.x.at", "the matrix cannot change itself"},
		{"name", "the scenario name cannot vary"},
		{"networks..nat", "at must be a dotted path"},
		{"call.offerer.x", "call.offerer is a single value"},
		{"networks.home.subnet.x", "networks.home.subnet is a single value"},
		{"hosts.b.ip", "hosts.b is not a mapping in the document"},
	} {
		_, msg := locate(root.Content[0], tc.at, false)
		if (tc.err == "") != (msg == "") || !strings.Contains(msg, tc.err) {
			t.Errorf("locate(%q) = %q, want %q", tc.at, msg, tc.err)
		}
	}
}

func BenchmarkLoadMatrix(b *testing.B) {
	data := []byte(fmt.Sprintf(matrixDoc, "matrix:\n  nat: { at: networks.home.nat, values: [full-cone, restricted-cone, port-restricted-cone, symmetric] }\n"+
		"  delay: { at: networks.home.link, values: { a: { delay: 10ms }, b: { delay: 50ms }, c: { delay: 100ms } } }\nexpect: {}\n"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load("m.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
