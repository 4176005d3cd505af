package suites_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/icelab/icelab/scenarios"
	"github.com/icelab/icelab/vnet/natprobe"
)

// NAT conformance: every NAT the scenario format promises behaves as
// declared. Each spec writes a scenario in YAML, loads it with the real
// loader, builds its world, runs the RFC 5780 probe inside it and compares
// what the probe saw with what the format page promises, in the format's
// own words (the expectations below are written out from that page, not
// derived from the loaded scenario, so that a loader that mis-expands a
// preset fails here too).
var _ = Describe("NAT conformance", Label("conformance", "nat"), func() {
	const (
		ei  = scenarios.EndpointIndependent
		ad  = scenarios.AddressDependent
		apd = scenarios.AddressAndPortDependent
	)
	behaviours := []scenarios.Behavior{ei, ad, apd}

	Describe("presets", func() {
		// The preset table of the format page; presets keep the default
		// hairpinning (true) and mapping lifetime (30s).
		presets := []struct {
			name               string
			mapping, filtering scenarios.Behavior
		}{
			{"full-cone", ei, ei},
			{"restricted-cone", ei, ad},
			{"port-restricted-cone", ei, apd},
			{"symmetric", apd, apd},
		}
		for _, p := range presets {
			It(p.name, func() {
				want := natprobe.Result{Mapping: p.mapping, Filtering: p.filtering, Hairpinning: true, MappingLifetime: 30 * time.Second}
				expectConforms(singleNAT(p.name), "lan", natprobe.Options{}, want)
			})
		}
		It("one-to-one", func() {
			// Static 1:1: the host's port is kept, nothing is filtered,
			// the mapping never expires.
			want := natprobe.Result{Mapping: ei, Filtering: ei, Hairpinning: true, OneToOne: true,
				MappingLifetime: natprobe.DefaultLifetimeCap, LifetimeUnbounded: true}
			expectConforms(singleNAT("one-to-one"), "lan", natprobe.Options{}, want)
		})
	})

	Describe("object form", func() {
		lifetimes := []struct {
			yaml string // "" leaves mapping-lifetime out
			want time.Duration
		}{{"", 30 * time.Second}, {"10s", 10 * time.Second}, {"45s", 45 * time.Second}}
		for _, m := range behaviours {
			for _, f := range behaviours {
				for _, hairpin := range []bool{true, false} {
					for _, lt := range lifetimes {
						nat := fmt.Sprintf("{mapping: %s, filtering: %s, hairpinning: %t", m, f, hairpin)
						if lt.yaml != "" {
							nat += ", mapping-lifetime: " + lt.yaml
						}
						nat += "}"
						It(nat, func() {
							want := natprobe.Result{Mapping: m, Filtering: f, Hairpinning: hairpin, MappingLifetime: lt.want}
							expectConforms(singleNAT(nat), "lan", natprobe.Options{}, want)
						})
					}
				}
			}
		}
		It("{preset: one-to-one, hairpinning: false}", func() {
			// A cloud 1:1 NAT that does not hairpin (AWS elastic IPs,
			// pion/turn#82): everything of one-to-one but hairpinning.
			want := natprobe.Result{Mapping: ei, Filtering: ei, Hairpinning: false, OneToOne: true,
				MappingLifetime: natprobe.DefaultLifetimeCap, LifetimeUnbounded: true}
			expectConforms(singleNAT("{preset: one-to-one, hairpinning: false}"), "lan", natprobe.Options{}, want)
		})
		It("{preset: symmetric, mapping-lifetime: 10s}", func() {
			want := natprobe.Result{Mapping: apd, Filtering: apd, Hairpinning: true, MappingLifetime: 10 * time.Second}
			expectConforms(singleNAT("{preset: symmetric, mapping-lifetime: 10s}"), "lan", natprobe.Options{}, want)
		})
	})

	// Nesting. A carrier-grade NAT in front of a home router: the home
	// router's own behaviour is visible only from the carrier's network
	// (VantageParent); a server on the internet sees the two NATs
	// composed. Composition, for a client in the home network:
	//   - mapping: a new outer mapping appears whenever the inner NAT
	//     presents a new source or the outer NAT keys on the destination,
	//     so it is the more endpoint-dependent of the two;
	//   - filtering: each NAT filters on the real far end, so a datagram
	//     must pass the stricter of the two;
	//   - hairpinning: the mapped address the probe sends to belongs to
	//     the outermost NAT, so it alone decides;
	//   - lifetime: a path lives as long as its shorter-lived mapping.
	Describe("nested CGNAT and home router", func() {
		nestedCases := []struct {
			name          string
			carrier, home string // nat values
			// home as seen from the carrier network and from the internet;
			// the carrier is always seen as declared.
			carrierSees, homeOwn, internetSees natprobe.Result
		}{
			{
				name:    "symmetric carrier, port-restricted home",
				carrier: "symmetric", home: "port-restricted-cone",
				carrierSees:  natprobe.Result{Mapping: apd, Filtering: apd, Hairpinning: true, MappingLifetime: 30 * time.Second},
				homeOwn:      natprobe.Result{Mapping: ei, Filtering: apd, Hairpinning: true, MappingLifetime: 30 * time.Second},
				internetSees: natprobe.Result{Mapping: apd, Filtering: apd, Hairpinning: true, MappingLifetime: 30 * time.Second},
			},
			{
				name:         "full-cone carrier without hairpinning, address-dependent home",
				carrier:      "{mapping: endpoint-independent, filtering: endpoint-independent, hairpinning: false, mapping-lifetime: 45s}",
				home:         "{mapping: address-dependent, filtering: address-dependent, mapping-lifetime: 10s}",
				carrierSees:  natprobe.Result{Mapping: ei, Filtering: ei, Hairpinning: false, MappingLifetime: 45 * time.Second},
				homeOwn:      natprobe.Result{Mapping: ad, Filtering: ad, Hairpinning: true, MappingLifetime: 10 * time.Second},
				internetSees: natprobe.Result{Mapping: ad, Filtering: ad, Hairpinning: false, MappingLifetime: 10 * time.Second},
			},
			{
				name:    "restricted-cone carrier, one-to-one home",
				carrier: "restricted-cone", home: "one-to-one",
				carrierSees: natprobe.Result{Mapping: ei, Filtering: ad, Hairpinning: true, MappingLifetime: 30 * time.Second},
				homeOwn: natprobe.Result{Mapping: ei, Filtering: ei, Hairpinning: true, OneToOne: true,
					MappingLifetime: natprobe.DefaultLifetimeCap, LifetimeUnbounded: true},
				// Behind the carrier the 1:1 mapping is just a restricted cone.
				internetSees: natprobe.Result{Mapping: ei, Filtering: ad, Hairpinning: true, MappingLifetime: 30 * time.Second},
			},
		}
		for _, nc := range nestedCases {
			It(nc.name, func() {
				doc := nestedNATs(nc.carrier, nc.home)
				expectConforms(doc, "carrier", natprobe.Options{}, nc.carrierSees)
				expectConforms(doc, "home", natprobe.Options{Vantage: natprobe.VantageParent}, nc.homeOwn)
				expectConforms(doc, "home", natprobe.Options{Vantage: natprobe.VantageInternet}, nc.internetSees)
			})
		}
	})
})

