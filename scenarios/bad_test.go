package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badCases lists every file of testdata/bad with the one error it must
// produce: where (line:col, 0 col for YAML syntax errors), at which key
// path, and a fragment of the message. n is the number of errors the file
// must produce in total (1 unless a file shows several on purpose).
var badCases = []struct {
	file      string
	line, col int
	path      string
	msg       string
	n         int
}{
	// YAML and document level
	{"syntax", 15, 0, "", "YAML syntax: did not find expected ',' or '}'", 1},
	{"empty", 1, 1, "", "empty file", 1},
	{"two-docs", 18, 1, "", "a file holds one scenario", 1},
	{"not-mapping", 1, 1, "", "expected a mapping with keys version, name", 1},
	{"unknown-key-top", 2, 1, "label", `unknown key "label" (did you mean labels?); allowed: version, name`, 1},
	{"unknown-key-network", 4, 5, "networks.home.subnets", `unknown key "subnets" (did you mean subnet?)`, 1},
	{"duplicate-key", 6, 5, "networks.home.subnet", `duplicate key "subnet" (first at line 4)`, 1},
	{"version", 1, 10, "version", "expected 1, got 2", 1},
	{"missing-required", 1, 1, "", `missing required key "call"`, 1},
	{"merge-key", 14, 8, "peers.b", "merge keys (<<) are not supported", 1},
	// words and types
	{"bad-name", 1, 7, "name", `bad name "Bad_Name"`, 1},
	{"labels-duplicate", 2, 21, "labels.2", `"nat" is listed twice`, 1},
	{"wrong-type-string", 11, 29, "relays.stun.realm", `expected a string, got integer 3478 (quote it: "3478")`, 1},
	{"wrong-type-bool", 15, 43, "call.trickle", `expected true or false, got "yes"`, 1},
	{"bad-candidates", 14, 36, "peers.b.candidates.1", `expected one of host, srflx, relay, got "stun"`, 1},
	{"bad-policy", 14, 39, "peers.b.ice-transport-policy", `expected one of all, relay, got "none"`, 1},
	{"bad-expect-path", 16, 34, "expect.path", `expected one of direct, relayed, got "p2p"`, 1},
	{"bad-expect-reach", 16, 27, "expect.offerer.1", `expected one of host, reflexive, relay, got "srflx"`, 1},
	{"data-size", 18, 31, "call.data.size", "must be between 1 and 65535, got 0", 1},
	// addresses
	{"bad-cidr", 4, 13, "networks.home.subnet", `expected an IPv4 CIDR like 192.168.1.0/24, got "abc"`, 1},
	{"cidr-host-bits", 4, 13, "networks.home.subnet", "has host bits set; did you mean 192.168.1.0/24?", 1},
	{"ipv6", 5, 16, "networks.home.public-ip", "expected an IPv4 address (vnet has no IPv6)", 1},
	{"bad-ip", 8, 12, "hosts.b.ip", `expected an IPv4 address like 192.168.1.10, got "85.1.1.300"`, 1},
	{"reserved-address", 8, 12, "hosts.b.ip", "127.0.0.5 lies in the reserved range 127.0.0.0/8", 1},
	{"overlap-siblings", 7, 13, "networks.office.subnet", "overlaps networks.home.subnet 192.168.1.0/24", 1},
	{"overlap-parent", 8, 13, "networks.inner.subnet", "overlaps the subnet 192.168.1.0/24 of its ancestor network home", 1},
	{"subnet-hides-internet", 4, 13, "networks.home.subnet", "contains 85.1.1.2 (hosts.b on the internet)", 1},
	{"host-outside-subnet", 7, 27, "hosts.a.ip", "192.168.2.20 lies outside the subnet 192.168.1.0/24 of network home", 1},
	{"host-network-address", 7, 27, "hosts.a.ip", "is the network address of home's subnet", 1},
	{"host-broadcast", 7, 27, "hosts.a.ip", "is the broadcast address of home's subnet", 1},
	{"public-ip-outside-parent", 9, 16, "networks.inner.public-ip", "192.168.2.2 lies outside the subnet 192.168.1.0/24 of network home", 1},
	{"duplicate-host-ip", 9, 14, "hosts.srv.ip", "address 85.1.1.1 is already used by hosts.b", 1},
	{"duplicate-public-ip", 8, 16, "networks.office.public-ip", "address 81.2.3.4 is already used by networks.home", 1},
	{"internet-as-network", 3, 3, "networks.internet", "internet is the implicit root network", 1},
	// references
	{"dangling-host-network", 7, 17, "hosts.a.network", `unknown network "hom" (did you mean home?)`, 1},
	{"dangling-parent", 6, 13, "networks.home.parent", `unknown network "carrier"`, 1},
	{"parent-cycle", 6, 13, "networks.home.parent", "networks home -> office -> home form a cycle", 1},
	{"dangling-relay-host", 11, 17, "relays.stun.host", `unknown host "server"`, 1},
	{"dangling-peer-host", 14, 14, "peers.b.host", `unknown host "c"`, 1},
	{"dangling-ice-relay", 14, 40, "peers.b.ice-servers.0.relay", `unknown relay "turn"`, 1},
	{"call-same-peer", 15, 31, "call.answerer", "the answerer must be another peer than the offerer", 1},
	{"call-missing-peer", 15, 31, "call.answerer", `unknown peer "c"`, 1},
	{"expect-gathered-peer", 19, 5, "expect.gathered.c", `unknown peer "c"`, 1},
	// ports, durations, percentages
	{"port-range-reversed", 11, 35, "relays.stun.relay-ports", `reversed port range "50200-50000"`, 1},
	{"port-zero", 11, 28, "relays.stun.port", "must be between 1 and 65535, got 0", 1},
	{"port-too-big", 7, 39, "networks.home.firewall.0.ports.1", "port 70000 is out of range 1-65535", 1},
	{"relay-port-shared", 12, 28, "relays.turn.port", "port 3478 of host srv is already used by relays.stun", 1},
	{"duration-number", 15, 43, "call.timeout", "got 10 (a number needs a unit)", 1},
	{"duration-syntax", 15, 43, "call.timeout", `expected a Go duration like 250ms or 3s, got "10 seconds"`, 1},
	{"duration-zero", 15, 43, "call.timeout", "must be greater than 0, got 0s", 1},
	{"duration-negative", 6, 20, "networks.home.link.delay", "must not be negative, got -5ms", 1},
	{"percent-range", 6, 19, "networks.home.link.loss", "a percentage must be between 0 and 100, got 120%", 1},
	{"percent-syntax", 6, 19, "networks.home.link.loss", `expected a percentage like "2%" or a number 0..100, got "lots"`, 1},
	// NAT, firewall
	{"one-to-one-two-hosts", 6, 10, "networks.home.nat", "a one-to-one NAT maps public-ip to exactly one host of the network; home has 2 (hosts.a, hosts.b)", 1},
	{"nat-object-missing", 6, 10, "networks.home.nat", `missing required key "filtering"`, 1},
	{"nat-object-word", 6, 54, "networks.home.nat.filtering", `got "port-dependent"`, 1},
	{"nat-preset-unknown", 6, 10, "networks.home.nat", `unknown NAT preset "symetric" (did you mean symmetric?)`, 1},
	{"firewall-no-action", 7, 9, "networks.home.firewall.0", `missing required key "action"`, 1},
	// ICE servers and relay auth
	{"url-tcp", 13, 39, "peers.a.ice-servers.0.urls", "transport=tcp is not available: vnet is UDP-only", 1},
	{"url-scheme", 13, 31, "peers.a.ice-servers.0", `expected a stun: or turn: URL, got "http://srv:3478"`, 1},
	{"url-unknown-host", 13, 31, "peers.a.ice-servers.0", `unknown host "server" in "stun:server:3478"`, 1},
	{"turn-no-credentials", 13, 48, "peers.a.ice-servers.1", "turn: URLs need a username and a credential", 1},
	{"auth-both", 13, 11, "relays.stun.auth", "users (long-term credentials) or secret (TURN REST API), not both", 1},
	{"auth-empty", 13, 11, "relays.stun.auth", "auth needs users (long-term credentials) or secret", 1},
	{"auth-ttl-users", 13, 40, "relays.stun.auth.ttl", "ttl applies only to secret", 1},
	// expect and matrix
	{"expect-list-no-matrix", 17, 3, "expect", "a list of rules needs a matrix", 1},
	{"matrix-at-missing-parent", 18, 9, "matrix.nat.at", "networks.office does not exist in the document", 1},
	{"matrix-at-bad-key", 18, 9, "matrix.nat.at", `networks.home has no key "natt" (did you mean nat?)`, 1},
	{"matrix-bad-value", 19, 25, "networks.home.nat", `unknown NAT preset "bogus"`, 1},
	{"matrix-structured-in-list", 19, 14, "matrix.servers.values.0", "a value of the list form must be a scalar", 1},
	{"matrix-overlap", 22, 9, "matrix.mapping.at", "overlaps matrix.nat.at networks.home.nat", 1},
	{"matrix-too-many", 19, 6, "matrix.c", "the matrix expands to more than 1000 cases", 1},
	{"matrix-when-unknown-dim", 21, 13, "expect.0.when.natt", `unknown dimension "natt" (did you mean nat?)`, 1},
	{"matrix-when-unknown-value", 21, 30, "expect.0.when.nat.1", `dimension nat has no value "restricted"`, 1},
	{"matrix-no-match", 21, 3, "expect", "no rule matches case matrix-no-match/nat=full-cone", 1},
	{"matrix-unreachable-rule", 22, 5, "expect.1", "this rule matches no case", 1},
}

