package peer

import (
	"fmt"
	"strings"

	"github.com/pion/webrtc/v4"
)

// filterServers keeps the URLs that can yield a wanted candidate type:
// stun:/stuns: only when srflx is wanted, turn:/turns: only when relay is.
// Servers left without URLs are dropped (pion rejects URL-less servers).
// Note that pion also asks turn: servers for a srflx address; those srflx
// candidates are filtered out of signalling by candidateSet.signals.
func filterServers(servers []webrtc.ICEServer, want candidateSet) ([]webrtc.ICEServer, error) {
	var out []webrtc.ICEServer
	for _, s := range servers {
		var urls []string
		for _, u := range s.URLs {
			scheme, _, ok := strings.Cut(u, ":")
			if !ok {
				return nil, fmt.Errorf("ice server url %q: no scheme", u)
			}
			switch strings.ToLower(scheme) {
			case "stun", "stuns":
				if want.srflx {
					urls = append(urls, u)
				}
			case "turn", "turns":
				if want.relay {
					urls = append(urls, u)
				}
			default:
				return nil, fmt.Errorf("ice server url %q: unknown scheme %q", u, scheme)
			}
		}
		if len(urls) > 0 {
			s.URLs = urls
			out = append(out, s)
		}
	}
	return out, nil
}

// transportPolicy maps the configured policy and candidate set onto the only
// gathering switch pion has: relay policy gathers relay only, no-host gathers
// srflx and relay, all gathers everything.
func transportPolicy(p webrtc.ICETransportPolicy, want candidateSet) (webrtc.ICETransportPolicy, error) {
	switch p {
	case webrtc.ICETransportPolicyRelay:
		return p, nil
	case webrtc.ICETransportPolicyAll, webrtc.ICETransportPolicyNoHost:
		if !want.host {
			return webrtc.ICETransportPolicyNoHost, nil
		}
		return p, nil
	}
	return p, fmt.Errorf("unknown ice transport policy %d", p)
}
