package scenarios

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// world checks a decoded scenario as a whole: references between its
// parts, addresses and subnets, and the rules that tie keys together. It
// also assigns addresses to hosts that have none. Problems that decoding
// already reported (a missing or malformed value) are not reported again:
// the checks skip zero values.
type world struct {
	d *decoder
	s *Scenario
	// ok holds the networks that can carry hosts: a valid subnet and a chain
	// of parents that ends at internet.
	ok map[string]bool
}

func (d *decoder) validate(s *Scenario) {
	w := &world{d: d, s: s, ok: map[string]bool{}}
	w.networks()
	w.hosts()
	w.assign()
	w.addresses()
	w.relays()
	w.peers()
	w.call()
	w.expect()
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// subnetOf returns the subnet of a network name (internet included) that
// is ok, or false.
func (w *world) subnetOf(name string) (netip.Prefix, bool) {
	if name == Internet {
		return internetSubnet, true
	}
	if !w.ok[name] {
		return netip.Prefix{}, false
	}
	return w.s.Networks[name].Subnet, true
}

func (w *world) networkList() string {
	return strings.Join(append(sortedKeys(w.s.Networks), Internet), ", ")
}

func (w *world) networks() {
	s, d := w.s, w.d
	names := sortedKeys(s.Networks)
	bad := map[string]bool{}
	for _, name := range names {
		n, p := s.Networks[name], "networks."+name
		if name == Internet {
			d.failKey(p, "internet is the implicit root network; give this network another name")
			bad[name] = true
		}
		if n.Parent != "" && n.Parent != Internet && s.Networks[n.Parent] == nil {
			d.failAt(p+".parent", "unknown network %q%s; networks: %s", n.Parent, suggest(n.Parent, names), w.networkList())
			bad[name] = true
		}
		if n.Parent == "" || !n.Subnet.IsValid() {
			bad[name] = true
		}
		if n.Subnet.IsValid() {
			if n.Subnet.Bits() > 30 {
				d.failAt(p+".subnet", "subnet %s is too small: a network needs at least two host addresses (/30 or larger)", n.Subnet)
				bad[name] = true
			} else if r := reservedOverlap(n.Subnet); r != "" {
				d.failAt(p+".subnet", "subnet %s overlaps the reserved range %s", n.Subnet, r)
				bad[name] = true
			}
		}
	}
	// Cycles: report each once, at its first member by name.
	inCycle := map[string]bool{}
	for _, name := range names {
		chain := []string{name}
		for cur := s.Networks[name].Parent; ; cur = s.Networks[cur].Parent {
			if cur == Internet || s.Networks[cur] == nil || len(chain) > len(names) {
				break
			}
			if cur == name {
				if !inCycle[name] {
					for _, c := range chain {
						inCycle[c] = true
					}
					d.failAt("networks."+name+".parent", "networks %s -> %s form a cycle: every chain of parents must end at internet",
						strings.Join(chain, " -> "), name)
				}
				break
			}
			chain = append(chain, cur)
		}
	}
	// ok: valid, and the parents up to internet are too.
	var isOK func(name string, depth int) bool
	isOK = func(name string, depth int) bool {
		if name == Internet {
			return true
		}
		n := s.Networks[name]
		if n == nil || bad[name] || inCycle[name] || depth > len(names) {
			return false
		}
		return isOK(n.Parent, depth+1)
	}
	for _, name := range names {
		w.ok[name] = isOK(name, 0)
	}
	for _, name := range names {
		n, p := s.Networks[name], "networks."+name
		if !n.PublicIP.IsValid() {
			continue
		}
		parent, ok := w.subnetOf(n.Parent)
		if !ok {
			continue
		}
		w.checkAddr(p+".public-ip", n.PublicIP, n.Parent, parent)
	}
	// One-to-one NAT maps public-ip to exactly one machine of the network.
	for _, name := range names {
		n := s.Networks[name]
		if !n.NAT.OneToOne {
			continue
		}
		var inside []string
		for _, h := range sortedKeys(s.Hosts) {
			if s.Hosts[h].Network == name {
				inside = append(inside, "hosts."+h)
			}
		}
		for _, c := range names {
			if s.Networks[c].Parent == name {
				inside = append(inside, "networks."+c)
			}
		}
		if len(inside) != 1 {
			d.failAt("networks."+name+".nat", "a one-to-one NAT maps public-ip to exactly one host of the network; %s has %d%s",
				name, len(inside), listSuffix(inside))
		}
	}
}

func listSuffix(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return " (" + strings.Join(items, ", ") + ")"
}

// checkAddr checks that a, the address at path, is usable on network space
// whose subnet is sub.
func (w *world) checkAddr(path string, a netip.Addr, space string, sub netip.Prefix) {
	d := w.d
	if r := reservedAddr(a); r != "" {
		d.failAt(path, "%s lies in the reserved range %s", a, r)
		return
	}
	if !sub.Contains(a) {
		d.failAt(path, "%s lies outside the subnet %s of network %s", a, sub, space)
		return
	}
	if space != Internet {
		if e := edge(sub, a); e != "" {
			d.failAt(path, "%s is the %s address of %s's subnet %s; use a host address", a, e, space, sub)
		}
	}
}

func (w *world) hosts() {
	s, d := w.s, w.d
	for _, name := range sortedKeys(s.Hosts) {
		h, p := s.Hosts[name], "hosts."+name
		if h.Network == "" {
			continue
		}
		if h.Network != Internet && s.Networks[h.Network] == nil {
			d.failAt(p+".network", "unknown network %q%s; networks: %s", h.Network, suggest(h.Network, sortedKeys(s.Networks)), w.networkList())
			continue
		}
		if sub, ok := w.subnetOf(h.Network); ok && h.IP.IsValid() {
			w.checkAddr(p+".ip", h.IP, h.Network, sub)
		}
	}
}

// assign gives each host without an ip the lowest free address from .10
// upward of its network's subnet, in host-name order; hosts on the internet
// get one from 203.0.113.0/24 that no network's subnet contains.
func (w *world) assign() {
	s, d := w.s, w.d
	used := map[netip.Addr]bool{}
	for _, h := range s.Hosts {
		if h.IP.IsValid() {
			used[h.IP] = true
		}
	}
	for _, n := range s.Networks {
		if n.PublicIP.IsValid() {
			used[n.PublicIP] = true
		}
	}
	for _, name := range sortedKeys(s.Hosts) {
		h, p := s.Hosts[name], "hosts."+name
		if h.IP.IsValid() || d.given(p+".ip") {
			continue
		}
		sub, ok := w.subnetOf(h.Network)
		if !ok {
			continue
		}
		taken := func(a netip.Addr) bool { return used[a] }
		if h.Network == Internet {
			sub = autoInternet
			taken = func(a netip.Addr) bool {
				if used[a] {
					return true
				}
				for _, n := range s.Networks {
					if n.Subnet.IsValid() && n.Subnet.Contains(a) {
						return true
					}
				}
				return false
			}
		}
		first, _ := bounds(sub)
		a, ok := firstFree(sub, first+10, taken)
		if !ok {
			d.failAt(p, "no free address left in %s for this host; give it an ip", sub)
			continue
		}
		h.IP = a
		used[a] = true
	}
}

// owner is a user of an address in one network's address space.
type owner struct {
	path string
	addr netip.Addr
}

// spaceUsers lists the addresses used in network space: its hosts and the
// public-ips of its child networks, in document order.
func (w *world) spaceUsers(space string) []owner {
	var out []owner
	for _, name := range sortedKeys(w.s.Hosts) {
		if h := w.s.Hosts[name]; h.Network == space && h.IP.IsValid() {
			out = append(out, owner{"hosts." + name + ".ip", h.IP})
		}
	}
	for _, name := range sortedKeys(w.s.Networks) {
		if n := w.s.Networks[name]; n.Parent == space && n.PublicIP.IsValid() {
			out = append(out, owner{"networks." + name + ".public-ip", n.PublicIP})
		}
	}
	slices.SortStableFunc(out, func(a, b owner) int {
		pa, pb := w.d.pos(a.path), w.d.pos(b.path)
		if pa == nil || pb == nil {
			return 0
		}
		return cmp.Or(cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Column, pb.Column))
	})
	return out
}

