package natprobe

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/pion/logging"
	"github.com/pion/transport/v3"

	"github.com/icelab/icelab/scenarios"
)

// prober runs the RFC 5780 tests for one network from one client host. Each
// test uses fresh sockets: a socket's earlier traffic opens filters and
// refreshes mappings that would distort the next test.
type prober struct {
	net    transport.Net
	ip     netip.Addr     // the client host's address
	server netip.AddrPort // the server's primary address
	retry  retry
	opts   Options
	log    logging.LeveledLogger
	res    *Result
	// port is the local port the next socket tries first. Sockets never
	// reuse a port: a NAT keeps a closed socket's mapping (with the
	// filters it opened) until it expires, and a fresh socket that landed
	// on the same port would inherit it.
	port uint16
}

// firstPort is where probe sockets start, away from pion's ephemeral
// range (5000-5999) that other stacks of the world draw from.
const firstPort = 20000

func (p *prober) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.log.Debugf("%s: %s", p.res.Network, msg)
	p.res.Notes = append(p.res.Notes, msg)
}

func (p *prober) open() (*socket, error) {
	if p.port < firstPort {
		p.port = firstPort
	}
	var lastErr error
	for p.port != 0 { // 0: wrapped past 65535
		port := p.port
		p.port++
		s, err := openSocketAt(p.net, netip.AddrPortFrom(p.ip, port))
		if err == nil {
			return s, nil
		}
		lastErr = err // in use by the scenario's host: try the next one
	}
	return nil, fmt.Errorf("no free local port on %s: %w", p.ip, lastErr)
}

// run runs every test; an error is a failure of the probe itself (a socket
// that cannot open, a cancelled context), never a NAT behaviour.
func (p *prober) run(ctx context.Context) error {
	other, ok, err := p.mapping(ctx)
	if err != nil || !ok {
		return err
	}
	if err := p.filtering(ctx, other); err != nil {
		return err
	}
	if err := p.hairpin(ctx); err != nil {
		return err
	}
	if !p.opts.SkipLifetime {
		if err := p.lifetime(ctx); err != nil {
			return err
		}
	}
	r := p.res
	r.OneToOne = r.Mapping == scenarios.EndpointIndependent && r.Filtering == scenarios.EndpointIndependent &&
		r.Mapped.Port() == r.Local.Port() && r.Mapped.Addr() != r.Local.Addr()
	return nil
}
