// Package scenarios defines the icelab scenario format (version 1): the Go
// types a scenario decodes into, the strict loader that produces them, matrix
// expansion into cases, and the JSON Schema generated from the types.
//
// The types here hold the normalised form of a document: presets are
// expanded, defaults are filled in, addresses are parsed. Every later package
// (vnet, relay, peer, runner) reads only these types, never YAML.
package scenarios

import (
	"net/netip"
	"time"
)

// Internet is the name of the root network that always exists. It has no NAT
// and its subnet is 0.0.0.0/0.
const Internet = "internet"

// Scenario is one small world and one call, before matrix expansion is applied
// to the expectation. After expansion (see Case) it describes one case.
type Scenario struct {
	Version     int      `yaml:"version" doc:"format version; 1 (default)" default:"1" enum:"1"`
	Name        string   `yaml:"name" doc:"[a-z0-9][a-z0-9-]*, unique across a run" required:"true" format:"name"`
	Description string   `yaml:"description" doc:"free text shown in reports"`
	Labels      []string `yaml:"labels" doc:"words used by --label filters and as Ginkgo labels" format:"name"`

	// Networks excludes the implicit internet root.
	Networks map[string]*Network `yaml:"networks" doc:"name -> network; internet always exists: the root, no NAT" keys:"name"`
	Hosts    map[string]*Host    `yaml:"hosts" doc:"name -> host; host names are also DNS names inside the world" required:"true" keys:"name" min:"1"`
	Relays   map[string]*Relay   `yaml:"relays" doc:"name -> STUN/TURN server" keys:"name"`
	Peers    map[string]*Peer    `yaml:"peers" doc:"name -> WebRTC peer" required:"true" keys:"name" min:"2"`
	Call     Call                `yaml:"call" doc:"the call between two peers" required:"true"`

	// ExpectRules is the expect block as written: one rule without When for
	// the mapping form, or the rules of the list form (matrix only). The
	// expectation of a case is Case.Expect, never these.
	ExpectRules []ExpectRule `yaml:"expect" doc:"what must happen: a mapping, or a list of rules {when: {dim: value}, ...} when matrix is used; first match wins" required:"true"`
	// Matrix lists the dimensions in document order; nil without a matrix.
	Matrix []Dimension `yaml:"matrix" doc:"dimensions that expand the scenario into cases (cartesian product, document order)"`

	// File is the path the scenario was loaded from ("" for in-memory input).
	File string `yaml:"-"`
}

// Network is a subnet behind a router with a NAT, attached to a parent network.
type Network struct {
	Name     string         `yaml:"-"`
	Parent   string         `yaml:"parent" doc:"internet (default) or another network" default:"internet" format:"name"`
	Subnet   netip.Prefix   `yaml:"subnet" doc:"IPv4 CIDR of the network" required:"true"`
	PublicIP netip.Addr     `yaml:"public-ip" doc:"the router's address on the parent network" required:"true"`
	NAT      NAT            `yaml:"nat" doc:"preset name or {mapping, filtering, mapping-lifetime, hairpinning}" default:"port-restricted-cone"`
	Link     Link           `yaml:"link" doc:"impairment of traffic crossing this network's router"`
	Firewall []FirewallRule `yaml:"firewall" doc:"ordered rules; first match wins; no match = allow"`
}

// Behavior is an RFC 4787 mapping or filtering behaviour.
type Behavior string

// RFC 4787 behaviours.
const (
	EndpointIndependent     Behavior = "endpoint-independent"
	AddressDependent        Behavior = "address-dependent"
	AddressAndPortDependent Behavior = "address-and-port-dependent"
)

// NAT presets.
const (
	PresetFullCone           = "full-cone"
	PresetRestrictedCone     = "restricted-cone"
	PresetPortRestrictedCone = "port-restricted-cone"
	PresetSymmetric          = "symmetric"
	PresetOneToOne           = "one-to-one"
)

// NAT is a network's address translation, always in object form: a preset is
// expanded into Mapping and Filtering when the document is loaded.
type NAT struct {
	// Preset is the preset name the document used, or "" for the object form.
	Preset string `yaml:"-"`
	// OneToOne is the static 1:1 NAT: public-ip maps to exactly one host of the
	// network, ports are kept, nothing is filtered.
	OneToOne  bool     `yaml:"-"`
	Mapping   Behavior `yaml:"mapping" doc:"RFC 4787 mapping behaviour" required:"true" enum:"endpoint-independent|address-dependent|address-and-port-dependent"`
	Filtering Behavior `yaml:"filtering" doc:"RFC 4787 filtering behaviour" required:"true" enum:"endpoint-independent|address-dependent|address-and-port-dependent"`
	// MappingLifetime is how long an idle mapping lives; 0 means the default (30s).
	MappingLifetime time.Duration `yaml:"mapping-lifetime" doc:"how long an idle mapping lives; default 30s" min:"1ns"`
	// Hairpinning: a host may reach another host of the same network through the
	// NAT's public address. RFC 4787 REQ-9 requires it; default true.
	Hairpinning bool `yaml:"hairpinning" doc:"hosts of the network reach each other through the public address; default true" default:"true"`
}

