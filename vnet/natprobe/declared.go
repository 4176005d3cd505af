package natprobe

import (
	"fmt"
	"slices"
	"time"

	"github.com/icelab/icelab/scenarios"
)

// nestedNote explains what a probe from the internet sees of a nested
// network.
const nestedNote = "nested: seen from the internet, NATs compose: mapping and filtering are the most endpoint-dependent along the chain, hairpinning is the outermost NAT's, the lifetime is the shortest"

// Declared returns what a probe of network in s must observe with opts:
// the network's own NAT from VantageParent, or from VantageInternet the
// composition of its NAT with every NAT above it.
//
// Composition, as a server on the internet sees a client of the innermost
// network: a mapping is endpoint-independent only if every NAT's is, and
// otherwise as dependent as the most dependent one (an inner NAT that opens
// a new mapping per destination makes the outer one see a new source per
// destination); the same holds for filtering (each NAT filters what passes
// it, by the real far end); hairpinning happens at the outermost NAT, the
// one that owns the address the probe sends to; a mapping lives as long as
// its shortest-lived link.
func Declared(s *scenarios.Scenario, network string, opts Options) (Result, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Result{}, err
	}
	chain, err := natChain(s, network)
	if err != nil {
		return Result{}, err
	}
	if opts.Vantage == VantageParent {
		chain = chain[:1]
	}
	r := Result{Network: network, Vantage: opts.Vantage, Mapping: scenarios.EndpointIndependent, Filtering: scenarios.EndpointIndependent}
	var lifetime time.Duration // 0: unbounded
	for _, nat := range chain {
		m, f, l := nat.Mapping, nat.Filtering, nat.MappingLifetime
		if nat.OneToOne {
			m, f, l = scenarios.EndpointIndependent, scenarios.EndpointIndependent, 0
		} else if l == 0 {
			l = DefaultMappingLifetime
		}
		r.Mapping = mostDependent(r.Mapping, m)
		r.Filtering = mostDependent(r.Filtering, f)
		if l > 0 && (lifetime == 0 || l < lifetime) {
			lifetime = l
		}
	}
	outer := chain[len(chain)-1]
	r.Hairpinning = outer.Hairpinning
	r.OneToOne = len(chain) == 1 && chain[0].OneToOne
	if len(chain) > 1 {
		r.Notes = append(r.Notes, nestedNote)
	}
	if !opts.SkipLifetime {
		r.MappingLifetime, r.LifetimeUnbounded = expectedLifetime(lifetime, opts)
	}
	return r, nil
}

// expectedLifetime is what the lifetime search reports for a mapping that
// lives l (0: forever). A mapping is alive after an idle period T while
// T <= l (pion expires it strictly after), so the search finds the largest
// multiple of the resolution not above l, or the cap if l reaches it.
func expectedLifetime(l time.Duration, opts Options) (time.Duration, bool) {
	if l == 0 || l >= opts.LifetimeCap {
		return opts.LifetimeCap, true
	}
	return l / opts.LifetimeResolution * opts.LifetimeResolution, false
}

// natChain returns the NATs from network up to the internet, innermost
// first.
func natChain(s *scenarios.Scenario, network string) ([]scenarios.NAT, error) {
	if s == nil {
		return nil, fmt.Errorf("natprobe: nil scenario")
	}
	var chain []scenarios.NAT
	for cur := network; cur != "" && cur != scenarios.Internet; {
		n := s.Networks[cur]
		if n == nil {
			return nil, fmt.Errorf("natprobe: unknown network %q", cur)
		}
		if len(chain) > len(s.Networks) {
			return nil, fmt.Errorf("natprobe: network %q: parent chain loops", network)
		}
		chain = append(chain, n.NAT)
		cur = n.Parent
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("natprobe: %q is not a network behind a NAT", network)
	}
	return chain, nil
}

var dependency = []scenarios.Behavior{scenarios.EndpointIndependent, scenarios.AddressDependent, scenarios.AddressAndPortDependent}

// mostDependent returns the more endpoint-dependent of two behaviours; an
// unknown behaviour wins, so that it shows up in a comparison.
func mostDependent(a, b scenarios.Behavior) scenarios.Behavior {
	ia, ib := slices.Index(dependency, a), slices.Index(dependency, b)
	if ia < 0 {
		return a
	}
	if ib < 0 || ib > ia {
		return b
	}
	return a
}

// Compare lists how got differs from want, one line per property, using
// want's words: empty when the probe saw what was declared. Notes, Local
// and Mapped are not compared. A lifetime is compared only when want has
// one.
func Compare(want, got Result) []string {
	var out []string
	if got.Mapping != want.Mapping {
		out = append(out, fmt.Sprintf("mapping: declared %s, observed %s", want.Mapping, orNone(got.Mapping)))
	}
	if got.Filtering != want.Filtering {
		out = append(out, fmt.Sprintf("filtering: declared %s, observed %s", want.Filtering, orNone(got.Filtering)))
	}
	if got.Hairpinning != want.Hairpinning {
		out = append(out, fmt.Sprintf("hairpinning: declared %t, observed %t", want.Hairpinning, got.Hairpinning))
	}
	if got.OneToOne != want.OneToOne {
		out = append(out, fmt.Sprintf("one-to-one: declared %t, observed %t", want.OneToOne, got.OneToOne))
	}
	if want.MappingLifetime > 0 && (got.MappingLifetime != want.MappingLifetime || got.LifetimeUnbounded != want.LifetimeUnbounded) {
		out = append(out, fmt.Sprintf("mapping lifetime: declared %s, observed %s", want.lifetimeText(), orNone(scenarios.Behavior(got.lifetimeText()))))
	}
	return out
}

func orNone(b scenarios.Behavior) string {
	if b == "" {
		return "nothing"
	}
	return string(b)
}
