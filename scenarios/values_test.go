package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// valueDoc is a valid document with one slot, %s, in the home network.
const valueDoc = `name: v
networks:
  home:
    subnet: 192.168.1.0/24
    public-ip: 81.2.3.4
%s
hosts: { a: { network: home }, b: {} }
peers: { a: { host: a }, b: { host: b } }
call: { offerer: a, answerer: b }
expect: {}
`

// TestValueForms checks each accepted spelling of the typed values, and
// the rejection of near misses, through Load.
func TestValueForms(t *testing.T) {
	for _, tc := range []struct {
		slot string
		want any    // value read back by get, when err is ""
		err  string // message fragment
		get  func(n *Network) any
	}{
		// percentages
		{slot: `link: { loss: 2% }`, want: 2.0},
		{slot: `link: { loss: "2.5%" }`, want: 2.5},
		{slot: `link: { loss: 100% }`, want: 100.0},
		{slot: `link: { loss: 0 }`, want: 0.0},
		{slot: `link: { loss: 0.5 }`, want: 0.5},
		{slot: `link: { loss: .5% }`, want: 0.5},
		{slot: `link: { loss: 100 }`, want: 100.0},
		{slot: `link: { loss: 101 }`, err: "between 0 and 100"},
		{slot: `link: { loss: -1 }`, err: "between 0 and 100"},
		{slot: `link: { loss: .nan }`, err: "expected a percentage"},
		{slot: `link: { loss: 1e1% }`, err: "expected a percentage"},
		{slot: `link: { loss: "%" }`, err: "expected a percentage"},
		{slot: `link: { loss: [1] }`, err: "expected a percentage"},
		// durations
		{slot: `link: { delay: 1h30m }`, want: 90 * time.Minute},
		{slot: `link: { delay: 250ms, jitter: 0s }`, want: 250 * time.Millisecond},
		{slot: `link: { delay: 1.5s }`, want: 1500 * time.Millisecond},
		{slot: `link: { delay: 0 }`, err: "a number needs a unit"},
		{slot: `link: { delay: 5 ms }`, err: `got "5 ms"`},
		{slot: `link: { delay: true }`, err: "expected a string, got boolean true"},
		{slot: `nat: { mapping: endpoint-independent, filtering: endpoint-independent, mapping-lifetime: 0s }`, err: "greater than 0"},
		// ports
		{slot: `firewall: [{ action: drop, ports: 3478 }]`, want: []PortRange{{3478, 3478}}},
		{slot: `firewall: [{ action: drop, ports: "3478" }]`, want: []PortRange{{3478, 3478}}},
		{slot: `firewall: [{ action: drop, ports: 1-65535 }]`, want: []PortRange{{1, 65535}}},
		{slot: `firewall: [{ action: drop, ports: [1, 5-6, "7"] }]`, want: []PortRange{{1, 1}, {5, 6}, {7, 7}}},
		{slot: `firewall: [{ action: drop, ports: 0x10 }]`, want: []PortRange{{16, 16}}},
		{slot: `firewall: [{ action: drop, ports: [] }]`, err: "leave ports out to match any port"},
		{slot: `firewall: [{ action: drop, ports: 5-4 }]`, err: "reversed port range"},
		{slot: `firewall: [{ action: drop, ports: 0-4 }]`, err: "port 0 is out of range"},
		{slot: `firewall: [{ action: drop, ports: 99999999999999999999 }]`, err: "expected a port"},
		{slot: `firewall: [{ action: drop, ports: 65536 }]`, err: "port 65536 is out of range"},
		{slot: `firewall: [{ action: drop, ports: "1-2-3" }]`, err: "expected a port"},
		{slot: `firewall: [{ action: drop, ports: " 1" }]`, err: "expected a port"},
		{slot: `firewall: [{ action: drop, ports: -5 }]`, err: "port -5 is out of range"},
		{slot: `firewall: [{ action: drop, peer: 10.0.0.1 }]`, err: "add the prefix length, like 10.0.0.1/32"},
		// NAT forms: all nine combinations of the object form load
		{slot: `nat: full-cone`, want: NAT{Preset: PresetFullCone, Mapping: EndpointIndependent, Filtering: EndpointIndependent, Hairpinning: true}},
		{slot: `nat: restricted-cone`, want: NAT{Preset: PresetRestrictedCone, Mapping: EndpointIndependent, Filtering: AddressDependent, Hairpinning: true}},
		{slot: `nat: { mapping: address-dependent, filtering: endpoint-independent, hairpinning: false }`, want: NAT{Mapping: AddressDependent, Filtering: EndpointIndependent}},
		{slot: `nat: [symmetric]`, err: "expected a NAT preset"},
		{slot: `nat: { mapping: endpoint-independent, filtering: endpoint-independent, preset: symmetric }`, err: `mapping comes from the preset`},
		// the preset object form (a compatible addition)
		{slot: `nat: { preset: symmetric, hairpinning: false }`, want: NAT{Preset: PresetSymmetric, Mapping: AddressAndPortDependent, Filtering: AddressAndPortDependent}},
		{slot: `nat: { preset: full-cone, mapping-lifetime: 45s }`, want: NAT{Preset: PresetFullCone, Mapping: EndpointIndependent, Filtering: EndpointIndependent, Hairpinning: true, MappingLifetime: 45 * time.Second}},
		{slot: `nat: { preset: full-cone }`, want: NAT{Preset: PresetFullCone, Mapping: EndpointIndependent, Filtering: EndpointIndependent, Hairpinning: true}},
		{slot: `nat: { preset: one-to-one, mapping-lifetime: 45s }`, err: "no mapping lifetime"},
		{slot: `nat: { preset: cone }`, err: `unknown NAT preset "cone"`},
		{slot: `nat: { preset: full-cone, hairpin: true }`, err: `unknown key "hairpin"`},
		// booleans are YAML 1.2 words only
		{slot: `nat: { mapping: endpoint-independent, filtering: endpoint-independent, hairpinning: no }`, err: `expected true or false, got "no"`},
		{slot: `nat: { mapping: endpoint-independent, filtering: endpoint-independent, hairpinning: !!bool yes }`, err: "expected true or false"},
		// tags
		{slot: `parent: !custom internet`, err: "unsupported YAML tag !custom"},
		{slot: `parent: !!str internet`, want: Internet},
		{slot: `parent: ~`, err: "expected a string, got null (write a value or leave the key out)"},
	} {
		t.Run(tc.slot, func(t *testing.T) {
			f, err := Load("v.yaml", []byte(fmt.Sprintf(valueDoc, "    "+tc.slot)))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want error with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			n := f.Scenario.Networks["home"]
			var got any
			switch {
			case strings.HasPrefix(tc.slot, "link: { loss"):
				got = n.Link.Loss
			case strings.HasPrefix(tc.slot, "link: { delay"):
				got = n.Link.Delay
			case strings.HasPrefix(tc.slot, "firewall"):
				got = n.Firewall[0].Ports
			case strings.HasPrefix(tc.slot, "nat"):
				got = n.NAT
			case strings.HasPrefix(tc.slot, "parent"):
				got = n.Parent
			}
			same(t, tc.slot, got, tc.want)
		})
	}
	// Every mapping x filtering combination is accepted.
	behaviors := []Behavior{EndpointIndependent, AddressDependent, AddressAndPortDependent}
	for _, m := range behaviors {
		for _, fl := range behaviors {
			slot := fmt.Sprintf("    nat: { mapping: %s, filtering: %s }", m, fl)
			f, err := Load("v.yaml", []byte(fmt.Sprintf(valueDoc, slot)))
			if err != nil {
				t.Errorf("%s: %v", slot, err)
				continue
			}
			if n := f.Scenario.Networks["home"].NAT; n.Mapping != m || n.Filtering != fl || !n.Hairpinning || n.Preset != "" {
				t.Errorf("%s: got %+v", slot, n)
			}
		}
	}
}

