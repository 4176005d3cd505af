package vnet

import (
	"fmt"
	"net/netip"

	"github.com/icelab/icelab/scenarios"
)

// networkOrder returns the network names with every parent before its
// children (pion needs a parent router to exist before AddRouter), siblings
// sorted by name.
func networkOrder(s *scenarios.Scenario) ([]string, error) {
	for _, name := range sortedKeys(s.Networks) {
		n := s.Networks[name]
		switch {
		case name == "" || name == scenarios.Internet:
			return nil, fmt.Errorf("network %q: reserved name", name)
		case n == nil:
			return nil, fmt.Errorf("network %q: missing definition", name)
		}
		if p := netOf(n.Parent); p != scenarios.Internet && s.Networks[p] == nil {
			return nil, fmt.Errorf("network %q: unknown parent %q", name, p)
		}
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	order := make([]string, 0, len(s.Networks))
	var visit func(name string) error
	visit = func(name string) error {
		switch state[name] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("network %q: parent chain loops back to it", name)
		}
		state[name] = visiting
		if p := netOf(s.Networks[name].Parent); p != scenarios.Internet {
			if err := visit(p); err != nil {
				return err
			}
		}
		state[name] = done
		order = append(order, name)
		return nil
	}
	for _, name := range sortedKeys(s.Networks) {
		if err := visit(name); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// checkAddresses verifies what routing depends on: IPv4 everywhere, every
// address inside the subnet it is attached to, no address used twice on one
// router, no network nested in an address range that its ancestors route
// locally, and exactly one host behind a one-to-one NAT.
func checkAddresses(s *scenarios.Scenario, order []string) error {
	subnetOf := func(name string) netip.Prefix {
		if name == scenarios.Internet {
			return netip.MustParsePrefix("0.0.0.0/0")
		}
		return s.Networks[name].Subnet.Masked()
	}
	// used[router][addr] names what holds addr on that router.
	used := map[string]map[netip.Addr]string{scenarios.Internet: {}}
	for _, name := range order {
		used[name] = map[netip.Addr]string{}
	}
	claim := func(router string, addr netip.Addr, what string) error {
		if prev, ok := used[router][addr]; ok {
			return fmt.Errorf("%s: address %s already used by %s on network %q", what, addr, prev, router)
		}
		used[router][addr] = what
		return nil
	}

	children := map[string]int{}
	for _, name := range order {
		n := s.Networks[name]
		parent := netOf(n.Parent)
		children[parent]++
		what := fmt.Sprintf("network %q", name)
		if !n.Subnet.IsValid() || !n.Subnet.Addr().Is4() {
			return fmt.Errorf("%s: subnet %s is not an IPv4 prefix", what, n.Subnet)
		}
		if !n.PublicIP.Is4() || n.PublicIP.IsUnspecified() {
			return fmt.Errorf("%s: public-ip %s is not a usable IPv4 address", what, n.PublicIP)
		}
		if !subnetOf(parent).Contains(n.PublicIP) {
			return fmt.Errorf("%s: public-ip %s is outside parent %q subnet %s", what, n.PublicIP, parent, subnetOf(parent))
		}
		if n.Subnet.Contains(n.PublicIP) {
			return fmt.Errorf("%s: public-ip %s lies inside its own subnet %s", what, n.PublicIP, n.Subnet)
		}
		for a := parent; a != scenarios.Internet; a = netOf(s.Networks[a].Parent) {
			if subnetOf(a).Overlaps(n.Subnet) {
				return fmt.Errorf("%s: subnet %s overlaps ancestor %q subnet %s", what, n.Subnet, a, subnetOf(a))
			}
		}
		if err := claim(parent, n.PublicIP, what); err != nil {
			return err
		}
	}

	hostsIn := map[string]int{}
	owners := map[netip.Addr]string{}
	for _, name := range sortedKeys(s.Hosts) {
		h := s.Hosts[name]
		what := fmt.Sprintf("host %q", name)
		if h == nil {
			return fmt.Errorf("%s: missing definition", what)
		}
		if name == "" {
			return fmt.Errorf("host %q: empty name", name)
		}
		nw := netOf(h.Network)
		if nw != scenarios.Internet && s.Networks[nw] == nil {
			return fmt.Errorf("%s: unknown network %q", what, nw)
		}
		if !h.IP.Is4() || h.IP.IsUnspecified() || h.IP.IsLoopback() {
			return fmt.Errorf("%s: ip %s is not a usable IPv4 address", what, h.IP)
		}
		if !subnetOf(nw).Contains(h.IP) {
			return fmt.Errorf("%s: ip %s is outside network %q subnet %s", what, h.IP, nw, subnetOf(nw))
		}
		if prev, ok := owners[h.IP]; ok {
			return fmt.Errorf("%s: ip %s already used by host %q", what, h.IP, prev)
		}
		owners[h.IP] = name
		if err := claim(nw, h.IP, what); err != nil {
			return err
		}
		hostsIn[nw]++
	}

	for _, name := range order {
		if !s.Networks[name].NAT.OneToOne {
			continue
		}
		if hostsIn[name] != 1 || children[name] != 0 {
			return fmt.Errorf("network %q: one-to-one NAT maps its public-ip to exactly one host, found %d hosts and %d networks",
				name, hostsIn[name], children[name])
		}
	}
	return nil
}