// addresses checks that addresses are unique within each network, that
// sibling subnets do not overlap, and that no subnet hides an address its
// hosts must reach (an ancestor's subnet, an address on the internet).
func (w *world) addresses() {
	s, d := w.s, w.d
	spaces := append([]string{Internet}, sortedKeys(s.Networks)...)
	for _, space := range spaces {
		if _, ok := w.subnetOf(space); !ok {
			continue
		}
		seen := map[netip.Addr]string{}
		for _, o := range w.spaceUsers(space) {
			if first, dup := seen[o.addr]; dup {
				d.failAt(o.path, "address %s is already used by %s", o.addr, strings.TrimSuffix(strings.TrimSuffix(first, ".ip"), ".public-ip"))
				continue
			}
			seen[o.addr] = o.path
		}
	}
	names := sortedKeys(s.Networks)
	// Siblings, reported at the later one in the document.
	for i, a := range names {
		for _, b := range names[i+1:] {
			na, nb := s.Networks[a], s.Networks[b]
			if !w.ok[a] || !w.ok[b] || na.Parent != nb.Parent || !na.Subnet.Overlaps(nb.Subnet) {
				continue
			}
			first, second := a, b
			if pa, pb := d.pos("networks."+a+".subnet"), d.pos("networks."+b+".subnet"); pa != nil && pb != nil && pb.Line < pa.Line {
				first, second = b, a
			}
			d.failAt("networks."+second+".subnet", "subnet %s overlaps networks.%s.subnet %s (both hang off %s)",
				s.Networks[second].Subnet, first, s.Networks[first].Subnet, na.Parent)
		}
	}
	internetUsers := w.spaceUsers(Internet)
	for _, name := range names {
		n := s.Networks[name]
		if !w.ok[name] {
			continue
		}
		p := "networks." + name + ".subnet"
		reported := false
		for anc := n.Parent; anc != Internet; anc = s.Networks[anc].Parent {
			if a := s.Networks[anc]; n.Subnet.Overlaps(a.Subnet) {
				d.failAt(p, "subnet %s overlaps the subnet %s of its ancestor network %s: addresses there would be unreachable from %s",
					n.Subnet, a.Subnet, anc, name)
				reported = true
				break
			}
		}
		if reported {
			continue
		}
		for _, o := range internetUsers {
			if n.Subnet.Contains(o.addr) {
				d.failAt(p, "subnet %s contains %s (%s on the internet), which hosts of %s could not reach",
					n.Subnet, o.addr, strings.TrimSuffix(strings.TrimSuffix(o.path, ".ip"), ".public-ip"), name)
				break
			}
		}
	}
}

