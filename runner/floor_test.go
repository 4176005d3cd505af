package runner

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/transport/v3/vnet"
	"github.com/pion/turn/v4"
	"github.com/pion/webrtc/v4"
)

// floorCall is the floor benchmark: a minimal hand-written pion program that
// places the same call as scenarios/basics/home-to-office.yaml (two
// port-restricted-cone NATs, a STUN server on the internet, a data channel
// echoing 10 x 1200 bytes) with nothing of icelab in between. It measures
// what the pinned stack itself costs, so icelab's overhead can be read side
// by side with BenchmarkCase*.
func floorCall(ctx context.Context) error {
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelDisabled
	wan, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "0.0.0.0/0", LoggerFactory: lf})
	if err != nil {
		return err
	}
	lan := func(cidr, public, hostIP string) (*vnet.Net, error) {
		r, err := vnet.NewRouter(&vnet.RouterConfig{
			CIDR: cidr, StaticIPs: []string{public}, LoggerFactory: lf,
			NATType: &vnet.NATType{MappingBehavior: vnet.EndpointIndependent, FilteringBehavior: vnet.EndpointAddrPortDependent},
		})
		if err != nil {
			return nil, err
		}
		n, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{hostIP}})
		if err != nil {
			return nil, err
		}
		if err := r.AddNet(n); err != nil {
			return nil, err
		}
		return n, wan.AddRouter(r)
	}
	homeNet, err := lan("192.168.1.0/24", "81.2.3.4", "192.168.1.20")
	if err != nil {
		return err
	}
	officeNet, err := lan("10.1.0.0/24", "82.5.6.7", "10.1.0.30")
	if err != nil {
		return err
	}
	stunNet, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{"198.51.100.2"}})
	if err != nil {
		return err
	}
	if err := wan.AddNet(stunNet); err != nil {
		return err
	}
	if err := wan.Start(); err != nil {
		return err
	}
	defer func() { _ = wan.Stop() }()

	conn, err := stunNet.ListenPacket("udp4", "198.51.100.2:3478")
	if err != nil {
		return err
	}
	srv, err := turn.NewServer(turn.ServerConfig{
		LoggerFactory:     lf,
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: conn}},
	})
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()

	newPC := func(n *vnet.Net) (*webrtc.PeerConnection, error) {
		se := webrtc.SettingEngine{LoggerFactory: lf}
		se.SetNet(n)
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		se.SetICETimeouts(2*time.Second, 5*time.Second, 500*time.Millisecond)
		api := webrtc.NewAPI(webrtc.WithSettingEngine(se))
		return api.NewPeerConnection(webrtc.Configuration{ICEServers: []webrtc.ICEServer{{URLs: []string{"stun:198.51.100.2:3478"}}}})
	}
	off, err := newPC(homeNet)
	if err != nil {
		return err
	}
	defer func() { _ = off.Close() }()
	ans, err := newPC(officeNet)
	if err != nil {
		return err
	}
	defer func() { _ = ans.Close() }()

	// Trickle: a candidate may only be added once the far side has the
	// remote description, so each side's candidates wait in a queue until
	// then, as any real signalling channel must arrange.
	offQ, ansQ := newTrickle(ans), newTrickle(off)
	off.OnICECandidate(offQ.add)
	ans.OnICECandidate(ansQ.add)
	ans.OnDataChannel(func(dc *webrtc.DataChannel) {
		dc.OnMessage(func(m webrtc.DataChannelMessage) { _ = dc.Send(m.Data) })
	})
	dc, err := off.CreateDataChannel("probe", nil)
	if err != nil {
		return err
	}
	echoed := make(chan struct{}, 10)
	dc.OnMessage(func(webrtc.DataChannelMessage) { echoed <- struct{}{} })
	open := make(chan struct{})
	dc.OnOpen(func() { close(open) })

	offer, err := off.CreateOffer(nil)
	if err != nil {
		return err
	}
	if err := off.SetLocalDescription(offer); err != nil {
		return err
	}
	if err := ans.SetRemoteDescription(offer); err != nil {
		return err
	}
	offQ.ready()
	answer, err := ans.CreateAnswer(nil)
	if err != nil {
		return err
	}
	if err := ans.SetLocalDescription(answer); err != nil {
		return err
	}
	if err := off.SetRemoteDescription(answer); err != nil {
		return err
	}
	ansQ.ready()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	select {
	case <-open:
	case <-ctx.Done():
		return errors.New("floor: not connected")
	}
	msg := make([]byte, 1200)
	for range 10 {
		if err := dc.Send(msg); err != nil {
			return err
		}
	}
	for range 10 {
		select {
		case <-echoed:
		case <-ctx.Done():
			return errors.New("floor: echo missing")
		}
	}
	return nil
}

// TestFloorConnects keeps the floor honest: it must really place the call.
func TestFloorConnects(t *testing.T) {
	fn := func(t *testing.T) {
		if err := floorCall(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	synctest.Test(t, fn)
}

// trickle forwards candidates to a peer connection, holding them until its
// remote description is set.
type trickle struct {
	mu      sync.Mutex
	to      *webrtc.PeerConnection
	pending []webrtc.ICECandidateInit
	open    bool
}

func newTrickle(to *webrtc.PeerConnection) *trickle { return &trickle{to: to} }

func (q *trickle) add(c *webrtc.ICECandidate) {
	if c == nil {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.open {
		q.pending = append(q.pending, c.ToJSON())
		return
	}
	_ = q.to.AddICECandidate(c.ToJSON())
}

func (q *trickle) ready() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.open = true
	for _, c := range q.pending {
		_ = q.to.AddICECandidate(c)
	}
	q.pending = nil
}
