package relay

import (
	"encoding/binary"
	"net"
	"sync"

	"github.com/pion/stun/v3"
)

// listenConn is the server's listening socket as pion/turn sees it. It
// tells the Server when pion's read loop has ended (its ReadFrom failed) and
// logs every STUN error response the server sends: pion answers some
// refusals without logging anything (a STUN-only server's 400 to Allocate,
// a quota 486), and the response code is what a client sees.
type listenConn struct {
	net.PacketConn
	onErrorResponse func(msg *stun.Message, to net.Addr)

	readDone     chan struct{}
	readDoneOnce sync.Once
}

func newListenConn(c net.PacketConn, onErrorResponse func(*stun.Message, net.Addr)) *listenConn {
	return &listenConn{PacketConn: c, onErrorResponse: onErrorResponse, readDone: make(chan struct{})}
}

func (c *listenConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, addr, err := c.PacketConn.ReadFrom(p)
	if err != nil {
		// pion's read loop returns on any read error, then closes its
		// allocations.
		c.readDoneOnce.Do(func() { close(c.readDone) })
	}
	return n, addr, err
}

func (c *listenConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if isSTUNErrorResponse(p) {
		msg := &stun.Message{Raw: append([]byte(nil), p...)}
		if msg.Decode() == nil {
			c.onErrorResponse(msg, addr)
		}
	}
	return c.PacketConn.WriteTo(p, addr)
}

// isSTUNErrorResponse is a cheap test run on every datagram the server
// sends (relayed media included) before anything is decoded.
func isSTUNErrorResponse(p []byte) bool {
	const classMask = 0x0110 // C1 and C0 bits of the message type
	if !stun.IsMessage(p) || p[0]&0xC0 != 0 {
		return false
	}
	return binary.BigEndian.Uint16(p[0:2])&classMask == classMask
}