func (w *world) hostList() string { return strings.Join(sortedKeys(w.s.Hosts), ", ") }

func (w *world) relays() {
	s, d := w.s, w.d
	byHost := map[string][]string{}
	for _, name := range sortedKeys(s.Relays) {
		r, p := s.Relays[name], "relays."+name
		if r.Host != "" {
			if s.Hosts[r.Host] == nil {
				d.failAt(p+".host", "unknown host %q%s; hosts: %s", r.Host, suggest(r.Host, sortedKeys(s.Hosts)), w.hostList())
			} else {
				byHost[r.Host] = append(byHost[r.Host], name)
			}
		}
		if d.given(p+".realm") && r.Realm == "" && !d.failedAt(p+".realm") {
			d.failAt(p+".realm", "realm must not be empty")
		}
		if r.ExternalIP.IsValid() {
			if res := reservedAddr(r.ExternalIP); res != "" {
				d.failAt(p+".external-ip", "%s lies in the reserved range %s", r.ExternalIP, res)
			}
		}
		if a := r.Auth; a != nil {
			ap := p + ".auth"
			users, secret := d.given(ap+".users"), d.given(ap+".secret")
			switch {
			case users && secret:
				d.failAt(ap, "auth takes users (long-term credentials) or secret (TURN REST API), not both")
			case !users && !secret:
				d.failAt(ap, "auth needs users (long-term credentials) or secret (TURN REST API); leave auth out for a STUN-only server")
			}
			if d.given(ap+".ttl") && !secret {
				d.failAt(ap+".ttl", "ttl applies only to secret (TURN REST API credentials)")
			}
			if !secret {
				a.TTL = 0
			}
			if secret && a.Secret == "" && !d.failedAt(ap+".secret") {
				d.failAt(ap+".secret", "secret must not be empty")
			}
			for _, u := range sortedKeys(a.Users) {
				if a.Users[u] == "" && !d.failedAt(ap+".users."+u) {
					d.failAt(ap+".users."+u, "password of %q must not be empty", u)
				}
			}
		}
	}
	// Relays sharing a host cannot listen on the same port. (Overlapping
	// relay-ports are fine: an allocation retries on a port in use.)
	for _, host := range sortedKeys(byHost) {
		rs := byHost[host]
		for i, a := range rs {
			for _, b := range rs[i+1:] {
				if ra, rb := s.Relays[a], s.Relays[b]; ra.Port != 0 && ra.Port == rb.Port {
					d.failAt("relays."+b+".port", "port %d of host %s is already used by relays.%s", rb.Port, host, a)
				}
			}
		}
	}
}