func TestLoadBad(t *testing.T) {
	listed := map[string]bool{}
	for _, tc := range badCases {
		listed[tc.file+".yaml"] = true
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", tc.file+".yaml")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Load(path, data)
			if err == nil {
				t.Fatalf("loaded without error: %d cases", len(f.Cases))
			}
			if f != nil {
				t.Errorf("Load returned a file along with the error")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want ErrorList", err)
			}
			if tc.n > 0 && len(list) != tc.n {
				t.Errorf("got %d errors, want %d:\n%v", len(list), tc.n, err)
			}
			found := false
			for _, e := range list {
				if e.File != path {
					t.Errorf("error names file %q, want %q", e.File, path)
				}
				if e.Line == tc.line && e.Col == tc.col && e.Path == tc.path && strings.Contains(e.Msg, tc.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("no error at %d:%d %s containing %q; got:\n%v", tc.line, tc.col, tc.path, tc.msg, err)
			}
		})
	}
	// Every file of testdata/bad has a row, so none is silently untested.
	paths, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if !listed[filepath.Base(p)] {
			t.Errorf("%s has no row in badCases", p)
		}
	}
	if len(paths) < 30 {
		t.Errorf("only %d malformed files", len(paths))
	}
}

// TestErrorsTogether checks that every error of a file is reported at once,
// in line order, and formatted as file:line:col: path: msg.
func TestErrorsTogether(t *testing.T) {
	src := `name: Many
hosts:
  a: { ip: 300.1.1.1 }
  b: { network: nowhere }
peers:
  a: { host: a, candidates: [stun] }
  b: { host: b }
call: { offerer: a, answerer: a, timeout: soon }
expect: { path: sideways }
`
	_, err := Load("many.yaml", []byte(src))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v (%T), want ErrorList", err, err)
	}
	want := []string{
		`many.yaml:1:7: name: bad name "Many"`,
		`many.yaml:3:12: hosts.a.ip: expected an IPv4 address like 192.168.1.10, got "300.1.1.1"`,
		`many.yaml:4:17: hosts.b.network: unknown network "nowhere"`,
		`many.yaml:6:30: peers.a.candidates.0: expected one of host, srflx, relay, got "stun"`,
		`many.yaml:8:31: call.answerer: the answerer must be another peer than the offerer (a)`,
		`many.yaml:8:43: call.timeout: expected a Go duration like 250ms or 3s, got "soon"`,
		`many.yaml:9:17: expect.path: expected one of direct, relayed, got "sideways"`,
	}
	if len(list) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(list[i].Error(), w) {
			t.Errorf("error %d = %q, want prefix %q", i, list[i].Error(), w)
		}
	}
	if got := strings.Count(err.Error(), "\n"); got != len(want)-1 {
		t.Errorf("ErrorList.Error() has %d line breaks, want %d", got, len(want)-1)
	}
	var one *Error
	if !errors.As(err, &one) || one != list[0] {
		t.Errorf("errors.As(*Error) = %v, want the first error", one)
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "f.yaml", Line: 3, Col: 5, Path: "networks.home.subnet", Msg: "bad"}, "f.yaml:3:5: networks.home.subnet: bad"},
		{Error{File: "f.yaml", Line: 3, Msg: "YAML syntax: x"}, "f.yaml:3: YAML syntax: x"},
		{Error{File: "f.yaml", Msg: "no such file"}, "f.yaml: no such file"},
		{Error{Line: 1, Col: 2, Path: "name", Msg: "m"}, "1:2: name: m"},
		{Error{File: "f.yaml", Line: 1, Col: 2, Path: "p", Msg: "m", Case: "nat=symmetric"}, "f.yaml:1:2: p: m (case nat=symmetric)"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
