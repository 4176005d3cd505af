package relay

import (
	"net"
	"net/netip"

	"github.com/pion/logging"
	"github.com/pion/turn/v4"
)

// denyPeers returns a pion PermissionHandler refusing CreatePermission and
// ChannelBind to peers inside any of the prefixes, or nil (pion's default:
// allow every peer) when there are none. IPv4-mapped IPv6 peers are unmapped
// first, so ::ffff:127.0.0.1 cannot slip past 127.0.0.0/8.
func denyPeers(prefixes []netip.Prefix, log logging.LeveledLogger) turn.PermissionHandler {
	if len(prefixes) == 0 {
		return nil
	}
	return func(client net.Addr, peerIP net.IP) bool {
		ip, ok := netip.AddrFromSlice(peerIP)
		if !ok {
			log.Infof("permission denied for client %s to peer %v (unparsable address)", client, peerIP)
			return false
		}
		ip = ip.Unmap()
		for _, p := range prefixes {
			if p.Contains(ip) {
				log.Infof("permission denied for client %s to peer %s (deny-peers %s)", client, ip, p)
				return false
			}
		}
		return true
	}
}