// failedUnder reports whether an error was recorded at path or below it.
func (d *decoder) failedUnder(path string) bool {
	for _, e := range d.errs {
		if e.Path == path || strings.HasPrefix(e.Path, path+".") {
			return true
		}
	}
	return false
}

// failedAt reports whether an error was already recorded at path.
func (d *decoder) failedAt(path string) bool {
	for _, e := range d.errs {
		if e.Path == path {
			return true
		}
	}
	return false
}

func (w *world) peers() {
	s, d := w.s, w.d
	for _, name := range sortedKeys(s.Peers) {
		pr, p := s.Peers[name], "peers."+name
		if pr.Host != "" && s.Hosts[pr.Host] == nil {
			d.failAt(p+".host", "unknown host %q%s; hosts: %s", pr.Host, suggest(pr.Host, sortedKeys(s.Hosts)), w.hostList())
		}
		for i, srv := range pr.ICEServers {
			sp := p + ".ice-servers." + strconv.Itoa(i)
			if srv.Relay != "" {
				if s.Relays[srv.Relay] == nil {
					d.failAt(sp+".relay", "unknown relay %q%s; relays: %s", srv.Relay, suggest(srv.Relay, sortedKeys(s.Relays)), strings.Join(sortedKeys(s.Relays), ", "))
				}
				continue
			}
			turn := false
			for j, u := range srv.URLs {
				up := sp
				if d.given(sp + ".urls." + strconv.Itoa(j)) {
					up = sp + ".urls." + strconv.Itoa(j)
				} else if d.given(sp + ".urls") {
					up = sp + ".urls"
				}
				isTurn, msg := w.checkURL(u)
				if msg != "" {
					d.failAt(up, "%s", msg)
				}
				turn = turn || isTurn
			}
			if turn && (srv.Username == "" || srv.Credential == "") {
				d.failAt(sp, "turn: URLs need a username and a credential: write {urls: [...], username: U, credential: C}, or {relay: NAME}")
			}
		}
	}
}