// Link impairs traffic that crosses a network's router.
type Link struct {
	Delay  time.Duration `yaml:"delay" doc:"added one-way delay (Go duration)"`
	Jitter time.Duration `yaml:"jitter" doc:"random extra delay up to this (Go duration)"`
	// Loss is a percentage, 0..100.
	Loss float64 `yaml:"loss" doc:"packet loss: \"2%\" or a number 0..100" format:"percent"`
}

// Firewall rule words.
const (
	ActionDrop  = "drop"
	ActionAllow = "allow"

	DirectionInbound  = "inbound"
	DirectionOutbound = "outbound"
	DirectionBoth     = "both"

	ProtocolUDP = "udp"
	ProtocolAny = "any"
)

// FirewallRule is one ordered rule on a network's router; first match wins and
// no match means allow.
type FirewallRule struct {
	Action    string `yaml:"action" doc:"drop | allow" required:"true" enum:"drop|allow"`
	Direction string `yaml:"direction" doc:"inbound | outbound | both (default)" default:"both" enum:"inbound|outbound|both"`
	Protocol  string `yaml:"protocol" doc:"udp | any (default)" default:"any" enum:"udp|any"`
	// Ports restricts the rule to these far-or-near ports; empty means any port.
	// For outbound traffic the port is the destination port, for inbound the
	// destination port on this side too (the port being reached).
	Ports []PortRange `yaml:"ports" doc:"a port, \"a-b\", or a list of those; omitted: any port" min:"1"`
	// Peer restricts the rule to traffic whose far side lies in this CIDR.
	Peer netip.Prefix `yaml:"peer" doc:"IPv4 CIDR of the far side"`
}

// PortRange is an inclusive UDP port range; a single port has Min == Max.
type PortRange struct {
	Min uint16
	Max uint16
}

// Contains reports whether p lies in the range.
func (r PortRange) Contains(p uint16) bool { return p >= r.Min && p <= r.Max }

// Host is a machine with one address on one network.
type Host struct {
	Name    string     `yaml:"-"`
	Network string     `yaml:"network" doc:"default internet" default:"internet" format:"name"`
	IP      netip.Addr `yaml:"ip" doc:"inside the network's subnet; omitted, one is assigned"`
}

// Relay is a STUN/TURN server listening on a host.
type Relay struct {
	Name  string `yaml:"-"`
	Host  string `yaml:"host" doc:"the host the server listens on" required:"true" format:"name"`
	Port  uint16 `yaml:"port" doc:"UDP port; default 3478" default:"3478" min:"1" max:"65535"`
	Realm string `yaml:"realm" doc:"default icelab" default:"icelab"`
	// Auth is nil for a STUN-only server.
	Auth       *RelayAuth `yaml:"auth" doc:"omit for a STUN-only server; users or secret"`
	RelayPorts PortRange  `yaml:"relay-ports" doc:"\"a-b\" range of relayed ports; default 49152-65535" default:"49152-65535"`
	// ExternalIP is the advertised relay address; invalid (zero) means the host's IP.
	ExternalIP netip.Addr     `yaml:"external-ip" doc:"advertised relay address; default the host's ip"`
	DenyPeers  []netip.Prefix `yaml:"deny-peers" doc:"CIDRs CreatePermission is refused for"`
}

// RelayAuth holds either long-term users or a TURN REST API shared secret.
type RelayAuth struct {
	Users  map[string]string `yaml:"users" doc:"long-term credentials: user -> password" min:"1"`
	Secret string            `yaml:"secret" doc:"TURN REST API shared secret (time-limited credentials)"`
	// TTL is the lifetime of REST credentials handed out by {relay: NAME};
	// default 24h with a secret, 0 with users.
	TTL time.Duration `yaml:"ttl" doc:"lifetime of REST credentials; only with secret; default 24h" default:"24h" min:"1ns"`
	// RevokeOnHangup removes every credential when the call hangs up, before
	// the peers close (Screego's teardown): their closing Refresh then fails
	// with "no such user exists".
	RevokeOnHangup bool `yaml:"revoke-on-hangup" doc:"remove every credential when the call hangs up, before the peers close (as Screego does)"`
}

// ICE transport policies.
const (
	PolicyAll   = "all"
	PolicyRelay = "relay"
)

// Candidate types a peer can gather.
const (
	CandidateHost  = "host"
	CandidateSrflx = "srflx"
	CandidateRelay = "relay"
)

