package vnet

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/icelab/icelab/scenarios"
)

// pcap constants (https://www.tcpdump.org/manpages/pcap-savefile.5.html).
const (
	pcapMagic       = 0xa1b2c3d4 // microsecond timestamps
	pcapVersionMaj  = 2
	pcapVersionMin  = 4
	pcapSnapLen     = 65535
	linkTypeRaw     = 101 // LINKTYPE_RAW: each packet starts with an IPv4/IPv6 header
	ipv4HeaderLen   = 20
	udpHeaderLen    = 8
	maxUDPPayload   = 65535 - ipv4HeaderLen - udpHeaderLen
	ipProtoUDP      = 17
	ipv4DefaultTTL  = 64
	ipv4DontFragmnt = 0x4000
)

// ErrNoCapture is returned by WritePCAP when the world was built without
// Options.Capture.
var ErrNoCapture = errors.New("vnet: capture is off (Options.Capture)")

// WritePCAP writes the datagrams recorded at one router ("internet" or a
// network name; "" for every router, which repeats a datagram once per router
// it crossed) as a classic pcap file with LINKTYPE_RAW: each record is a
// synthesised IPv4 header (correct checksum, DF set, TTL 64, identification
// counting up) and UDP header (correct checksum) around the payload, stamped
// with the (virtual) time the router handled it. Wireshark opens it and
// decodes STUN/TURN, DTLS and so on by port and heuristics.
//
// Like tcpdump on a router's interface, the file contains what reached the
// router, including datagrams the router then dropped (their reason is in
// Packets, not in the file).
func (w *World) WritePCAP(wr io.Writer, router string) error {
	if !w.rec.capture {
		return ErrNoCapture
	}
	if router != "" && router != scenarios.Internet && w.networks[router] == nil {
		return fmt.Errorf("vnet: pcap: unknown router %q", router)
	}
	bw := bufio.NewWriter(wr)
	var hdr [24]byte
	binary.LittleEndian.PutUint32(hdr[0:], pcapMagic)
	binary.LittleEndian.PutUint16(hdr[4:], pcapVersionMaj)
	binary.LittleEndian.PutUint16(hdr[6:], pcapVersionMin)
	// thiszone and sigfigs stay 0.
	binary.LittleEndian.PutUint32(hdr[16:], pcapSnapLen)
	binary.LittleEndian.PutUint32(hdr[20:], linkTypeRaw)
	if _, err := bw.Write(hdr[:]); err != nil {
		return fmt.Errorf("vnet: pcap: %w", err)
	}
	var id uint16
	buf := make([]byte, 0, 2048)
	for _, p := range w.rec.snapshot() {
		if router != "" && p.Router != router {
			continue
		}
		if len(p.Payload) > maxUDPPayload {
			return fmt.Errorf("vnet: pcap: %d-byte payload %s -> %s does not fit in one IPv4 datagram", len(p.Payload), p.Src, p.Dst)
		}
		id++
		buf = appendIPv4UDP(buf[:0], p.Src, p.Dst, id, p.Payload)
		var rec [16]byte
		us := p.At.UnixMicro()
		binary.LittleEndian.PutUint32(rec[0:], uint32(us/1e6))    //nolint:gosec // pcap seconds are 32-bit
		binary.LittleEndian.PutUint32(rec[4:], uint32(us%1e6))    //nolint:gosec // < 1e6
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(buf)))  //nolint:gosec // <= 65535
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(buf))) //nolint:gosec // <= 65535
		if _, err := bw.Write(rec[:]); err != nil {
			return fmt.Errorf("vnet: pcap: %w", err)
		}
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("vnet: pcap: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("vnet: pcap: %w", err)
	}
	return nil
}

// appendIPv4UDP appends an IPv4 header, a UDP header and the payload.
func appendIPv4UDP(b []byte, src, dst netip.AddrPort, id uint16, payload []byte) []byte {
	total := ipv4HeaderLen + udpHeaderLen + len(payload)
	s4, d4 := src.Addr().As4(), dst.Addr().As4()

	ip := make([]byte, ipv4HeaderLen)
	ip[0] = 0x45                                      // version 4, IHL 5 words
	binary.BigEndian.PutUint16(ip[2:], uint16(total)) //nolint:gosec // checked by the caller
	binary.BigEndian.PutUint16(ip[4:], id)
	binary.BigEndian.PutUint16(ip[6:], ipv4DontFragmnt)
	ip[8] = ipv4DefaultTTL
	ip[9] = ipProtoUDP
	copy(ip[12:16], s4[:])
	copy(ip[16:20], d4[:])
	binary.BigEndian.PutUint16(ip[10:], ^onesSum(0, ip))

	udpLen := uint16(udpHeaderLen + len(payload)) //nolint:gosec // checked by the caller
	udp := make([]byte, udpHeaderLen)
	binary.BigEndian.PutUint16(udp[0:], src.Port())
	binary.BigEndian.PutUint16(udp[2:], dst.Port())
	binary.BigEndian.PutUint16(udp[4:], udpLen)
	// Checksum over the pseudo-header, the UDP header and the payload.
	var pseudo [12]byte
	copy(pseudo[0:4], s4[:])
	copy(pseudo[4:8], d4[:])
	pseudo[9] = ipProtoUDP
	binary.BigEndian.PutUint16(pseudo[10:], udpLen)
	sum := onesSum(onesSum(onesSum(0, pseudo[:]), udp), payload)
	cs := ^sum
	if cs == 0 {
		cs = 0xffff // 0 means "no checksum" in UDP over IPv4
	}
	binary.BigEndian.PutUint16(udp[6:], cs)

	b = append(b, ip...)
	b = append(b, udp...)
	return append(b, payload...)
}

// onesSum adds b to the running one's-complement sum (RFC 1071). b is
// summed as if it started on an even offset; an odd tail is padded with zero.
func onesSum(sum uint16, b []byte) uint16 {
	s := uint32(sum)
	for len(b) >= 2 {
		s += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s) //nolint:gosec // folded to 16 bits above
}
