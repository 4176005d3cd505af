package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/scenarios"
	"github.com/icelab/icelab/vnet"
)

// worldOf describes a scenario's world for reports (the tree drawn in
// report.html).
func worldOf(s *scenarios.Scenario) *results.World {
	w := &results.World{}
	for _, name := range sortedKeys(s.Networks) {
		n := s.Networks[name]
		nat := n.NAT.Preset
		if nat == "" {
			nat = fmt.Sprintf("%s/%s", n.NAT.Mapping, n.NAT.Filtering)
		}
		if !n.NAT.Hairpinning {
			nat += ", no hairpin"
		}
		w.Networks = append(w.Networks, results.WorldNetwork{
			Name: name, Parent: n.Parent, Subnet: n.Subnet.String(), PublicIP: n.PublicIP.String(), NAT: nat,
		})
	}
	for _, name := range sortedKeys(s.Hosts) {
		h := s.Hosts[name]
		wh := results.WorldHost{Name: name, Network: h.Network, IP: h.IP.String()}
		var relays, peers []string
		for _, rn := range sortedKeys(s.Relays) {
			if s.Relays[rn].Host == name {
				relays = append(relays, rn)
			}
		}
		for _, pn := range sortedKeys(s.Peers) {
			if s.Peers[pn].Host == name {
				peers = append(peers, pn)
			}
		}
		wh.Relay, wh.Peer = strings.Join(relays, ", "), strings.Join(peers, ", ")
		w.Hosts = append(w.Hosts, wh)
	}
	return w
}

// PCAPName is the file name of a case's capture at a router: the internet
// router's is <id>.pcap, a network's inside view <id>.<network>.pcap.
func PCAPName(id, router string) string {
	r := strings.NewReplacer("/", "__", ",", "_", "=", "-", " ", "_")
	if router == scenarios.Internet {
		return r.Replace(id) + ".pcap"
	}
	return r.Replace(id) + "." + router + ".pcap"
}

// writePCAP writes what crossed the internet router, and each network's
// router (its inside view, before NAT), one file per router.
func writePCAP(world *vnet.World, s *scenarios.Scenario, dir, id string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pcap: %w", err)
	}
	for _, router := range append([]string{scenarios.Internet}, sortedKeys(s.Networks)...) {
		f, err := os.Create(filepath.Join(dir, PCAPName(id, router)))
		if err != nil {
			return fmt.Errorf("pcap: %w", err)
		}
		if err := world.WritePCAP(f, router); err != nil {
			_ = f.Close()
			return fmt.Errorf("pcap %s: %w", router, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("pcap: %w", err)
		}
	}
	return nil
}
