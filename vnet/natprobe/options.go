package natprobe

import (
	"fmt"
	"time"

	"github.com/pion/logging"
)

// Vantage is where the probe server stands, which decides whose behaviour a
// probe sees.
type Vantage string

// Vantages.
const (
	// VantageInternet puts the server on the internet: a probe of a nested
	// network sees the composition of every NAT between it and the
	// internet, as any server on the internet would.
	VantageInternet Vantage = "internet"
	// VantageParent puts a server on each probed network's parent network,
	// right outside its router: a probe sees that one NAT alone.
	VantageParent Vantage = "parent"
)

// Defaults of Options.
const (
	DefaultRTO                = 500 * time.Millisecond
	DefaultTries              = 3
	DefaultLifetimeResolution = time.Second
	DefaultLifetimeCap        = 5 * time.Minute
)

// DefaultMappingLifetime is the lifetime of a NAT mapping whose scenario
// leaves mapping-lifetime out (the format's default, and pion's).
const DefaultMappingLifetime = 30 * time.Second

// Options configure a probe. The zero value is valid.
type Options struct {
	// Vantage is where the server stands; "" means VantageInternet.
	Vantage Vantage
	// Networks limits the probe to these networks; nil probes all.
	Networks []string
	// Seed seeds the world (see vnet.Options.Seed).
	Seed int64
	// LoggerFactory receives the world's logs and the probe's debug lines
	// (scope "natprobe"); nil discards them.
	LoggerFactory logging.LoggerFactory

	// RTO and Tries are the STUN retransmission schedule: a request is
	// sent Tries times, waiting RTO, 2·RTO, 4·RTO... for the answer. A
	// test that expects silence waits the whole schedule. Defaults 500ms
	// and 3.
	RTO   time.Duration
	Tries int

	// SkipLifetime leaves the mapping lifetime unmeasured.
	SkipLifetime bool
	// LifetimeResolution is the step of the lifetime search (default 1s);
	// the measured lifetime is a multiple of it.
	LifetimeResolution time.Duration
	// LifetimeCap is the longest idle period tried (default 5m); a mapping
	// that survives it is reported as LifetimeUnbounded.
	LifetimeCap time.Duration
}

func (o Options) withDefaults() (Options, error) {
	switch o.Vantage {
	case "":
		o.Vantage = VantageInternet
	case VantageInternet, VantageParent:
	default:
		return o, fmt.Errorf("natprobe: unknown vantage %q (want %q or %q)", o.Vantage, VantageInternet, VantageParent)
	}
	if o.RTO <= 0 {
		o.RTO = DefaultRTO
	}
	if o.Tries <= 0 {
		o.Tries = DefaultTries
	}
	if o.LifetimeResolution <= 0 {
		o.LifetimeResolution = DefaultLifetimeResolution
	}
	if o.LifetimeCap <= 0 {
		o.LifetimeCap = DefaultLifetimeCap
	}
	if o.LifetimeCap < o.LifetimeResolution {
		return o, fmt.Errorf("natprobe: lifetime cap %s is below the resolution %s", o.LifetimeCap, o.LifetimeResolution)
	}
	return o, nil
}
