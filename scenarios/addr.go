package scenarios

import (
	"encoding/binary"
	"net/netip"
)

// internetSubnet is the address space of the internet root network.
var internetSubnet = netip.MustParsePrefix("0.0.0.0/0")

// autoInternet is where hosts on the internet without an ip get one
// (TEST-NET-3, RFC 5737: never a real address).
var autoInternet = netip.MustParsePrefix("203.0.113.0/24")

// reservedRanges are IPv4 ranges no host, router or subnet may use.
var reservedRanges = []struct {
	p    netip.Prefix
	what string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "0.0.0.0/8 (this network)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "127.0.0.0/8 (loopback)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "224.0.0.0/4 (multicast)"},
	{netip.MustParsePrefix("240.0.0.0/4"), "240.0.0.0/4 (reserved, broadcast)"},
}

// reservedAddr names the reserved range a lies in, or returns "".
func reservedAddr(a netip.Addr) string {
	for _, r := range reservedRanges {
		if r.p.Contains(a) {
			return r.what
		}
	}
	return ""
}

// reservedOverlap names a reserved range p overlaps, or returns "".
func reservedOverlap(p netip.Prefix) string {
	for _, r := range reservedRanges {
		if r.p.Overlaps(p) {
			return r.what
		}
	}
	return ""
}

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func addrOf(v uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

// bounds returns the network and broadcast addresses of IPv4 prefix p.
func bounds(p netip.Prefix) (first, last uint32) {
	first = u32(p.Masked().Addr())
	size := uint64(1) << (32 - p.Bits())
	return first, uint32(uint64(first) + size - 1)
}

// edge says whether a is the network or broadcast address of p ("" if neither).
func edge(p netip.Prefix, a netip.Addr) string {
	first, last := bounds(p)
	switch u32(a) {
	case first:
		return "network"
	case last:
		return "broadcast"
	}
	return ""
}

// firstFree returns the lowest address of p from start upward (wrapping to
// the first host address) that is not taken and not the network or
// broadcast address.
func firstFree(p netip.Prefix, start uint32, taken func(netip.Addr) bool) (netip.Addr, bool) {
	first, last := bounds(p)
	if start <= first || start >= last {
		start = first + 1
	}
	for _, r := range [][2]uint32{{start, last - 1}, {first + 1, start - 1}} {
		for v := r[0]; v <= r[1] && v >= first+1 && v < last; v++ {
			if a := addrOf(v); !taken(a) {
				return a, true
			}
			if v == r[1] {
				break
			}
		}
	}
	return netip.Addr{}, false
}
