// Package results holds the result model of an icelab run (results.json is
// the source of truth), the report writers built from it, and the baseline
// diff.
package results

import "time"

// CurrentVersion is the results.json format version this package writes and
// reads. WriteJSON fills it in when a Run leaves Version zero.
const CurrentVersion = 1

// Verdicts.
const (
	Pass  = "pass"
	Fail  = "fail"
	Error = "error"
)

// Run is one `icelab run`: every case, in the order they were expanded.
type Run struct {
	Version   int       `json:"version"`
	StartedAt time.Time `json:"started_at"`
	// Clock is "virtual" (synctest bubble per case) or "real".
	Clock  string    `json:"clock"`
	WallMS float64   `json:"wall_ms"`
	Cases  []*Result `json:"cases"`
}

// Result is the outcome of one case.
type Result struct {
	ID       string            `json:"id"`
	Scenario string            `json:"scenario"`
	File     string            `json:"file"`
	Cell     map[string]string `json:"cell,omitempty"`
	// CellOrder lists Cell's dimensions in document order (scenarios.Case
	// CellOrder), so reports lay matrix grids out as the author wrote them.
	CellOrder []string `json:"cell_order,omitempty"`
	Labels    []string `json:"labels,omitempty"`
	// Description is the scenario's description, for reports.
	Description string   `json:"description,omitempty"`
	Verdict     string   `json:"verdict"`
	Reasons     []string `json:"reasons,omitempty"`
	Expected    Expected `json:"expected"`
	Observed    Observed `json:"observed"`
	// World describes the case's networks and hosts, for drawing.
	World *World `json:"world,omitempty"`
	// Seed reproduces the case: `icelab run --seed N`.
	Seed   int64   `json:"seed"`
	WallMS float64 `json:"wall_ms"`
	// Flaky is set when --repeat saw different outcomes; Outcomes lists them.
	Flaky    bool     `json:"flaky,omitempty"`
	Outcomes []string `json:"outcomes,omitempty"`
	// Log holds per-component log lines when the run was verbose.
	Log []string `json:"log,omitempty"`
}

// Expected mirrors the case's expect block, in report form.
type Expected struct {
	Connected *bool               `json:"connected,omitempty"`
	Path      string              `json:"path,omitempty"`
	Offerer   []string            `json:"offerer,omitempty"`
	Answerer  []string            `json:"answerer,omitempty"`
	WithinMS  float64             `json:"within_ms,omitempty"`
	Gathered  map[string][]string `json:"gathered,omitempty"`
	RelayLog  []string            `json:"relay_log,omitempty"`
}

// Observed is what actually happened on the emulated wire and in the stacks.
type Observed struct {
	Connected bool `json:"connected"`
	// Path is direct or relayed, read from addresses; "" when not connected.
	Path string `json:"path"`
	// Offerer and Answerer say how each peer was reached: host, reflexive,
	// relay, or unknown.
	Offerer  string `json:"offerer"`
	Answerer string `json:"answerer"`
	// ConnectMS is the time from the offer to both data channels open, on the
	// case's clock (virtual unless --clock real).
	ConnectMS float64 `json:"connect_ms"`
	// Failure says why the call did not connect.
	Failure string `json:"failure,omitempty"`
	// Selected is the selected candidate pair from each side as the stack
	// reports it, keyed by peer name.
	Selected map[string]*Pair `json:"selected,omitempty"`
	// Gathered lists each peer's local candidates, keyed by peer name.
	Gathered map[string][]Candidate `json:"gathered,omitempty"`
	// Wire lists what the emulator saw, where it differs from or adds to the stack's view.
	Wire     *Wire   `json:"wire,omitempty"`
	Data     Data    `json:"data"`
	Timeline []Event `json:"timeline,omitempty"`
	// Allocations made on relays during the case.
	Allocations []Allocation `json:"allocations,omitempty"`
	// RelayLog holds the relays' log lines (every level), by relay name.
	RelayLog map[string][]string `json:"relay_log,omitempty"`
	// NAT is the RFC 5780 classification of each network, when probed.
	NAT map[string]NATBehavior `json:"nat,omitempty"`
}