func TestCheckURL(t *testing.T) {
	w := &world{s: &Scenario{Hosts: map[string]*Host{"turn": {}, "stun-1": {}}}}
	for _, tc := range []struct {
		url  string
		turn bool
		err  string
	}{
		{"stun:turn", false, ""},
		{"stun:turn:3478", false, ""},
		{"stun:stun-1:19302", false, ""},
		{"stun:85.1.1.1:3478", false, ""},
		{"turn:turn:3478", true, ""},
		{"turn:turn:3478?transport=udp", true, ""},
		{"turn:85.1.1.1", true, ""},
		{"turn:turn:3478?transport=tcp", true, "transport=tcp is not available: vnet is UDP-only"},
		{"turn:turn:3478?foo=bar", true, `unknown query "foo=bar"`},
		{"stun:turn:3478?transport=udp", false, "stun: URLs take no query"},
		{"stuns:turn:5349", false, "stuns: (TLS over TCP) is not available"},
		{"turns:turn:5349", false, "turns: (TLS over TCP) is not available"},
		{"stun://turn:3478", false, "without //"},
		{"stun:[::1]:3478", false, "IPv6 is not available"},
		{"stun:::1", false, "bad port"},
		{"stun:turn:0", false, `bad port "0"`},
		{"stun:turn:65536", false, `bad port "65536"`},
		{"stun:turn:", false, `bad port ""`},
		{"stun::3478", false, "missing host"},
		{"stun:nope:3478", false, `unknown host "nope"`},
		{"stun:Turn:3478", false, "neither an IPv4 address nor a host name"},
		{"stun:stun.l.google.com:19302", false, "neither an IPv4 address nor a host name"},
		{"http://turn", false, "expected a stun: or turn: URL"},
		{"turn", false, "expected a URL like stun:host:3478"},
	} {
		turn, msg := w.checkURL(tc.url)
		if turn != tc.turn || (tc.err == "") != (msg == "") || !strings.Contains(msg, tc.err) {
			t.Errorf("checkURL(%q) = %v, %q; want %v, %q", tc.url, turn, msg, tc.turn, tc.err)
		}
	}
}

