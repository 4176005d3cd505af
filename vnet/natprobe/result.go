package natprobe

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/scenarios"
)

// Result is what a probe observed for one network, or (from Declared) what
// it must observe.
type Result struct {
	Network string
	Vantage Vantage

	// Mapping and Filtering are the RFC 4787 behaviours; "" when the test
	// could not run (see Notes).
	Mapping   scenarios.Behavior
	Filtering scenarios.Behavior
	// Hairpinning: a datagram from one client socket to another socket's
	// mapped address came back in through the NAT.
	Hairpinning bool
	// MappingLifetime is the longest idle period after which the server
	// could still reach a mapping, a multiple of the lifetime resolution; 0
	// means not measured (or shorter than the resolution, see Notes).
	MappingLifetime time.Duration
	// LifetimeUnbounded: the mapping survived the longest idle period tried
	// (Options.LifetimeCap, then held in MappingLifetime), as a static 1:1
	// mapping does.
	LifetimeUnbounded bool
	// OneToOne: the mapped port equals the local port and both mapping and
	// filtering are endpoint-independent, the signature of a static 1:1 NAT.
	OneToOne bool

	// Local and Mapped are the client socket of mapping test I and the
	// address the server saw it as (zero in a Declared result).
	Local  netip.AddrPort
	Mapped netip.AddrPort
	// Notes explain how a result was reached, or why a test could not run.
	Notes []string
}

// NATBehavior converts the result to the result model's form.
func (r Result) NATBehavior() results.NATBehavior {
	return results.NATBehavior{
		Mapping:         string(r.Mapping),
		Filtering:       string(r.Filtering),
		Hairpinning:     r.Hairpinning,
		MappingLifetime: r.lifetimeText(),
	}
}

// lifetimeText is "" when not measured, "30s", or ">5m0s" when unbounded.
func (r Result) lifetimeText() string {
	switch {
	case r.LifetimeUnbounded:
		return ">" + r.MappingLifetime.String()
	case r.MappingLifetime > 0:
		return r.MappingLifetime.String()
	}
	return ""
}

// Summary is a one-line description: "EIM/APDF hairpin lifetime=30s".
func (r Result) Summary() string {
	var b strings.Builder
	if r.OneToOne {
		b.WriteString("1:1 ")
	}
	fmt.Fprintf(&b, "%s/%s", abbrev(r.Mapping, "M"), abbrev(r.Filtering, "F"))
	if r.Hairpinning {
		b.WriteString(" hairpin")
	} else {
		b.WriteString(" no-hairpin")
	}
	if t := r.lifetimeText(); t != "" {
		b.WriteString(" lifetime=" + t)
	}
	return b.String()
}

// abbrev shortens a behaviour the RFC 4787 way: EIM, ADF, APDM...
func abbrev(b scenarios.Behavior, suffix string) string {
	switch b {
	case scenarios.EndpointIndependent:
		return "EI" + suffix
	case scenarios.AddressDependent:
		return "AD" + suffix
	case scenarios.AddressAndPortDependent:
		return "APD" + suffix
	case "":
		return "?" + suffix
	}
	return string(b)
}
