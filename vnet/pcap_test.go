package vnet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/icelab/icelab/scenarios"
	"github.com/pion/stun/v3"
)

// pcapRecord is one record parsed back from a pcap file.
type pcapRecord struct {
	at       time.Time
	src, dst netip.AddrPort
	payload  []byte
}

// checksum16 is an independent RFC 1071 sum used to verify the file.
func checksum16(chunks ...[]byte) uint16 {
	var all []byte
	for _, c := range chunks {
		all = append(all, c...)
	}
	if len(all)%2 == 1 {
		all = append(all, 0)
	}
	var s uint64
	for i := 0; i < len(all); i += 2 {
		s += uint64(all[i])<<8 | uint64(all[i+1])
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

// parsePCAP checks the file's structure strictly and returns its records.
func parsePCAP(t *testing.T, b []byte) []pcapRecord {
	t.Helper()
	if len(b) < 24 {
		t.Fatalf("pcap too short: %d bytes", len(b))
	}
	le := binary.LittleEndian
	if m := le.Uint32(b[0:]); m != 0xa1b2c3d4 {
		t.Fatalf("magic %#x", m)
	}
	if maj, minor := le.Uint16(b[4:]), le.Uint16(b[6:]); maj != 2 || minor != 4 {
		t.Fatalf("version %d.%d", maj, minor)
	}
	if lt := le.Uint32(b[20:]); lt != 101 {
		t.Fatalf("linktype %d, want 101 (LINKTYPE_RAW)", lt)
	}
	snap := le.Uint32(b[16:])
	var out []pcapRecord
	for rest := b[24:]; len(rest) > 0; {
		if len(rest) < 16 {
			t.Fatalf("truncated record header")
		}
		sec, usec, incl, orig := le.Uint32(rest[0:]), le.Uint32(rest[4:]), le.Uint32(rest[8:]), le.Uint32(rest[12:])
		if incl != orig || incl > snap || usec >= 1e6 || int(incl) > len(rest)-16 {
			t.Fatalf("bad record header incl=%d orig=%d usec=%d", incl, orig, usec)
		}
		pkt := rest[16 : 16+incl]
		rest = rest[16+incl:]

		be := binary.BigEndian
		if pkt[0] != 0x45 || pkt[9] != 17 || int(be.Uint16(pkt[2:])) != len(pkt) {
			t.Fatalf("bad IPv4 header % x", pkt[:20])
		}
		if checksum16(pkt[:20]) != 0xffff {
			t.Fatalf("bad IPv4 header checksum % x", pkt[:20])
		}
		udp := pkt[20:]
		if int(be.Uint16(udp[4:])) != len(udp) {
			t.Fatalf("UDP length %d, have %d bytes", be.Uint16(udp[4:]), len(udp))
		}
		pseudo := append(append(append([]byte{}, pkt[12:20]...), 0, 17), udp[4:6]...)
		if checksum16(pseudo, udp) != 0xffff {
			t.Fatalf("bad UDP checksum")
		}
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte(pkt[12:16])), be.Uint16(udp[0:]))
		dst := netip.AddrPortFrom(netip.AddrFrom4([4]byte(pkt[16:20])), be.Uint16(udp[2:]))
		out = append(out, pcapRecord{
			at:  time.Unix(int64(sec), int64(usec)*1000),
			src: src, dst: dst, payload: udp[8:],
		})
	}
	return out
}