// expectConforms loads doc, probes network with opts inside a synctest
// bubble, and expects the probe to observe want. It also expects
// natprobe.Declared, the composition rule the CLI uses, to agree with want.
func expectConforms(doc, network string, opts natprobe.Options, want natprobe.Result) {
	GinkgoHelper()
	f, err := scenarios.Load("nat.yaml", []byte(doc))
	Expect(err).NotTo(HaveOccurred(), doc)
	Expect(f.Cases).To(HaveLen(1))
	s := f.Cases[0].Scenario
	opts.Networks = []string{network}
	if opts.Vantage == "" {
		opts.Vantage = natprobe.VantageInternet
	}

	var got natprobe.Result
	var probeErr error
	ran := suiteT.Run(CurrentSpecReport().LeafNodeText, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var res map[string]natprobe.Result
			res, probeErr = natprobe.Probe(t.Context(), s, opts)
			got = res[network]
		})
	})
	Expect(ran).To(BeTrue(), "the probe did not finish cleanly in its bubble")
	Expect(probeErr).NotTo(HaveOccurred())
	Expect(natprobe.Compare(want, got)).To(BeEmpty(),
		"%s from the %s: observed %s\nnotes:\n  %s", network, opts.Vantage, got.Summary(), strings.Join(got.Notes, "\n  "))

	declared, err := natprobe.Declared(s, network, opts)
	Expect(err).NotTo(HaveOccurred())
	Expect(natprobe.Compare(want, declared)).To(BeEmpty(), "natprobe.Declared disagrees with the format page")
}

// singleNAT is a scenario with one network "lan" whose nat is the given
// YAML value, holding one host (as one-to-one needs).
func singleNAT(nat string) string {
	return fmt.Sprintf(`name: nat-conformance
networks:
  lan: { subnet: 192.168.1.0/24, public-ip: 27.1.1.1, nat: %s }
hosts:
  pc: { network: lan, ip: 192.168.1.10 }
  web: { ip: 85.1.1.1 }
peers:
  a: { host: pc }
  b: { host: web }
call: { offerer: a, answerer: b }
expect: { connected: true }
`, nat)
}

// nestedNATs is a home network behind a carrier network, one host in the
// home network (as a one-to-one home needs).
func nestedNATs(carrier, home string) string {
	return fmt.Sprintf(`name: nat-conformance-nested
networks:
  carrier: { subnet: 100.64.0.0/24, public-ip: 37.120.0.2, nat: %s }
  home: { parent: carrier, subnet: 192.168.1.0/24, public-ip: 100.64.0.2, nat: %s }
hosts:
  phone: { network: home, ip: 192.168.1.20 }
  web: { ip: 85.1.1.1 }
peers:
  a: { host: phone }
  b: { host: web }
call: { offerer: a, answerer: b }
expect: { connected: true }
`, carrier, home)
}
