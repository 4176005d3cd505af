package relay

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/pion/logging"
	"github.com/pion/turn/v4"

	"github.com/icelab/icelab/scenarios"
)

// Defaults applied when a Relay was not normalised by the loader.
const (
	defaultPort    = 3478
	defaultRealm   = "icelab"
	defaultMinPort = 49152
	defaultMaxPort = 65535
)

// closeTimeout bounds how long Close waits for pion/turn's goroutines.
// Inside a synctest bubble this is virtual time.
const closeTimeout = 10 * time.Second

// Server is a running STUN/TURN server on one host of the world.
type Server struct {
	name string
	addr netip.AddrPort

	turn   *turn.Server
	conn   *listenConn
	auth   *auth // nil: STUN-only
	logs   *logBuffer
	log    logging.LeveledLogger
	closed sync.Once
	err    error

	mu             sync.Mutex
	allocs         []Allocation
	live           map[string]int // allocation key -> index in allocs
	closing        bool
	drained        chan struct{} // closed once closing and no allocation is alive
	drainSignalled bool
}

// Start runs a relay named name on the host given by opts. cfg is read once;
// later changes to it have no effect.
func Start(name string, cfg *scenarios.Relay, opts Options) (*Server, error) {
	s, err := start(name, cfg, opts)
	if err != nil {
		return nil, fmt.Errorf("relay %q: %w", name, err)
	}
	return s, nil
}

func start(name string, cfg *scenarios.Relay, opts Options) (*Server, error) {
	switch {
	case cfg == nil:
		return nil, errors.New("no configuration")
	case opts.Net == nil:
		// pion/turn would fall back to real OS sockets.
		return nil, errors.New("options: Net is nil")
	case !opts.HostIP.Is4():
		return nil, fmt.Errorf("options: host IP %v is not an IPv4 address", opts.HostIP)
	case cfg.ExternalIP.IsValid() && !cfg.ExternalIP.Is4():
		return nil, fmt.Errorf("external-ip %v is not an IPv4 address", cfg.ExternalIP)
	case cfg.Auth != nil && len(cfg.Auth.Users) == 0 && cfg.Auth.Secret == "":
		return nil, errors.New("auth: neither users nor secret")
	}
	port, realm, ports := cfg.Port, cfg.Realm, cfg.RelayPorts
	if port == 0 {
		port = defaultPort
	}
	if realm == "" {
		realm = defaultRealm
	}
	if ports == (scenarios.PortRange{}) {
		ports = scenarios.PortRange{Min: defaultMinPort, Max: defaultMaxPort}
	}
	if ports.Min == 0 || ports.Min > ports.Max {
		return nil, fmt.Errorf("relay-ports %d-%d: not a range of non-zero ports", ports.Min, ports.Max)
	}
	for _, p := range cfg.DenyPeers {
		if !p.IsValid() {
			return nil, fmt.Errorf("deny-peers: invalid prefix %v", p)
		}
	}

	logs := &logBuffer{}
	factory := &captureFactory{buf: logs, fwd: opts.LoggerFactory, prefix: "relay " + name + ": "}
	s := &Server{
		name:    name,
		addr:    netip.AddrPortFrom(opts.HostIP, port),
		logs:    logs,
		log:     factory.NewLogger("relay"),
		live:    map[string]int{},
		drained: make(chan struct{}),
	}

	pc, err := opts.Net.ListenPacket("udp4", s.addr.String())
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", s.addr, err)
	}
	s.conn = newListenConn(pc, s.errorResponse)

	// STUN-only: no AuthHandler (pion answers every TURN request 400, "so
	// clients don't retry") and no relay address generator (pion's stand-in
	// refuses to allocate should a request ever get that far). Binding works.
	pcc := turn.PacketConnConfig{PacketConn: s.conn, PermissionHandler: denyPeers(cfg.DenyPeers, s.log)}
	var authHandler turn.AuthHandler
	advertised := opts.HostIP
	if cfg.ExternalIP.IsValid() {
		advertised = cfg.ExternalIP
	}
	if cfg.Auth != nil {
		s.auth = newAuth(cfg.Auth, realm, s.log)
		authHandler = s.auth.handle
		pcc.RelayAddressGenerator = newRelayGenerator(opts.Net, opts.HostIP, advertised, ports.Min, ports.Max,
			opts.Seed, s.log)
	}

	s.turn, err = turn.NewServer(turn.ServerConfig{
		PacketConnConfigs: []turn.PacketConnConfig{pcc},
		LoggerFactory:     factory,
		Realm:             realm,
		AuthHandler:       authHandler,
		EventHandler:      s.eventHandler(),
	})
	if err != nil {
		_ = pc.Close()
		return nil, fmt.Errorf("turn server: %w", err)
	}

	mode := "STUN only"
	switch {
	case cfg.Auth == nil:
	case len(cfg.Auth.Users) > 0 && cfg.Auth.Secret != "":
		mode = fmt.Sprintf("TURN, %d long-term users and REST secret", len(cfg.Auth.Users))
	case len(cfg.Auth.Users) > 0:
		mode = fmt.Sprintf("TURN, %d long-term users", len(cfg.Auth.Users))
	default:
		mode = "TURN, REST secret"
	}
	s.log.Infof("listening on udp %s realm=%q (%s) relay-ports=%d-%d relay-address=%s deny-peers=%v",
		s.addr, realm, mode, ports.Min, ports.Max, advertised, cfg.DenyPeers)
	return s, nil
}

