package natprobe

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"

	"github.com/pion/logging"
	"github.com/pion/stun/v3"
	"github.com/pion/transport/v3"
)

// Default ports of the probe server: the primary and the alternate port.
const (
	DefaultPrimaryPort   = 3478
	DefaultAlternatePort = 3479
)

// ServerConfig places an RFC 5780 server on two hosts.
type ServerConfig struct {
	// Nets are the network stacks of the primary and the alternate host;
	// both may be the same stack if it owns both IPs.
	Nets [2]transport.Net
	// IPs are the primary and the alternate address.
	IPs [2]netip.Addr
	// Ports are the primary and the alternate port; zero means
	// DefaultPrimaryPort and DefaultAlternatePort.
	Ports [2]uint16
	// LoggerFactory receives debug lines (scope "natprobe"); nil: none.
	LoggerFactory logging.LoggerFactory
}

// Server is a STUN server with NAT behaviour discovery (RFC 5780 section
// 6): it listens on two IPs times two ports, answers a Binding request with
// XOR-MAPPED-ADDRESS, RESPONSE-ORIGIN and OTHER-ADDRESS, sends the response
// from the address CHANGE-REQUEST asks for, and to the port RESPONSE-PORT
// names.
type Server struct {
	conns [2][2]net.PacketConn // [ip][port]
	addrs [2][2]netip.AddrPort
	log   logging.LeveledLogger
	wg    sync.WaitGroup
	once  sync.Once
}

// NewServer opens the server's four sockets and starts answering.
func NewServer(cfg ServerConfig) (*Server, error) {
	ports := cfg.Ports
	if ports[0] == 0 {
		ports[0] = DefaultPrimaryPort
	}
	if ports[1] == 0 {
		ports[1] = DefaultAlternatePort
	}
	if ports[0] == ports[1] {
		return nil, fmt.Errorf("natprobe server: primary and alternate port are both %d", ports[0])
	}
	if cfg.IPs[0] == cfg.IPs[1] || !cfg.IPs[0].Is4() || !cfg.IPs[1].Is4() {
		return nil, fmt.Errorf("natprobe server: need two distinct IPv4 addresses, got %s and %s", cfg.IPs[0], cfg.IPs[1])
	}
	s := &Server{log: newLogger(cfg.LoggerFactory)}
	for i := range 2 {
		if cfg.Nets[i] == nil {
			return nil, fmt.Errorf("natprobe server: no network stack for %s", cfg.IPs[i])
		}
		for j := range 2 {
			a := netip.AddrPortFrom(cfg.IPs[i], ports[j])
			c, err := cfg.Nets[i].ListenPacket("udp4", a.String())
			if err != nil {
				_ = s.closeConns()
				return nil, fmt.Errorf("natprobe server: listen %s: %w", a, err)
			}
			s.conns[i][j] = c
			s.addrs[i][j] = a
		}
	}
	for i := range 2 {
		for j := range 2 {
			s.wg.Add(1)
			go s.serve(i, j)
		}
	}
	return s, nil
}

// Primary is the address clients send to first.
func (s *Server) Primary() netip.AddrPort { return s.addrs[0][0] }

// Addr returns the address of IP i (0 primary, 1 alternate) and port j.
func (s *Server) Addr(i, j int) netip.AddrPort { return s.addrs[i&1][j&1] }

// Close closes the sockets and waits for the server's goroutines.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		err = s.closeConns()
		s.wg.Wait()
	})
	return err
}

func (s *Server) closeConns() error {
	var errs []error
	for i := range 2 {
		for j := range 2 {
			if c := s.conns[i][j]; c != nil {
				if err := c.Close(); err != nil {
					errs = append(errs, fmt.Errorf("close %s: %w", s.addrs[i][j], err))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// serve answers the requests that arrive on socket (i, j) until it closes.
func (s *Server) serve(i, j int) {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := s.conns[i][j].ReadFrom(buf)
		if err != nil {
			return // closed
		}
		src, ok := udpAddrPort(from)
		if !ok {
			continue
		}
		oi, oj, dst, resp, err := s.answer(i, j, src, buf[:n])
		if err != nil {
			s.log.Debugf("%s: drop datagram from %s: %v", s.addrs[i][j], src, err)
			continue
		}
		if _, err := s.conns[oi][oj].WriteTo(resp, net.UDPAddrFromAddrPort(dst)); err != nil {
			s.log.Debugf("%s: send to %s: %v", s.addrs[oi][oj], dst, err)
		}
	}
}

// answer builds the response to a datagram from src received on socket
// (i, j): the socket (oi, oj) to send it from, its destination, and its
// bytes.
func (s *Server) answer(i, j int, src netip.AddrPort, b []byte) (oi, oj int, dst netip.AddrPort, resp []byte, err error) {
	if !stun.IsMessage(b) {
		return 0, 0, dst, nil, errors.New("not STUN")
	}
	req := &stun.Message{Raw: append([]byte(nil), b...)}
	if err := req.Decode(); err != nil {
		return 0, 0, dst, nil, err
	}
	if req.Type != stun.BindingRequest {
		return 0, 0, dst, nil, fmt.Errorf("unexpected %s", req.Type)
	}
	var cr ChangeRequest
	if err := cr.GetFrom(req); err != nil && !errors.Is(err, stun.ErrAttributeNotFound) {
		return 0, 0, dst, nil, err
	}
	oi, oj = i, j
	if cr.IP {
		oi = 1 - i
	}
	if cr.Port {
		oj = 1 - j
	}
	dst = src
	var rp ResponsePort
	switch err := rp.GetFrom(req); {
	case err == nil:
		dst = netip.AddrPortFrom(src.Addr(), uint16(rp))
	case !errors.Is(err, stun.ErrAttributeNotFound):
		return 0, 0, dst, nil, err
	}
	origin, other := s.addrs[oi][oj], s.addrs[1-i][1-j]
	m, err := stun.Build(
		stun.NewTransactionIDSetter(req.TransactionID),
		stun.BindingSuccess,
		&stun.XORMappedAddress{IP: src.Addr().AsSlice(), Port: int(src.Port())},
		&stun.ResponseOrigin{IP: origin.Addr().AsSlice(), Port: int(origin.Port())},
		&stun.OtherAddress{IP: other.Addr().AsSlice(), Port: int(other.Port())},
		stun.Fingerprint,
	)
	if err != nil {
		return 0, 0, dst, nil, err
	}
	return oi, oj, dst, m.Raw, nil
}

// udpAddrPort converts a *net.UDPAddr to an IPv4 AddrPort.
func udpAddrPort(a net.Addr) (netip.AddrPort, bool) {
	ua, ok := a.(*net.UDPAddr)
	if !ok {
		return netip.AddrPort{}, false
	}
	ap := ua.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), ap.Addr().Unmap().Is4()
}

func newLogger(lf logging.LoggerFactory) logging.LeveledLogger {
	if lf == nil {
		lf = &logging.DefaultLoggerFactory{Writer: io.Discard, DefaultLogLevel: logging.LogLevelDisabled}
	}
	return lf.NewLogger("natprobe")
}
