package natprobe

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sort"
	"strconv"

	"github.com/icelab/icelab/scenarios"
)

// internetPools are where the probe server goes on the internet: the
// documentation ranges first, so that it never poses as a real address.
var internetPools = []netip.Prefix{
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
}

// placed is a host of the probe world.
type placed struct {
	host string
	ip   netip.Addr
	// existing: the host belongs to the scenario (the one host of a
	// one-to-one network), not to the probe.
	existing bool
}

// plan is the probe world: a copy of the scenario's networks and hosts
// with the probe's own hosts added.
type plan struct {
	scenario *scenarios.Scenario
	// servers holds the two server hosts of each site: "internet" or, for
	// VantageParent, a network that is some probed network's parent.
	servers map[string][2]placed
	siteOf  map[string]string // probed network -> site
	clients map[string]placed // probed network -> client host
}

// newPlan copies the networks and hosts of s, without link impairments and
// firewall rules (they are not NAT behaviour, and loss would pass for
// filtering), and places the servers and one client per target network.
func newPlan(s *scenarios.Scenario, targets []string, v Vantage) (*plan, error) {
	c := &scenarios.Scenario{
		Version:  s.Version,
		Name:     s.Name,
		Networks: make(map[string]*scenarios.Network, len(s.Networks)),
		Hosts:    make(map[string]*scenarios.Host, len(s.Hosts)+len(targets)+2),
	}
	used := map[netip.Addr]bool{}
	for name, n := range s.Networks {
		if n == nil {
			return nil, fmt.Errorf("network %q: missing definition", name)
		}
		cp := *n
		cp.Name = name
		cp.Link = scenarios.Link{}
		cp.Firewall = nil
		c.Networks[name] = &cp
		used[n.PublicIP] = true
	}
	for name, h := range s.Hosts {
		if h == nil {
			return nil, fmt.Errorf("host %q: missing definition", name)
		}
		cp := *h
		cp.Name = name
		c.Hosts[name] = &cp
		used[h.IP] = true
	}
	p := &plan{scenario: c, servers: map[string][2]placed{}, siteOf: map[string]string{}, clients: map[string]placed{}}

	add := func(base, network string, ip netip.Addr) placed {
		name := uniqueName(base, c.Hosts)
		c.Hosts[name] = &scenarios.Host{Name: name, Network: network, IP: ip}
		used[ip] = true
		return placed{host: name, ip: ip}
	}

	for _, t := range targets {
		site := scenarios.Internet
		if v == VantageParent {
			site = parentOf(c.Networks[t])
		}
		p.siteOf[t] = site
	}
	for _, site := range sortedSites(p.siteOf) {
		var pair [2]placed
		for i := range pair {
			ip, err := p.free(site, used)
			if err != nil {
				return nil, fmt.Errorf("probe server on %q: %w", site, err)
			}
			pair[i] = add(fmt.Sprintf("natprobe-server-%s-%d", site, i+1), site, ip)
		}
		p.servers[site] = pair
	}
	for _, t := range targets {
		n := c.Networks[t]
		if n.NAT.OneToOne {
			// Its router maps exactly one host; another one could not
			// send at all, so the probe borrows that host's stack.
			h, err := onlyHost(c, t)
			if err != nil {
				return nil, err
			}
			p.clients[t] = placed{host: h.Name, ip: h.IP, existing: true}
			continue
		}
		ip, err := p.free(t, used)
		if err != nil {
			return nil, fmt.Errorf("probe client in %q: %w", t, err)
		}
		p.clients[t] = add("natprobe-client-"+t, t, ip)
	}
	return p, nil
}

// free returns an address of network site that nothing uses. On the
// internet it also avoids every network's subnet: a client inside one
// would route it locally instead of through its NAT.
func (p *plan) free(site string, used map[netip.Addr]bool) (netip.Addr, error) {
	if site != scenarios.Internet {
		n := p.scenario.Networks[site]
		if a, ok := freeIn(n.Subnet, used, nil); ok {
			return a, nil
		}
		return netip.Addr{}, fmt.Errorf("no free address in %s", n.Subnet)
	}
	var subnets []netip.Prefix
	for _, n := range p.scenario.Networks {
		subnets = append(subnets, n.Subnet)
	}
	for _, pool := range internetPools {
		if a, ok := freeIn(pool, used, subnets); ok {
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("no free address in %v", internetPools)
}

// maxScan bounds the search for a free address in one prefix.
const maxScan = 1 << 16

// freeIn returns the highest address of prefix that is neither used nor in
// any of avoid, skipping the network and broadcast addresses.
func freeIn(prefix netip.Prefix, used map[netip.Addr]bool, avoid []netip.Prefix) (netip.Addr, bool) {
	prefix = prefix.Masked()
	if !prefix.Addr().Is4() {
		return netip.Addr{}, false
	}
	b := prefix.Addr().As4()
	first := uint64(binary.BigEndian.Uint32(b[:]))
	last := first + 1<<(32-prefix.Bits()) - 1
	if prefix.Bits() <= 30 {
		first, last = first+1, last-1
	}
	for i, x := 0, last; i < maxScan && x >= first; i, x = i+1, x-1 {
		var a4 [4]byte
		binary.BigEndian.PutUint32(a4[:], uint32(x))
		a := netip.AddrFrom4(a4)
		if !used[a] && !inAny(a, avoid) {
			return a, true
		}
		if x == 0 {
			break
		}
	}
	return netip.Addr{}, false
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func onlyHost(s *scenarios.Scenario, network string) (*scenarios.Host, error) {
	var found []*scenarios.Host
	for _, h := range s.Hosts {
		if h.Network == network {
			found = append(found, h)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("network %q: a one-to-one NAT maps exactly one host, found %d", network, len(found))
	}
	return found[0], nil
}

func parentOf(n *scenarios.Network) string {
	if n.Parent == "" {
		return scenarios.Internet
	}
	return n.Parent
}

func uniqueName[V any](base string, taken map[string]V) string {
	name := base
	for i := 2; ; i++ {
		if _, ok := taken[name]; !ok {
			return name
		}
		name = base + "-" + strconv.Itoa(i)
	}
}

func sortedSites(siteOf map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range siteOf {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