// Name returns the relay's name in the scenario.
func (s *Server) Name() string { return s.name }

// Addr returns the listening address (host IP and port).
func (s *Server) Addr() netip.AddrPort { return s.addr }

// Credentials returns a username and password valid now, as the {relay:
// NAME} shorthand hands out: the first long-term user in sorted order, or a
// fresh TURN REST credential ("<expiry-unix>:icelab", base64 HMAC-SHA1
// password) living for the configured TTL. ok is false for a STUN-only
// server and after RevokeAll.
func (s *Server) Credentials() (username, password string, ok bool) {
	if s.auth == nil {
		return "", "", false
	}
	return s.auth.credentials()
}

// RevokeAll removes every credential, long-term users and the REST secret
// alike. Existing allocations live on; their next Refresh, CreatePermission
// or ChannelBind is refused with 400 and "no such user exists", as with
// Screego after a share stops.
func (s *Server) RevokeAll() {
	if s.auth == nil {
		return
	}
	s.auth.revokeAll()
	s.log.Info("all credentials revoked")
}

// Log returns every log line of this server, oldest first, at every level,
// each "LEVEL scope: message" (scope "turn" for pion/turn, "relay" for
// icelab's own lines). The newest 10 000 lines are kept.
func (s *Server) Log() []string { return s.logs.snapshot() }

// Allocations returns every allocation the server ever created, in creation
// order.
func (s *Server) Allocations() []Allocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Allocation(nil), s.allocs...)
}

// AllocationCount returns the number of live allocations.
func (s *Server) AllocationCount() int { return s.turn.AllocationCount() }

// Close stops the server and waits until its read loop has ended and every
// allocation is closed, so no goroutine or socket outlives it. It is safe to
// call more than once.
func (s *Server) Close() error {
	s.closed.Do(func() {
		if err := s.close(); err != nil {
			s.err = fmt.Errorf("relay %q: close: %w", s.name, err)
		}
	})
	return s.err
}

func (s *Server) close() error {
	// pion closes the listening socket; its read loop then ends and closes
	// every allocation, whose relay loops delete them (OnAllocationDeleted).
	err := s.turn.Close()
	timeout := time.NewTimer(closeTimeout)
	defer timeout.Stop()
	select {
	case <-s.conn.readDone:
	case <-timeout.C:
		return errors.Join(err, fmt.Errorf("read loop still running after %s", closeTimeout))
	}
	s.mu.Lock()
	s.closing = true
	s.signalIfDrainedLocked()
	s.mu.Unlock()
	select {
	case <-s.drained:
	case <-timeout.C:
		s.mu.Lock()
		n := len(s.live)
		s.mu.Unlock()
		return errors.Join(err, fmt.Errorf("%d allocations still open after %s", n, closeTimeout))
	}
	s.log.Info("closed")
	return err
}

// signalIfDrainedLocked closes drained once Close has begun and no
// allocation is alive. s.mu must be held.
func (s *Server) signalIfDrainedLocked() {
	if s.closing && len(s.live) == 0 && !s.drainSignalled {
		s.drainSignalled = true
		close(s.drained)
	}
}