func TestCaptureAndPCAP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := lanNet(cone(ei, apd))
		n.Firewall = []scenarios.FirewallRule{{Action: scenarios.ActionDrop, Direction: scenarios.DirectionOutbound, Peer: prefix(s2 + "/32")}}
		w := start(t, lanWorld(n), Options{Capture: true})
		serveEcho(t, w, "s1", 3478)
		c := listen(t, w, "c", 4000)

		// A real STUN binding request, so the file shows STUN in Wireshark.
		req := stun.MustBuild(stun.TransactionID, stun.BindingRequest)
		time.Sleep(1500 * time.Microsecond) // make timestamps non-trivial
		send(t, c, ap(s1+":3478"), string(req.Raw))
		send(t, c, ap(s2+":3478"), "blocked")
		if _, _, ok := recv(t, c, time.Second); !ok {
			t.Fatal("no answer from s1")
		}

		pkts := w.Packets()
		var inet []Packet
		var firewalled int
		for _, p := range pkts {
			if p.Router == scenarios.Internet {
				inet = append(inet, p)
			}
			if p.Dropped == DropFirewall && p.Router == "lan" && p.Dst == ap(s2+":3478") && string(p.Payload) == "blocked" {
				firewalled++
			}
		}
		if firewalled != 1 {
			t.Fatalf("want one firewall drop recorded at lan, packets: %+v", pkts)
		}
		if len(inet) != 2 { // request out, answer back
			t.Fatalf("internet saw %d datagrams, want 2: %+v", len(inet), inet)
		}

		var buf bytes.Buffer
		if err := w.WritePCAP(&buf, scenarios.Internet); err != nil {
			t.Fatal(err)
		}
		recs := parsePCAP(t, buf.Bytes())
		if len(recs) != len(inet) {
			t.Fatalf("pcap has %d records, want %d", len(recs), len(inet))
		}
		for i, r := range recs {
			p := inet[i]
			if r.src != p.Src || r.dst != p.Dst || !bytes.Equal(r.payload, p.Payload) || !r.at.Equal(p.At.Truncate(time.Microsecond)) {
				t.Fatalf("record %d = %s -> %s at %s, packet %s -> %s at %s", i, r.src, r.dst, r.at, p.Src, p.Dst, p.At)
			}
		}
		if recs[0].src.Addr() != ip(natPub) || recs[0].dst != ap(s1+":3478") || !stun.IsMessage(recs[0].payload) {
			t.Fatalf("first record %s -> %s is not the STUN request from the NAT", recs[0].src, recs[0].dst)
		}

		// Every router: the lan capture includes the dropped datagram.
		buf.Reset()
		if err := w.WritePCAP(&buf, "lan"); err != nil {
			t.Fatal(err)
		}
		if got := len(parsePCAP(t, buf.Bytes())); got != 3 {
			t.Fatalf("lan pcap has %d records, want 3 (request, blocked, answer)", got)
		}
		buf.Reset()
		if err := w.WritePCAP(&buf, ""); err != nil {
			t.Fatal(err)
		}
		if got := len(parsePCAP(t, buf.Bytes())); got != len(pkts) {
			t.Fatalf("full pcap has %d records, want %d", got, len(pkts))
		}
		if err := w.WritePCAP(&buf, "nowhere"); err == nil {
			t.Fatal("WritePCAP accepted an unknown router")
		}
	})
}

func TestPCAPNeedsCapture(t *testing.T) {
	w, err := New(lanWorld(lanNet(cone(ei, ei))), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.WritePCAP(&bytes.Buffer{}, scenarios.Internet); !errors.Is(err, ErrNoCapture) {
		t.Fatalf("WritePCAP without capture: %v", err)
	}
	if got := w.Packets(); len(got) != 0 {
		t.Fatalf("Packets without capture: %v", got)
	}
}

// TestUDPChecksumOddPayload pins the checksum of an odd-length payload
// against the independent implementation.
func TestUDPChecksumOddPayload(t *testing.T) {
	for _, payload := range [][]byte{nil, {1}, {0xff, 0xff, 0xff}, bytes.Repeat([]byte{0xab}, 1201)} {
		b := appendIPv4UDP(nil, ap("10.0.0.1:1"), ap("10.0.0.2:65535"), 7, payload)
		udp := b[20:]
		pseudo := append(append(append([]byte{}, b[12:20]...), 0, 17), udp[4:6]...)
		if checksum16(pseudo, udp) != 0xffff || checksum16(b[:20]) != 0xffff {
			t.Fatalf("payload of %d bytes: bad checksum", len(payload))
		}
	}
}
