package natprobe

import (
	"context"
	"net/netip"

	"github.com/icelab/icelab/scenarios"
)

// hairpin is RFC 5780 section 4.5: a second socket sends to the first
// socket's mapped address; if the datagram comes back in, the NAT
// hairpins. The NAT's filtering applies to the hairpinned datagram too (its
// source is the sender's mapping), so a plain attempt proves hairpinning
// only through an endpoint-independent filter. Two more attempts get past
// the filter without weakening the proof, since every one of them must
// still travel out to the NAT's public address and back in:
//
//  1. plain: b sends to a's mapping (conclusive with EIF);
//  2. punched: a first sends to b's mapping, which makes a's filter admit
//     b's mapping, then b sends again (conclusive with EIM, where a's
//     mapping and b's are the ones the server saw);
//  3. predicted: with a dependent mapping, a's mapping towards b is a new
//     one the server never saw. NATs that allocate ports sequentially (as
//     pion's does) let the probe predict it: a fresh c binds and learns its
//     mapped port m, fresh a2 sends to m+2 (getting m+1) and fresh b2
//     sends to m+1 (getting m+2, which a2's filter expects). A last fresh
//     binding must get m+3, proving the NAT allocated as predicted;
//     otherwise a negative is noted as inconclusive.
func (p *prober) hairpin(ctx context.Context) error {
	a, err := p.open()
	if err != nil {
		return err
	}
	defer a.close()
	b, err := p.open()
	if err != nil {
		return err
	}
	defer b.close()

	// Every attempt binds right before it sends, so that a short mapping
	// lifetime cannot expire the mappings under test while earlier
	// attempts wait out their retransmissions.
	// 1. plain.
	ma, ok, err := p.mappedOf(ctx, a, "first")
	if err != nil || !ok {
		return err
	}
	if ok, err := p.deliver(ctx, b, ma, a); err != nil || ok {
		if ok {
			p.res.Hairpinning = true
			p.note("hairpinning: a datagram to the mapped address %s came back in", ma)
		}
		return err
	}
	// 2. punched.
	if ma, ok, err = p.mappedOf(ctx, a, "first"); err != nil || !ok {
		return err
	}
	mb, ok, err := p.mappedOf(ctx, b, "second")
	if err != nil || !ok {
		return err
	}
	if err := p.poke(a, mb); err != nil {
		return err
	}
	if ok, err := p.deliver(ctx, b, ma, a); err != nil || ok {
		if ok {
			p.res.Hairpinning = true
			p.note("hairpinning: a datagram to the mapped address %s came back in once the receiver had sent to %s (filtering blocks the plain test)", ma, mb)
		}
		return err
	}
	if p.res.Filtering == scenarios.EndpointIndependent || p.res.Mapping == scenarios.EndpointIndependent {
		p.note("hairpinning: datagrams to the mapped address %s never came back in", ma)
		return nil
	}
	// 3. predicted.
	ok, verified, err := p.predictedHairpin(ctx, ma.Addr())
	if err != nil {
		return err
	}
	switch {
	case ok:
		p.res.Hairpinning = true
		p.note("hairpinning: a datagram to a predicted mapping of %s came back in (dependent mapping and filtering block the plain tests)", ma.Addr())
	case verified:
		p.note("hairpinning: datagrams to mapped addresses of %s never came back in, also with verified port prediction", ma.Addr())
	default:
		p.note("hairpinning: not observed, but inconclusive: the NAT's mapping and filtering are endpoint-dependent and its port allocation could not be predicted")
	}
	return nil
}

// predictedHairpin is attempt 3 of hairpin, on the NAT's public IP pub.
// verified reports whether the NAT allocated the predicted ports.
func (p *prober) predictedHairpin(ctx context.Context, pub netip.Addr) (ok, verified bool, err error) {
	var socks [4]*socket // c, a2, b2, d
	for i := range socks {
		if socks[i], err = p.open(); err != nil {
			return false, false, err
		}
		defer socks[i].close()
	}
	c, a2, b2, d := socks[0], socks[1], socks[2], socks[3]
	bc, got, err := p.retry.bind(ctx, c, p.server)
	if err != nil || !got || bc.mapped.Addr() != pub || bc.mapped.Port() > 65533 {
		return false, false, err
	}
	n := bc.mapped.Port() + 1
	if err := p.poke(a2, netip.AddrPortFrom(pub, n+1)); err != nil {
		return false, false, err
	}
	if ok, err = p.deliver(ctx, b2, netip.AddrPortFrom(pub, n), a2); err != nil || ok {
		return ok, ok, err
	}
	bd, got, err := p.retry.bind(ctx, d, p.server)
	if err != nil || !got {
		return false, false, err
	}
	return false, bd.mapped == netip.AddrPortFrom(pub, n+2), nil
}

// mappedOf binds s to the server and returns its mapped address; ok is
// false (with a note) if no response came.
func (p *prober) mappedOf(ctx context.Context, s *socket, which string) (netip.AddrPort, bool, error) {
	b, ok, err := p.retry.bind(ctx, s, p.server)
	if err == nil && !ok {
		p.note("hairpinning: no response to the %s socket's binding request", which)
	}
	return b.mapped, ok, err
}

// deliver sends a marker request from tx to dst, retransmitting, and
// reports whether rx received it.
func (p *prober) deliver(ctx context.Context, tx *socket, dst netip.AddrPort, rx *socket) (bool, error) {
	req, err := request()
	if err != nil {
		return false, err
	}
	_, ok, err := p.retry.transact(ctx, tx, dst, req, rx)
	return ok, err
}

// poke sends one marker datagram from s to dst without waiting for
// anything: its only purpose is the state it leaves in the NAT.
func (p *prober) poke(s *socket, dst netip.AddrPort) error {
	req, err := request()
	if err != nil {
		return err
	}
	return s.send(dst, req.Raw)
}
