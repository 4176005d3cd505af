package natprobe

import (
	"context"
	"fmt"
	"time"
)

// lifetime is RFC 5780 section 4.6: socket x binds, stays idle for T, then
// socket y asks the server (with RESPONSE-PORT) to answer to x's mapped
// port; the answer reaches x only if x's mapping is still alive. Each trial
// uses fresh sockets, so nothing but the first binding ever refreshes the
// mapping under test. An exponential search (1, 2, 4... resolutions, then
// the cap) brackets the lifetime, a binary search narrows it to the
// resolution. On a virtual clock the idle periods cost no wall time.
func (p *prober) lifetime(ctx context.Context) error {
	res, limit := p.opts.LifetimeResolution, p.opts.LifetimeCap
	steps := int64(limit / res) // trials are at k·res, k in [1, steps], plus the cap
	alive := func(k int64) (bool, error) {
		t := time.Duration(k) * res
		if k > steps {
			t = limit
		}
		return p.lifetimeTrial(ctx, t)
	}

	lo, hi := int64(0), int64(-1) // lo: alive (0: assumed), hi: dead (-1: unknown)
	for k := int64(1); ; k *= 2 {
		if k > steps {
			k = steps + 1 // the cap itself
		}
		ok, err := alive(k)
		if err != nil {
			return err
		}
		if !ok {
			hi = k
			break
		}
		lo = k
		if k > steps {
			p.res.MappingLifetime, p.res.LifetimeUnbounded = limit, true
			p.note("mapping lifetime: the mapping survived %s idle, the longest period tried", limit)
			return nil
		}
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := alive(mid)
		if err != nil {
			return err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		p.note("mapping lifetime: the mapping was gone after %s idle, the resolution", res)
		return nil
	}
	p.res.MappingLifetime = time.Duration(lo) * res
	return nil
}

// lifetimeTrial reports whether a mapping idle for t can still be reached
// from the server address it was created towards.
func (p *prober) lifetimeTrial(ctx context.Context, t time.Duration) (bool, error) {
	x, err := p.open()
	if err != nil {
		return false, err
	}
	defer x.close()
	y, err := p.open()
	if err != nil {
		return false, err
	}
	defer y.close()

	bx, ok, err := p.retry.bind(ctx, x, p.server)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, fmt.Errorf("lifetime trial: no response from %s to a binding request", p.server)
	}
	// The idle period under test. ctx is only polled, never waited on (see
	// Probe): on a virtual clock this wait costs no wall time anyway.
	<-time.NewTimer(t).C
	if err := ctx.Err(); err != nil {
		return false, err
	}
	req, err := request(ResponsePort(bx.mapped.Port()))
	if err != nil {
		return false, err
	}
	_, ok, err = p.retry.transact(ctx, y, p.server, req, x)
	p.log.Debugf("%s: mapping %s idle %s: alive=%t", p.res.Network, bx.mapped, t, ok)
	return ok, err
}
