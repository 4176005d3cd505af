package natprobe

import (
	"encoding/binary"
	"fmt"

	"github.com/pion/stun/v3"
)

// pion/stun v3 knows the RFC 5780 attribute numbers and has codecs for
// OTHER-ADDRESS and RESPONSE-ORIGIN, but none for CHANGE-REQUEST and
// RESPONSE-PORT: those two are here.

// CHANGE-REQUEST flag bits (RFC 5780 section 7.2).
const (
	changeIPFlag   = 0x04
	changePortFlag = 0x02
)

// ChangeRequest is the CHANGE-REQUEST attribute (RFC 5780 section 7.2): the
// client asks the server to send the response from its other IP address,
// its other port, or both.
type ChangeRequest struct {
	IP   bool
	Port bool
}

// AddTo adds CHANGE-REQUEST to m.
func (c ChangeRequest) AddTo(m *stun.Message) error {
	var v uint32
	if c.IP {
		v |= changeIPFlag
	}
	if c.Port {
		v |= changePortFlag
	}
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, v)
	m.Add(stun.AttrChangeRequest, b)
	return nil
}

// GetFrom decodes CHANGE-REQUEST from m. A message without one decodes as
// the zero ChangeRequest and stun.ErrAttributeNotFound.
func (c *ChangeRequest) GetFrom(m *stun.Message) error {
	*c = ChangeRequest{}
	b, err := m.Get(stun.AttrChangeRequest)
	if err != nil {
		return err
	}
	if len(b) != 4 {
		return fmt.Errorf("CHANGE-REQUEST: %d bytes, want 4", len(b))
	}
	v := binary.BigEndian.Uint32(b)
	c.IP = v&changeIPFlag != 0
	c.Port = v&changePortFlag != 0
	return nil
}

// ResponsePort is the RESPONSE-PORT attribute (RFC 5780 section 7.5): the
// server sends the response to this port at the request's source IP instead
// of to the source port. The binding lifetime test uses it to reach one
// mapping from the server without sending on it.
type ResponsePort uint16

// AddTo adds RESPONSE-PORT to m: the port and two bytes of padding.
func (p ResponsePort) AddTo(m *stun.Message) error {
	b := make([]byte, 4)
	binary.BigEndian.PutUint16(b, uint16(p))
	m.Add(stun.AttrResponsePort, b)
	return nil
}

// GetFrom decodes RESPONSE-PORT from m.
func (p *ResponsePort) GetFrom(m *stun.Message) error {
	*p = 0
	b, err := m.Get(stun.AttrResponsePort)
	if err != nil {
		return err
	}
	// The value is a 16-bit port; the padding to 4 bytes is not part of
	// the attribute length, but some encoders count it.
	if len(b) != 2 && len(b) != 4 {
		return fmt.Errorf("RESPONSE-PORT: %d bytes, want 2", len(b))
	}
	*p = ResponsePort(binary.BigEndian.Uint16(b))
	return nil
}
