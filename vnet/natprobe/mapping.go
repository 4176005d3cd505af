package natprobe

import (
	"context"
	"net/netip"

	"github.com/icelab/icelab/scenarios"
)

// mapping is RFC 5780 section 4.3: the same socket asks the primary
// address, then the alternate IP with the primary port, then the alternate
// IP and port; whether the mapped address changes tells what the NAT keys
// its mappings on. It returns the server's OTHER-ADDRESS.
func (p *prober) mapping(ctx context.Context) (netip.AddrPort, bool, error) {
	s, err := p.open()
	if err != nil {
		return netip.AddrPort{}, false, err
	}
	defer s.close()

	b1, ok, err := p.retry.bind(ctx, s, p.server)
	if err != nil || !ok {
		if err == nil {
			p.note("mapping test I: no response from %s; nothing can be classified", p.server)
		}
		return netip.AddrPort{}, false, err
	}
	p.res.Local, p.res.Mapped = s.local, b1.mapped
	if b1.origin.IsValid() && b1.origin != b1.from {
		p.note("mapping test I: response claims origin %s but came from %s", b1.origin, b1.from)
	}
	other := b1.other
	if !other.IsValid() || other.Addr() == p.server.Addr() || other.Port() == p.server.Port() {
		p.note("mapping test I: server gave no usable OTHER-ADDRESS (%s); nothing can be classified", other)
		return netip.AddrPort{}, false, nil
	}
	if b1.mapped == s.local {
		p.note("mapped address equals the local address: no NAT")
		p.res.Mapping = scenarios.EndpointIndependent
		return other, true, nil
	}

	b2, ok, err := p.retry.bind(ctx, s, netip.AddrPortFrom(other.Addr(), p.server.Port()))
	if err != nil || !ok {
		if err == nil {
			p.note("mapping test II: no response from the alternate address %s", other.Addr())
		}
		return other, err == nil, err
	}
	if b2.mapped == b1.mapped {
		p.res.Mapping = scenarios.EndpointIndependent
		return other, true, nil
	}
	b3, ok, err := p.retry.bind(ctx, s, other)
	if err != nil || !ok {
		if err == nil {
			p.note("mapping test III: no response from %s", other)
		}
		return other, err == nil, err
	}
	if b3.mapped == b2.mapped {
		p.res.Mapping = scenarios.AddressDependent
	} else {
		p.res.Mapping = scenarios.AddressAndPortDependent
	}
	return other, true, nil
}
