package peer

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
)

// hider emulates browser mDNS host-candidate obfuscation in signalling: every
// host address is replaced by a random "<uuid>.local" name (one name per
// address, stable for the call), and the related address of every other
// candidate becomes "0.0.0.0 rport 0" so no LAN address leaks through
// srflx/relay candidates either. The far side, with mDNS disabled as on
// vnet, cannot resolve the names; pion ignores such candidates (ice
// Agent.AddRemoteCandidate logs "Remote mDNS candidate added, but mDNS is
// disabled" and returns nil), so it must learn the peer as peer-reflexive
// from inbound checks. A nil *hider leaves candidates untouched.
type hider struct {
	mu    sync.Mutex
	rng   *rand.Rand
	names map[string]string // address → name
}

func newHider(seed uint64) *hider {
	return &hider{rng: rand.New(rand.NewPCG(seed, 0x6d646e73)), names: map[string]string{}} //nolint:gosec // names need uniqueness, not secrecy
}

// name returns the .local name standing for addr.
func (h *hider) name(addr string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n, ok := h.names[addr]; ok {
		return n
	}
	n := uuidV4(h.rng) + ".local"
	h.names[addr] = n
	return n
}

// candidate rewrites one candidate attribute value (keeping a "candidate:"
// prefix if present). Malformed values are returned unchanged: the far side
// will reject them itself.
func (h *hider) candidate(s string) string {
	if h == nil {
		return s
	}
	prefix := ""
	if strings.HasPrefix(s, "candidate:") {
		prefix = "candidate:"
	}
	f, ok := candidateFields(s)
	if !ok {
		return s
	}
	if f[7] == TypeHost {
		if !strings.HasSuffix(f[4], ".local") {
			f[4] = h.name(f[4])
		}
	} else {
		for i := 8; i+1 < len(f); i += 2 {
			switch f[i] {
			case "raddr":
				f[i+1] = "0.0.0.0"
			case "rport":
				f[i+1] = "0"
			}
		}
	}
	return prefix + strings.Join(f, " ")
}

// uuidV4 formats 16 random bytes as an RFC 4122 version 4 UUID, the form
// Chrome and Safari use for their mDNS candidate names.
func uuidV4(r *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
