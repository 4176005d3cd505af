package natprobe

import (
	"errors"
	"testing"

	"github.com/pion/stun/v3"
)

func TestChangeRequestRoundTrip(t *testing.T) {
	tests := []struct {
		cr   ChangeRequest
		wire byte // last byte of the value
	}{
		{ChangeRequest{}, 0x00},
		{ChangeRequest{Port: true}, 0x02},
		{ChangeRequest{IP: true}, 0x04},
		{ChangeRequest{IP: true, Port: true}, 0x06},
	}
	for _, tt := range tests {
		m, err := stun.Build(stun.TransactionID, stun.BindingRequest, tt.cr)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := m.Get(stun.AttrChangeRequest)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) != 4 || raw[3] != tt.wire || raw[0]|raw[1]|raw[2] != 0 {
			t.Errorf("%+v encodes as % x, want 00 00 00 %02x", tt.cr, raw, tt.wire)
		}
		decoded := &stun.Message{Raw: append([]byte(nil), m.Raw...)}
		if err := decoded.Decode(); err != nil {
			t.Fatal(err)
		}
		got := ChangeRequest{IP: !tt.cr.IP, Port: !tt.cr.Port} // must be overwritten
		if err := got.GetFrom(decoded); err != nil {
			t.Fatal(err)
		}
		if got != tt.cr {
			t.Errorf("decoded %+v, want %+v", got, tt.cr)
		}
	}
}

func TestChangeRequestErrors(t *testing.T) {
	m := stun.MustBuild(stun.TransactionID, stun.BindingRequest)
	var cr ChangeRequest
	if err := cr.GetFrom(m); !errors.Is(err, stun.ErrAttributeNotFound) {
		t.Errorf("missing attribute: got %v, want ErrAttributeNotFound", err)
	}
	m.Add(stun.AttrChangeRequest, []byte{0, 6})
	if err := cr.GetFrom(m); err == nil {
		t.Error("a 2-byte CHANGE-REQUEST decoded without error")
	}
}

func TestResponsePortRoundTrip(t *testing.T) {
	for _, port := range []ResponsePort{1, 3478, 49152, 65535} {
		m, err := stun.Build(stun.TransactionID, stun.BindingRequest, port)
		if err != nil {
			t.Fatal(err)
		}
		decoded := &stun.Message{Raw: append([]byte(nil), m.Raw...)}
		if err := decoded.Decode(); err != nil {
			t.Fatal(err)
		}
		var got ResponsePort
		if err := got.GetFrom(decoded); err != nil {
			t.Fatal(err)
		}
		if got != port {
			t.Errorf("decoded %d, want %d", got, port)
		}
	}
	m := stun.MustBuild(stun.TransactionID, stun.BindingRequest)
	var p ResponsePort = 7
	if err := p.GetFrom(m); !errors.Is(err, stun.ErrAttributeNotFound) || p != 0 {
		t.Errorf("missing attribute: got %d, %v", p, err)
	}
	m.Add(stun.AttrResponsePort, []byte{1, 2, 3})
	if err := p.GetFrom(m); err == nil {
		t.Error("a 3-byte RESPONSE-PORT decoded without error")
	}
}