// TestExpectNormalized checks the expectation a case gets from its rule.
func TestExpectNormalized(t *testing.T) {
	src := `name: e
hosts: { a: {}, b: {}, t: {} }
relays: { t: { host: t } }
peers: { a: { host: a }, b: { host: b } }
call: { offerer: a, answerer: b }
expect:
  connected: false
  path: direct
  offerer: host
  answerer: [host]
  within: 1s
  gathered: { a: [host] }
  relay-log: [boom]
`
	f, err := Load("e.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	// Connection keys do not apply to a call that must fail; gathered and
	// relay-log still do.
	same(t, "expect", f.Cases[0].Expect, Expect{
		Connected: ptr(false), Gathered: map[string][]string{"a": {"host"}}, RelayLog: []string{"boom"},
	})
	// The rule as written is kept.
	if r := f.Scenario.ExpectRules[0]; r.Path != PathDirect || r.Within != time.Second {
		t.Errorf("rule as written: %+v", r)
	}
	// relay-log needs a relay.
	_, err = Load("e.yaml", []byte(strings.Replace(src, "relays: { t: { host: t } }\n", "", 1)))
	if err == nil || !strings.Contains(err.Error(), "relay-log needs a relay") {
		t.Errorf("got %v", err)
	}
}

// TestAliasBomb checks that aliases cannot make a small file expensive.
func TestAliasBomb(t *testing.T) {
	rep := func(s string, n int) string { return strings.TrimSuffix(strings.Repeat(s+", ", n), ", ") }
	// 100 peers x 100 servers x 100 URLs, in a few kilobytes.
	var b strings.Builder
	b.WriteString("name: bomb\nhosts: { a: {}, b: {} }\npeers:\n")
	fmt.Fprintf(&b, "  p0: &p { host: a, ice-servers: [&s { urls: [&u stun:a, %s] }, %s] }\n", rep("*u", 99), rep("*s", 99))
	for i := 1; i < 100; i++ {
		fmt.Fprintf(&b, "  p%d: *p\n", i)
	}
	b.WriteString("call: { offerer: p0, answerer: p1 }\nexpect: {}\n")
	_, err := Load("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "document too large") {
		t.Fatalf("got %.300v, want a size error", err)
	}
	// Matrix values are plain YAML: the parser refuses excessive aliasing.
	b.Reset()
	b.WriteString(fmt.Sprintf(matrixDoc, "matrix:\n  x:\n    at: description\n    values:\n      v0: &v0 [x, x, x, x, x, x, x, x, x, x]\n"))
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "      v%d: &v%d [%s]\n", i, i, rep(fmt.Sprintf("*v%d", i-1), 10))
	}
	b.WriteString("expect: {}\n")
	_, err = Load("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "excessive aliasing") {
		t.Fatalf("got %.300v, want excessive aliasing", err)
	}
	// A self-referencing alias is an error, not a hang.
	_, err = Load("loop.yaml", []byte("name: loop\nlabels: &l [a, *l]\n"))
	if err == nil {
		t.Fatal("loaded a self-referencing alias")
	}
	// So many errors that listing them all says nothing more.
	b.Reset()
	b.WriteString("name: many\nlabels: [")
	b.WriteString(rep("X", 1000))
	b.WriteString("]\n")
	_, err = Load("many.yaml", []byte(b.String()))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != maxErrors+1 || !strings.Contains(err.Error(), "too many errors") {
		t.Fatalf("got %d errors", len(list))
	}
}