// Peer is a WebRTC endpoint on a host.
type Peer struct {
	Name               string      `yaml:"-"`
	Host               string      `yaml:"host" doc:"the host the peer runs on" required:"true" format:"name"`
	ICEServers         []ICEServer `yaml:"ice-servers" doc:"URL strings, {urls, username, credential} or {relay: NAME}"`
	ICETransportPolicy string      `yaml:"ice-transport-policy" doc:"all | relay" default:"all" enum:"all|relay"`
	Candidates         []string    `yaml:"candidates" doc:"host, srflx, relay; default all three" default:"[host, srflx, relay]" enum:"host|srflx|relay" min:"1"`
	MDNS               bool        `yaml:"mdns" doc:"hide host candidates behind .local names, as phones do"`
}

// ICEServer is one entry of a peer's ice-servers: URLs with optional
// credentials, or a reference to a relay of the scenario.
type ICEServer struct {
	URLs       []string `yaml:"urls" doc:"stun:host[:port] or turn:host[:port][?transport=udp]; one URL or a list" single:"true" min:"1"`
	Username   string   `yaml:"username" doc:"TURN username"`
	Credential string   `yaml:"credential" doc:"TURN password"`
	// Relay names a relay of the scenario: its stun: and turn: URLs with valid
	// credentials. When set, URLs/Username/Credential are empty.
	Relay string `yaml:"relay" doc:"a relay of the scenario: its stun: and turn: URLs with valid credentials" format:"name"`
}

// Call is the one call of a scenario.
type Call struct {
	Offerer  string        `yaml:"offerer" doc:"the peer that offers (controlling ICE agent)" required:"true" format:"name"`
	Answerer string        `yaml:"answerer" doc:"the peer that answers" required:"true" format:"name"`
	Trickle  bool          `yaml:"trickle" doc:"default true; false sends complete SDP only" default:"true"`
	Timeout  time.Duration `yaml:"timeout" doc:"connect deadline; default 10s" default:"10s" min:"1ns"`
	// SignalDelay is the one-way latency of the signalling channel (offer,
	// answer, trickled candidates). It decides races that real calls have:
	// a connectivity check that arrives before the candidate it comes from
	// makes pion learn a peer-reflexive candidate, which it nominates later
	// than a host one. 0 leaves such races to goroutine scheduling.
	SignalDelay time.Duration `yaml:"signal-delay" doc:"one-way latency of the signalling channel (offer, answer, trickled candidates); default 20ms, 0 = instant" default:"20ms" min:"0s"`
	Data        Data          `yaml:"data" doc:"data-channel echo probe"`
}

// Data is the data-channel echo probe of a call.
type Data struct {
	Messages int `yaml:"messages" doc:"default 10" default:"10" min:"0" max:"10000"`
	Size     int `yaml:"size" doc:"bytes per message; default 1200" default:"1200" min:"1" max:"65535"`
}

// Path classes.
const (
	PathDirect  = "direct"
	PathRelayed = "relayed"
)

// Reach classes: how a peer is reached, read from addresses.
const (
	ReachHost      = "host"
	ReachReflexive = "reflexive"
	ReachRelay     = "relay"
)

// Expect is what must happen in one case. Nil pointers and empty slices mean
// "not checked".
//
// In Case.Expect, Connected is never nil (it defaults to true), and when it
// is false Path, Offerer, Answerer and Within are cleared: they describe a
// connection that must not happen. Gathered and RelayLog still apply then.
type Expect struct {
	Connected *bool               `yaml:"connected" doc:"default true; false: the call must fail within call.timeout" default:"true"`
	Path      string              `yaml:"path" doc:"direct | relayed" enum:"direct|relayed"`
	Offerer   []string            `yaml:"offerer" doc:"acceptable reach classes of the offerer: host, reflexive, relay; one word or a list" enum:"host|reflexive|relay" single:"true" min:"1"`
	Answerer  []string            `yaml:"answerer" doc:"acceptable reach classes of the answerer: host, reflexive, relay; one word or a list" enum:"host|reflexive|relay" single:"true" min:"1"`
	Within    time.Duration       `yaml:"within" doc:"connected no later than this" min:"1ns"`
	Gathered  map[string][]string `yaml:"gathered" doc:"peer -> candidate types it must have gathered" keys:"name" enum:"host|srflx|relay"`
	RelayLog  []string            `yaml:"relay-log" doc:"substrings that must appear in a relay's log"`
}

// Case is one runnable case: a scenario with the matrix values of one cell
// applied, and the expectation that matched it.
type Case struct {
	// ID is "scenario" or "scenario/dim=value,dim=value".
	ID       string
	Scenario *Scenario
	// Cell holds the matrix value names of this case, by dimension; nil without a matrix.
	Cell map[string]string
	// CellOrder lists the dimensions in document order.
	CellOrder []string
	Expect    Expect
}