// Candidate is an ICE candidate as the stack reports it.
type Candidate struct {
	Type           string `json:"type"`
	Address        string `json:"address"`
	Port           int    `json:"port"`
	Protocol       string `json:"protocol"`
	RelatedAddress string `json:"related_address,omitempty"`
	RelatedPort    int    `json:"related_port,omitempty"`
}

// Pair is a selected candidate pair from one side.
type Pair struct {
	Local  Candidate `json:"local"`
	Remote Candidate `json:"remote"`
}

// Wire is the emulator's view of the selected path.
type Wire struct {
	// OffererAddr and AnswererAddr are the addresses each peer was reached at
	// (the other side's selected remote address), with what owns them.
	OffererAddr  string `json:"offerer_addr"`
	AnswererAddr string `json:"answerer_addr"`
	// Packets counts UDP datagrams the internet router carried during the case.
	Packets int `json:"packets"`
	// OffererDatagrams and AnswererDatagrams count the datagrams a router
	// actually delivered to each reach address: the wire's confirmation that
	// the selected pair carried traffic.
	OffererDatagrams  int `json:"offerer_datagrams"`
	AnswererDatagrams int `json:"answerer_datagrams"`
	// Drops counts datagrams the emulator dropped, by reason (firewall,
	// loss, hairpin), over every router. NAT filtering drops happen inside
	// pion's NAT and show in the vnet log instead.
	Drops map[string]int `json:"drops,omitempty"`
	// Notes explain disagreements between the stack's view and the wire.
	Notes []string `json:"notes,omitempty"`
}

// Data is the data-channel echo probe's outcome.
type Data struct {
	Sent   int `json:"sent"`
	Echoed int `json:"echoed"`
}

// Event is one state change of a peer's ICE, DTLS or peer connection.
type Event struct {
	AtMS  float64 `json:"at_ms"`
	Peer  string  `json:"peer"`
	What  string  `json:"what"` // ice | dtls | pc | gather | signal
	State string  `json:"state"`
}

// Allocation is a TURN allocation a relay granted.
type Allocation struct {
	Relay    string `json:"relay"`
	Client   string `json:"client"`
	Relayed  string `json:"relayed"`
	Username string `json:"username,omitempty"`
	// Peer names the peer that owns the client address, when known.
	Peer string `json:"peer,omitempty"`
}

// NATBehavior is an RFC 5780 classification.
type NATBehavior struct {
	Mapping         string `json:"mapping"`
	Filtering       string `json:"filtering"`
	Hairpinning     bool   `json:"hairpinning"`
	MappingLifetime string `json:"mapping_lifetime,omitempty"`
}

// World is a small description of a case's world, enough to draw it. The
// internet root is implicit: networks with Parent "" or "internet" hang off it,
// and so do hosts with Network "" or "internet".
type World struct {
	Networks []WorldNetwork `json:"networks,omitempty"`
	Hosts    []WorldHost    `json:"hosts,omitempty"`
}

// WorldNetwork is one network behind a NAT.
type WorldNetwork struct {
	Name     string `json:"name"`
	Parent   string `json:"parent,omitempty"`
	Subnet   string `json:"subnet"`
	PublicIP string `json:"public_ip,omitempty"`
	// NAT is the preset name, or "mapping / filtering" for the object form.
	NAT string `json:"nat,omitempty"`
}

// WorldHost is one host and what runs on it.
type WorldHost struct {
	Name    string `json:"name"`
	Network string `json:"network,omitempty"`
	IP      string `json:"ip"`
	// Relay and Peer name the relay and peer on this host, if any (comma
	// separated when there are several).
	Relay string `json:"relay,omitempty"`
	Peer  string `json:"peer,omitempty"`
}
