package natprobe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/pion/stun/v3"
	"github.com/pion/transport/v3"
)

// maxStray bounds how many unclaimed datagrams a socket keeps.
const maxStray = 64

// socket is one UDP port of the probe client. It is used by one goroutine
// and reads synchronously with read deadlines, so a probe runs no goroutine
// of its own on the client side.
type socket struct {
	conn  net.PacketConn
	local netip.AddrPort
	buf   []byte
	// stray holds datagrams read while waiting for something else; a later
	// await may claim them (a hairpinned request can arrive while the
	// socket waits for a server response).
	stray []datagram
}

// datagram is one decoded STUN message and where it came from.
type datagram struct {
	from netip.AddrPort
	msg  *stun.Message
}

// binding is what a Binding success response says.
type binding struct {
	from   netip.AddrPort // where the response came from
	mapped netip.AddrPort // XOR-MAPPED-ADDRESS
	origin netip.AddrPort // RESPONSE-ORIGIN (invalid if absent)
	other  netip.AddrPort // OTHER-ADDRESS (invalid if absent)
}

// openSocket opens a socket on an ephemeral port of ip.
func openSocket(n transport.Net, ip netip.Addr) (*socket, error) {
	return openSocketAt(n, netip.AddrPortFrom(ip, 0))
}

func openSocketAt(n transport.Net, at netip.AddrPort) (*socket, error) {
	c, err := n.ListenPacket("udp4", at.String())
	if err != nil {
		return nil, fmt.Errorf("open socket on %s: %w", at, err)
	}
	local, ok := udpAddrPort(c.LocalAddr())
	if !ok {
		_ = c.Close()
		return nil, fmt.Errorf("open socket on %s: local address %s is not UDP over IPv4", at, c.LocalAddr())
	}
	return &socket{conn: c, local: local, buf: make([]byte, 1500)}, nil
}

func (s *socket) close() { _ = s.conn.Close() }

func (s *socket) send(to netip.AddrPort, raw []byte) error {
	if _, err := s.conn.WriteTo(raw, net.UDPAddrFromAddrPort(to)); err != nil {
		return fmt.Errorf("send from %s to %s: %w", s.local, to, err)
	}
	return nil
}

// await returns the first datagram carrying transaction id, claiming a
// stray one first, reading until deadline. ok is false on timeout.
func (s *socket) await(id [stun.TransactionIDSize]byte, deadline time.Time) (datagram, bool, error) {
	for k, d := range s.stray {
		if d.msg.TransactionID == id {
			s.stray = append(s.stray[:k], s.stray[k+1:]...)
			return d, true, nil
		}
	}
	if err := s.conn.SetReadDeadline(deadline); err != nil {
		return datagram{}, false, err
	}
	for {
		n, from, err := s.conn.ReadFrom(s.buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return datagram{}, false, nil
			}
			return datagram{}, false, fmt.Errorf("read on %s: %w", s.local, err)
		}
		src, ok := udpAddrPort(from)
		if !ok || !stun.IsMessage(s.buf[:n]) {
			continue
		}
		m := &stun.Message{Raw: append([]byte(nil), s.buf[:n]...)}
		if m.Decode() != nil {
			continue
		}
		d := datagram{from: src, msg: m}
		if m.TransactionID == id {
			return d, true, nil
		}
		if len(s.stray) < maxStray {
			s.stray = append(s.stray, d)
		}
	}
}

// retry is the retransmission schedule of a transaction: RFC 5389's RTO,
// doubled after each try.
type retry struct {
	rto   time.Duration
	tries int
}

// transact sends req from tx to dst and waits for a datagram with req's
// transaction id at rx (usually tx itself), retransmitting on the RFC 5389
// schedule. ok is false when nothing arrived: for the filtering, hairpin
// and lifetime tests that silence is the finding.
func (r retry) transact(ctx context.Context, tx *socket, dst netip.AddrPort, req *stun.Message, rx *socket) (datagram, bool, error) {
	wait := r.rto
	for range r.tries {
		if err := ctx.Err(); err != nil {
			return datagram{}, false, err
		}
		if err := tx.send(dst, req.Raw); err != nil {
			return datagram{}, false, err
		}
		d, ok, err := rx.await(req.TransactionID, time.Now().Add(wait))
		if err != nil || ok {
			return d, ok, err
		}
		wait *= 2
	}
	return datagram{}, false, ctx.Err()
}

// bind runs one Binding transaction from s to dst. ok is false when no
// response came.
func (r retry) bind(ctx context.Context, s *socket, dst netip.AddrPort, extra ...stun.Setter) (binding, bool, error) {
	req, err := stun.Build(append([]stun.Setter{stun.TransactionID, stun.BindingRequest}, extra...)...)
	if err != nil {
		return binding{}, false, err
	}
	d, ok, err := r.transact(ctx, s, dst, req, s)
	if err != nil || !ok {
		return binding{}, false, err
	}
	b, err := parseBinding(d)
	if err != nil {
		return binding{}, false, fmt.Errorf("response from %s to %s: %w", d.from, s.local, err)
	}
	return b, true, nil
}

func parseBinding(d datagram) (binding, error) {
	if d.msg.Type != stun.BindingSuccess {
		return binding{}, fmt.Errorf("unexpected %s", d.msg.Type)
	}
	b := binding{from: d.from}
	var xor stun.XORMappedAddress
	if err := xor.GetFrom(d.msg); err != nil {
		return binding{}, fmt.Errorf("XOR-MAPPED-ADDRESS: %w", err)
	}
	b.mapped = toAddrPort(xor.IP, xor.Port)
	var origin stun.ResponseOrigin
	if origin.GetFrom(d.msg) == nil {
		b.origin = toAddrPort(origin.IP, origin.Port)
	}
	var other stun.OtherAddress
	if other.GetFrom(d.msg) == nil {
		b.other = toAddrPort(other.IP, other.Port)
	}
	return b, nil
}

func toAddrPort(ip net.IP, port int) netip.AddrPort {
	a, ok := netip.AddrFromSlice(ip)
	if !ok || port < 0 || port > 65535 {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(port))
}

// request builds a bare Binding request, used as a marker datagram by the
// hairpin and lifetime tests.
func request(extra ...stun.Setter) (*stun.Message, error) {
	return stun.Build(append([]stun.Setter{stun.TransactionID, stun.BindingRequest}, extra...)...)
}
