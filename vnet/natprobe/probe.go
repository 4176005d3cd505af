package natprobe

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sort"

	"github.com/pion/transport/v3"

	"github.com/icelab/icelab/scenarios"
	"github.com/icelab/icelab/vnet"
)

// Probe classifies the NAT behaviour of the networks of s (all of them, or
// opts.Networks), as seen from opts.Vantage, and returns one Result per
// network.
//
// It builds its own world from a copy of s: the scenario's networks and
// hosts, without link impairments and firewall rules, plus two server
// hosts per vantage site and one client host inside each probed network
// (a one-to-one network is probed from its one host, the only address its
// NAT translates). Relays, peers and the call play no part. Networks are
// probed one after the other, so that no probe's traffic disturbs
// another's NAT state. Everything Probe starts is stopped before it
// returns.
//
// Call it on a virtual clock (in a synctest bubble): the tests wait out
// retransmission timers and the lifetime search idles for minutes. ctx is
// polled between steps and never waited on, so it may come from outside
// the bubble (waiting on a channel of another bubble, or of none, would
// stop the virtual clock).
//
// A behaviour that cannot be classified is left empty and explained in the
// Result's Notes; an error means the probe itself could not run.
func Probe(ctx context.Context, s *scenarios.Scenario, opts Options) (_ map[string]Result, err error) {
	opts, err = opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, errors.New("natprobe: nil scenario")
	}
	targets, err := targetsOf(s, opts.Networks)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Result, len(targets))
	if len(targets) == 0 {
		return out, nil
	}
	pl, err := newPlan(s, targets, opts.Vantage)
	if err != nil {
		return nil, fmt.Errorf("natprobe: scenario %q: %w", s.Name, err)
	}
	w, err := vnet.New(pl.scenario, vnet.Options{Seed: opts.Seed, LoggerFactory: opts.LoggerFactory})
	if err != nil {
		return nil, fmt.Errorf("natprobe: scenario %q: %w", s.Name, err)
	}
	defer func() {
		if cerr := w.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("natprobe: close world: %w", cerr))
		}
	}()
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("natprobe: scenario %q: %w", s.Name, err)
	}

	servers := map[string]*Server{}
	defer func() {
		for _, site := range slices.Sorted(maps.Keys(servers)) {
			if cerr := servers[site].Close(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("natprobe: close server on %q: %w", site, cerr))
			}
		}
	}()
	log := newLogger(opts.LoggerFactory)
	for _, site := range sortedSites(pl.siteOf) {
		pair := pl.servers[site]
		srv, err := NewServer(ServerConfig{
			Nets:          [2]transport.Net{w.Net(pair[0].host), w.Net(pair[1].host)},
			IPs:           [2]netip.Addr{pair[0].ip, pair[1].ip},
			LoggerFactory: opts.LoggerFactory,
		})
		if err != nil {
			return nil, fmt.Errorf("natprobe: site %q: %w", site, err)
		}
		servers[site] = srv
	}

	for _, name := range targets {
		res := Result{Network: name, Vantage: opts.Vantage}
		if depth(s, name) > 1 && opts.Vantage == VantageInternet {
			res.Notes = append(res.Notes, nestedNote)
		}
		cl := pl.clients[name]
		if cl.existing {
			res.Notes = append(res.Notes, fmt.Sprintf("one-to-one: probed from host %q, the one host its NAT maps", cl.host))
		}
		p := &prober{
			net:    w.Net(cl.host),
			ip:     cl.ip,
			server: servers[pl.siteOf[name]].Primary(),
			retry:  retry{rto: opts.RTO, tries: opts.Tries},
			opts:   opts,
			log:    log,
			res:    &res,
		}
		if err := p.run(ctx); err != nil {
			return nil, fmt.Errorf("natprobe: network %q: %w", name, err)
		}
		out[name] = res
	}
	return out, nil
}

// targetsOf returns the networks to probe, sorted.
func targetsOf(s *scenarios.Scenario, only []string) ([]string, error) {
	if only == nil {
		return slices.Sorted(maps.Keys(s.Networks)), nil
	}
	var out []string
	for _, name := range only {
		if s.Networks[name] == nil {
			return nil, fmt.Errorf("natprobe: scenario %q has no network %q", s.Name, name)
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// depth is how many NATs separate network from the internet.
func depth(s *scenarios.Scenario, network string) int {
	d := 0
	for cur := network; cur != "" && cur != scenarios.Internet && d <= len(s.Networks); d++ {
		n := s.Networks[cur]
		if n == nil {
			break
		}
		cur = n.Parent
	}
	return d
}
