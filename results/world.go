package results

import "strings"

// worldNode is one node of the world drawn as a tree: the internet at the
// root, networks nested under their parents, hosts as leaves of their network.
type worldNode struct {
	Kind     string // internet | network | host
	Name     string
	Subnet   string
	NAT      string
	PublicIP string
	IP       string
	Relays   []string
	Peers    []string
	Children []*worldNode
}

const internetName = "internet"

// buildWorld turns the flat World into a tree. Names that point nowhere (an
// unknown parent or network) and parent cycles hang off the internet, so a
// malformed description still draws every node exactly once.
func buildWorld(w *World) *worldNode {
	if w == nil || (len(w.Networks) == 0 && len(w.Hosts) == 0) {
		return nil
	}
	root := &worldNode{Kind: "internet", Name: internetName}
	nodes := map[string]*worldNode{}
	parents := map[string]string{}
	var order []string
	for _, n := range w.Networks {
		if n.Name == "" || n.Name == internetName || nodes[n.Name] != nil {
			continue
		}
		nodes[n.Name] = &worldNode{Kind: "network", Name: n.Name, Subnet: n.Subnet, NAT: n.NAT, PublicIP: n.PublicIP}
		parents[n.Name] = n.Parent
		order = append(order, n.Name)
	}
	attach := func(parent string) *worldNode {
		if p := nodes[parent]; p != nil {
			return p
		}
		return root
	}
	for _, name := range order {
		parent := parents[name]
		// Walk up to make sure the chain reaches the internet; a cycle
		// would otherwise make the subtree unreachable from the root.
		seen := map[string]bool{name: true}
		for p := parent; nodes[p] != nil; p = parents[p] {
			if seen[p] {
				parent = ""
				break
			}
			seen[p] = true
		}
		pn := attach(parent)
		pn.Children = append(pn.Children, nodes[name])
	}
	for _, h := range w.Hosts {
		hn := &worldNode{Kind: "host", Name: h.Name, IP: h.IP, Relays: splitList(h.Relay), Peers: splitList(h.Peer)}
		// Hosts first within their network, before nested networks, so a
		// network's own machines read next to its subnet.
		pn := attach(h.Network)
		i := 0
		for i < len(pn.Children) && pn.Children[i].Kind == "host" {
			i++
		}
		pn.Children = append(pn.Children[:i], append([]*worldNode{hn}, pn.Children[i:]...)...)
	}
	return root
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
