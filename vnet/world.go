package vnet

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/icelab/icelab/scenarios"
	"github.com/pion/transport/v3"
	pvnet "github.com/pion/transport/v3/vnet"
)

// ErrClosed is returned by Start after Close.
var ErrClosed = errors.New("vnet: world closed")

// World is the emulated network of one scenario: a pion router per network
// under an "internet" root, and a pion Net per host.
type World struct {
	root     *pvnet.Router
	networks map[string]*network
	hosts    map[string]*host
	rec      *recorder
	routers  []string // "internet" then networks, sorted

	mu      sync.Mutex
	started bool
	closed  bool
}

// host is one scenarios.Host attached to its network's router.
type host struct {
	name    string
	network string
	ip      netip.Addr
	net     *pvnet.Net
	stack   *seededStack
	// reflexive lists the public IPs of the enclosing NATs, nearest first.
	reflexive []netip.Addr
}

// buildMu serialises world construction; see New.
var buildMu sync.Mutex

// New builds the world of s without starting it. s must be normalised (see
// package scenarios); New still checks everything it relies on and returns an
// error naming the network or host at fault instead of building a world that
// would silently misroute.
func New(s *scenarios.Scenario, opts Options) (*World, error) {
	if s == nil {
		return nil, errors.New("vnet: nil scenario")
	}
	lf := opts.LoggerFactory
	if lf == nil {
		lf = discardLoggers()
	}
	order, err := networkOrder(s)
	if err != nil {
		return nil, err
	}
	if err := checkAddresses(s, order); err != nil {
		return nil, err
	}
	// pion's NewNet bumps an unguarded package-level MAC address counter
	// (transport/v3 vnet/net.go newMACAddress): worlds built in parallel race
	// on it. Building is cheap; running worlds in parallel is unaffected.
	buildMu.Lock()
	defer buildMu.Unlock()

	root, err := pvnet.NewRouter(&pvnet.RouterConfig{
		Name:          scenarios.Internet,
		CIDR:          "0.0.0.0/0",
		LoggerFactory: lf,
	})
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", scenarios.Internet, err)
	}
	w := &World{
		root:     root,
		networks: map[string]*network{},
		hosts:    map[string]*host{},
		routers:  append([]string{scenarios.Internet}, order...),
	}
	w.rec = newRecorder(opts.Capture, w.routers)

	hostsOf := map[string][]string{}
	for _, name := range sortedKeys(s.Hosts) {
		hostsOf[netOf(s.Hosts[name].Network)] = append(hostsOf[netOf(s.Hosts[name].Network)], name)
	}

	routerOf := func(name string) *pvnet.Router {
		if name == scenarios.Internet {
			return root
		}
		return w.networks[name].router
	}

	for _, name := range order {
		cfg := s.Networks[name]
		var oneHost netip.Addr
		if cfg.NAT.OneToOne && len(hostsOf[name]) == 1 {
			oneHost = s.Hosts[hostsOf[name][0]].IP
		}
		nt, staticIPs, err := natType(name, cfg.NAT, cfg.PublicIP, oneHost)
		if err != nil {
			return nil, err
		}
		rules, err := compileRules(cfg.Firewall)
		if err != nil {
			return nil, fmt.Errorf("network %q: %w", name, err)
		}
		r, err := pvnet.NewRouter(&pvnet.RouterConfig{
			Name:          name,
			CIDR:          cfg.Subnet.Masked().String(),
			StaticIPs:     staticIPs,
			NATType:       nt,
			LoggerFactory: lf,
		})
		if err != nil {
			return nil, fmt.Errorf("network %q: %w", name, err)
		}
		lk, err := newLink(cfg.Link, r, opts.Seed, name)
		if err != nil {
			return nil, fmt.Errorf("network %q: %w", name, err)
		}
		n := &network{
			name:   name,
			parent: netOf(cfg.Parent),
			subnet: cfg.Subnet.Masked(),
			public: cfg.PublicIP,
			router: r,
			rules:  rules,
			link:   lk,
		}
		w.networks[name] = n
		if err := routerOf(n.parent).AddRouter(r); err != nil {
			_ = w.closeLinks()
			return nil, fmt.Errorf("network %q: attach to %q: %w", name, n.parent, err)
		}
	}

	for _, name := range sortedKeys(s.Hosts) {
		h := s.Hosts[name]
		nw := netOf(h.Network)
		pn, err := pvnet.NewNet(&pvnet.NetConfig{StaticIPs: []string{h.IP.String()}})
		if err == nil {
			err = routerOf(nw).AddNet(pn)
		}
		if err == nil {
			err = w.register(s, root, name, h)
		}
		if err != nil {
			_ = w.closeLinks()
			return nil, fmt.Errorf("host %q: %w", name, err)
		}
		hs := &host{name: name, network: nw, ip: h.IP, net: pn, stack: newSeededStack(pn, opts.Seed, name)}
		for cur := nw; cur != scenarios.Internet; cur = w.networks[cur].parent {
			hs.reflexive = append(hs.reflexive, w.networks[cur].public)
		}
		w.hosts[name] = hs
	}

	// One tap per router. Hairpin refusals of a NAT live on its parent,
	// which is where the hairpinned datagram shows up.
	taps := map[string]*routerTap{scenarios.Internet: {name: scenarios.Internet, rec: w.rec}}
	for _, name := range order {
		taps[name] = &routerTap{name: name, rec: w.rec, net: w.networks[name]}
	}
	for _, name := range order {
		if !s.Networks[name].NAT.Hairpinning {
			p := taps[w.networks[name].parent]
			p.noHairpin = append(p.noHairpin, w.networks[name].public)
		}
	}
	for _, name := range w.routers {
		routerOf(name).AddChunkFilter(taps[name].filter)
	}
	return w, nil
}

