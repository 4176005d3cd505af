package natprobe

import (
	"context"
	"net/netip"

	"github.com/icelab/icelab/scenarios"
)

// filtering is RFC 5780 section 4.4 on a fresh socket: after test I to the
// primary address, the server is asked to answer from its other IP and
// port (test II), then from its other port only (test III). A response
// that does not arrive is one the NAT filtered.
func (p *prober) filtering(ctx context.Context, other netip.AddrPort) error {
	s, err := p.open()
	if err != nil {
		return err
	}
	defer s.close()

	if _, ok, err := p.retry.bind(ctx, s, p.server); err != nil || !ok {
		if err == nil {
			p.note("filtering test I: no response from %s", p.server)
		}
		return err
	}
	b, ok, err := p.retry.bind(ctx, s, p.server, ChangeRequest{IP: true, Port: true})
	if err != nil {
		return err
	}
	if ok {
		if b.from != other {
			p.note("filtering test II: response came from %s, not from the other address %s; filtering not classified", b.from, other)
			return nil
		}
		p.res.Filtering = scenarios.EndpointIndependent
		return nil
	}
	changedPort := netip.AddrPortFrom(p.server.Addr(), other.Port())
	b, ok, err = p.retry.bind(ctx, s, p.server, ChangeRequest{Port: true})
	if err != nil {
		return err
	}
	if ok {
		if b.from != changedPort {
			p.note("filtering test III: response came from %s, not from %s; filtering not classified", b.from, changedPort)
			return nil
		}
		p.res.Filtering = scenarios.AddressDependent
		return nil
	}
	p.res.Filtering = scenarios.AddressAndPortDependent
	return nil
}