// checkURL checks a stun:/turn: URL (RFC 7064/7065, UDP only) whose host
// is an IPv4 address or a host of the scenario. It reports whether the URL
// is a turn: one, and what is wrong with it.
func (w *world) checkURL(u string) (turn bool, msg string) {
	scheme, rest, ok := strings.Cut(u, ":")
	switch {
	case !ok:
		return false, fmt.Sprintf("expected a URL like stun:host:3478 or turn:host:3478, got %q", u)
	case scheme == "stuns" || scheme == "turns":
		return false, fmt.Sprintf("%s: (TLS over TCP) is not available: vnet is UDP-only; use stun: or turn:", scheme)
	case scheme != "stun" && scheme != "turn":
		return false, fmt.Sprintf("expected a stun: or turn: URL, got %q", u)
	}
	turn = scheme == "turn"
	if strings.HasPrefix(rest, "//") {
		return turn, fmt.Sprintf("write %s:host:port without //, got %q", scheme, u)
	}
	hostport, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery {
		switch {
		case !turn:
			return turn, fmt.Sprintf("stun: URLs take no query, got %q", u)
		case query == "transport=tcp":
			return turn, "transport=tcp is not available: vnet is UDP-only (no TCP); use transport=udp or leave it out"
		case query != "transport=udp":
			return turn, fmt.Sprintf("unknown query %q: only transport=udp is allowed", query)
		}
	}
	if strings.HasPrefix(hostport, "[") {
		return turn, fmt.Sprintf("IPv6 is not available (vnet is IPv4-only), got %q", u)
	}
	host, port, hasPort := strings.Cut(hostport, ":")
	if hasPort {
		p, ok := digits(port)
		if !ok || p < 1 || p > 65535 {
			return turn, fmt.Sprintf("bad port %q in %q: expected 1-65535", port, u)
		}
	}
	if host == "" {
		return turn, fmt.Sprintf("missing host in %q", u)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !a.Is4() {
			return turn, fmt.Sprintf("IPv6 is not available (vnet is IPv4-only), got %q", u)
		}
		return turn, ""
	}
	if !isName(host) {
		return turn, fmt.Sprintf("host %q in %q is neither an IPv4 address nor a host name of this scenario", host, u)
	}
	if w.s.Hosts[host] == nil {
		return turn, fmt.Sprintf("unknown host %q in %q%s; hosts: %s (or use an IPv4 address)", host, u, suggest(host, sortedKeys(w.s.Hosts)), w.hostList())
	}
	return turn, ""
}

func (w *world) peerList() string { return strings.Join(sortedKeys(w.s.Peers), ", ") }

func (w *world) call() {
	s, d := w.s, w.d
	c := s.Call
	for _, r := range []struct{ key, peer string }{{"offerer", c.Offerer}, {"answerer", c.Answerer}} {
		if r.peer != "" && s.Peers[r.peer] == nil {
			d.failAt("call."+r.key, "unknown peer %q%s; peers: %s", r.peer, suggest(r.peer, sortedKeys(s.Peers)), w.peerList())
		}
	}
	if c.Offerer != "" && c.Offerer == c.Answerer {
		d.failAt("call.answerer", "the answerer must be another peer than the offerer (%s)", c.Offerer)
	}
}

func (w *world) expect() {
	s, d := w.s, w.d
	list := false
	if n := d.nodes["expect"]; n != nil && n.Kind == yaml.SequenceNode {
		list = true
		if len(s.Matrix) == 0 && !d.given("matrix") {
			d.failAt("expect", "a list of rules needs a matrix; without one write expect as a mapping")
		}
	}
	dims := map[string]*Dimension{}
	var dimNames []string
	for i := range s.Matrix {
		dims[s.Matrix[i].Name] = &s.Matrix[i]
		dimNames = append(dimNames, s.Matrix[i].Name)
	}
	for i := range s.ExpectRules {
		r := &s.ExpectRules[i]
		rp := "expect"
		if list {
			rp = "expect." + strconv.Itoa(i)
		}
		for _, peer := range sortedKeys(r.Gathered) {
			if s.Peers[peer] == nil {
				d.failKey(rp+".gathered."+peer, "unknown peer %q%s; peers: %s", peer, suggest(peer, sortedKeys(s.Peers)), w.peerList())
			}
		}
		if len(r.RelayLog) > 0 && len(s.Relays) == 0 {
			d.failAt(rp+".relay-log", "relay-log needs a relay: this scenario has none")
		}
		if !list || d.failedUnder("matrix") {
			continue
		}
		for _, dim := range sortedKeys(r.When) {
			wp := rp + ".when." + dim
			dm := dims[dim]
			if dm == nil {
				d.failKey(wp, "unknown dimension %q%s; dimensions: %s", dim, suggest(dim, dimNames), strings.Join(dimNames, ", "))
				continue
			}
			var names []string
			for _, v := range dm.Values {
				names = append(names, v.Name)
			}
			for j, v := range r.When[dim] {
				if !contains(names, v) {
					vp := wp
					if d.given(wp + "." + strconv.Itoa(j)) {
						vp = wp + "." + strconv.Itoa(j)
					}
					d.failAt(vp, "dimension %s has no value %q%s; values: %s", dim, v, suggest(v, names), strings.Join(names, ", "))
				}
			}
		}
	}
}