// Start starts every router. Hosts can send only after Start.
func (w *World) Start() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if w.started {
		return errors.New("vnet: world already started")
	}
	if err := w.root.Start(); err != nil {
		// Start stops at the first child that fails; stop what did start.
		_ = w.root.Stop()
		return fmt.Errorf("vnet: start: %w", err)
	}
	w.started = true
	return nil
}

// Close stops every router and cancels datagrams held for link delay.
// Datagrams in flight are lost; sockets stay open but nothing reaches them.
// It is idempotent and safe before Start.
//
// Router.Stop does not wait for a router's goroutine: one that is routing
// when Close is called finishes the chunks already due and then exits
// without blocking (everything it can push to is a router, which drops
// chunks once stopped, or a host Net). No timer of the world survives Close.
func (w *World) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	var errs []error
	if w.started {
		if err := w.root.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("vnet: stop: %w", err))
		}
	}
	if err := w.closeLinks(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (w *World) closeLinks() error {
	var errs []error
	for _, name := range sortedKeys(w.networks) {
		if err := w.networks[name].link.close(); err != nil {
			errs = append(errs, fmt.Errorf("network %q: close link: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// register makes a host's name resolvable with split horizon, as DNS for a
// cloud server behaves: inside its own network (and networks below it) the
// name is its own address; above a one-to-one NAT that maps it, the name is
// the NAT's public address, so `turn:NAME:3478` from outside reaches a TURN
// server on a 1:1-NAT host. A host that no 1:1 chain exposes keeps its own
// address at the root: resolvable, though unreachable from outside, as a
// private address published in DNS would be.
func (w *World) register(s *scenarios.Scenario, root *pvnet.Router, name string, h *scenarios.Host) error {
	// pion lower-cases names before looking them up.
	key := strings.ToLower(name)
	addr, cur := h.IP, h.Network
	if cur == "" {
		cur = scenarios.Internet
	}
	for cur != scenarios.Internet {
		n := w.networks[cur]
		if err := n.router.AddHost(key, addr.String()); err != nil {
			return err
		}
		if !s.Networks[cur].NAT.OneToOne {
			break
		}
		addr, cur = n.public, n.parent
	}
	if cur == scenarios.Internet {
		return root.AddHost(key, addr.String())
	}
	return root.AddHost(key, h.IP.String())
}

// Stack returns the host's network stack for pion's peers: its Net with
// ephemeral ports seeded from Options.Seed (see seededStack); nil if the
// host is unknown.
func (w *World) Stack(name string) transport.Net {
	if h := w.hosts[name]; h != nil {
		return h.stack
	}
	return nil
}

// Net returns the host's network stack (a transport.Net for pion's
// SettingEngine.SetNet, turn servers and clients), or nil for an unknown host.
func (w *World) Net(name string) *pvnet.Net {
	if h := w.hosts[name]; h != nil {
		return h.net
	}
	return nil
}

// HostIP returns the host's own address, or the zero Addr for an unknown host.
func (w *World) HostIP(name string) netip.Addr {
	if h := w.hosts[name]; h != nil {
		return h.ip
	}
	return netip.Addr{}
}

// Reflexive returns the public addresses a host's traffic can appear from:
// each enclosing NAT's public-ip, nearest first. A host on the internet has
// none. The outermost entry is what servers on the internet observe.
func (w *World) Reflexive(name string) []netip.Addr {
	if h := w.hosts[name]; h != nil {
		return slices.Clone(h.reflexive)
	}
	return nil
}

// HostsBehind returns, sorted, every host that sits behind the NAT whose
// public address is publicIP (at any depth), or nil if no NAT has it.
func (w *World) HostsBehind(publicIP netip.Addr) []string {
	var out []string
	for _, name := range sortedKeys(w.hosts) {
		if slices.Contains(w.hosts[name].reflexive, publicIP) {
			out = append(out, name)
		}
	}
	return out
}

// Owner says which host an address belongs to and how, for classifying the
// addresses a stack reports: kind is scenarios.ReachHost with the one host
// whose own IP it is, or scenarios.ReachReflexive with every host behind the
// NAT whose public IP it is (one host: the address is unambiguously that
// host's mapping; several: any of them), or "" and nil if the address is
// neither.
func (w *World) Owner(addr netip.Addr) (kind string, hosts []string) {
	for _, name := range sortedKeys(w.hosts) {
		if w.hosts[name].ip == addr {
			return scenarios.ReachHost, []string{name}
		}
	}
	if hs := w.HostsBehind(addr); len(hs) > 0 {
		return scenarios.ReachReflexive, hs
	}
	return "", nil
}

// Packets returns a copy of the datagrams recorded so far, in the order the
// routers handled them; empty unless Options.Capture.
func (w *World) Packets() []Packet { return w.rec.snapshot() }

// Stats returns the counters of every router ("internet" and each network).
func (w *World) Stats() Stats { return w.rec.stats() }

// netOf maps an empty network name to the internet.
func netOf(name string) string {
	if name == "" {
		return scenarios.Internet
	}
	return name
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
