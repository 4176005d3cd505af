package relay

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/logging"
	pvnet "github.com/pion/transport/v3/vnet"
	"github.com/pion/turn/v4"
	"go.uber.org/goleak"

	"github.com/icelab/icelab/scenarios"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Addresses of the test world.
var (
	serverIP  = netip.MustParseAddr("1.2.3.4")     // relay host on the internet
	peerIP    = netip.MustParseAddr("6.6.6.6")     // a TURN peer on the internet
	natIP     = netip.MustParseAddr("27.1.1.1")    // public side of the client's NAT
	clientIP  = netip.MustParseAddr("192.168.0.2") // client behind that NAT
	cloudPub  = netip.MustParseAddr("203.0.113.5") // 1:1 NAT public address of a cloud relay host
	cloudPriv = netip.MustParseAddr("10.0.0.5")    // the cloud relay host's own address
)

func quietLogs() logging.LoggerFactory {
	f := logging.NewDefaultLoggerFactory()
	f.Writer = io.Discard
	return f
}

// world is a tiny vnet world: internet router, a client behind a
// port-restricted NAT, a peer on the internet and a relay host, either on the
// internet (serverIP) or, with cloud, behind a 1:1 NAT (cloudPriv, public
// cloudPub) like a cloud VM.
type world struct {
	wan    *pvnet.Router
	server *pvnet.Net
	client *pvnet.Net
	peer   *pvnet.Net
	// hostIP is the relay host's own address; public is where clients reach it.
	hostIP, public netip.Addr
}

func newWorld(t testing.TB, cloud bool) *world {
	t.Helper()
	lf := quietLogs()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	wan, err := pvnet.NewRouter(&pvnet.RouterConfig{CIDR: "0.0.0.0/0", LoggerFactory: lf})
	must(err)
	w := &world{wan: wan}

	lan, err := pvnet.NewRouter(&pvnet.RouterConfig{
		CIDR: "192.168.0.0/24", StaticIPs: []string{natIP.String()}, LoggerFactory: lf,
	})
	must(err)
	must(wan.AddRouter(lan))
	w.client, err = pvnet.NewNet(&pvnet.NetConfig{StaticIPs: []string{clientIP.String()}})
	must(err)
	must(lan.AddNet(w.client))

	w.peer, err = pvnet.NewNet(&pvnet.NetConfig{StaticIPs: []string{peerIP.String()}})
	must(err)
	must(wan.AddNet(w.peer))

	if cloud {
		vpc, err := pvnet.NewRouter(&pvnet.RouterConfig{
			CIDR:          "10.0.0.0/24",
			StaticIPs:     []string{cloudPub.String() + "/" + cloudPriv.String()},
			NATType:       &pvnet.NATType{Mode: pvnet.NATModeNAT1To1},
			LoggerFactory: lf,
		})
		must(err)
		must(wan.AddRouter(vpc))
		w.server, err = pvnet.NewNet(&pvnet.NetConfig{StaticIPs: []string{cloudPriv.String()}})
		must(err)
		must(vpc.AddNet(w.server))
		w.hostIP, w.public = cloudPriv, cloudPub
	} else {
		w.server, err = pvnet.NewNet(&pvnet.NetConfig{StaticIPs: []string{serverIP.String()}})
		must(err)
		must(wan.AddNet(w.server))
		w.hostIP, w.public = serverIP, serverIP
	}
	must(wan.Start())
	t.Cleanup(func() { must(wan.Stop()) })
	return w
}

// start runs a relay on the world's relay host and closes it at cleanup.
func (w *world) start(t testing.TB, cfg *scenarios.Relay, seed int64) *Server {
	t.Helper()
	s, err := Start("turn", cfg, Options{Net: w.server, HostIP: w.hostIP, LoggerFactory: quietLogs(), Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("relay log:\n%s", strings.Join(s.Log(), "\n"))
		}
	})
	return s
}

// relayCfg is a normalised relay configuration as the loader produces it.
func relayCfg(auth *scenarios.RelayAuth) *scenarios.Relay {
	return &scenarios.Relay{
		Name: "turn", Host: "turn", Port: 3478, Realm: "icelab", Auth: auth,
		RelayPorts: scenarios.PortRange{Min: 49152, Max: 65535},
	}
}

func users(kv ...string) *scenarios.RelayAuth {
	a := &scenarios.RelayAuth{Users: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		a.Users[kv[i]] = kv[i+1]
	}
	return a
}

// client is a pion TURN client on a vnet Net.
type client struct {
	*turn.Client
	conn net.PacketConn
}

// dial creates a listening TURN client on n towards the relay at
// public:3478; it is closed at cleanup.
func (w *world) dial(t testing.TB, n *pvnet.Net, user, pass string) *client {
	t.Helper()
	conn, err := n.ListenPacket("udp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.AddrPortFrom(w.public, 3478).String()
	c, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: addr, TURNServerAddr: addr, Username: user, Password: pass,
		Conn: conn, Net: n, LoggerFactory: quietLogs(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	cl := &client{Client: c, conn: conn}
	t.Cleanup(cl.close)
	return cl
}

func (c *client) close() {
	c.Client.Close()
	if err := c.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "already closed") {
		panic(err)
	}
}

// allocate allocates and registers the relay conn's Close (which sends
// Refresh lifetime 0) at cleanup, before the client closes.
func (c *client) allocate(t testing.TB) net.PacketConn {
	t.Helper()
	rc, err := c.Allocate()
	if err != nil {
		t.Fatalf("allocate: %v", err)
	}
	t.Cleanup(func() {
		// Let exchanges the client started in the background (a ChannelBind
		// after WriteTo) finish first: once the test body returns, virtual
		// time stops and a pending retransmission would never end.
		synctest.Wait()
		_ = rc.Close()
		synctest.Wait() // the deallocating Refresh is answered
	})
	return rc
}

func udpAddr(a netip.AddrPort) *net.UDPAddr { return net.UDPAddrFromAddrPort(a) }

func netAddrPort(t testing.TB, a net.Addr) netip.AddrPort {
	t.Helper()
	u, ok := a.(*net.UDPAddr)
	if !ok {
		t.Fatalf("%v is not a UDP address", a)
	}
	ap := u.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// logHas reports whether some line of the relay's log contains every one of subs.
func logHas(s *Server, subs ...string) bool {
	for _, l := range s.Log() {
		all := true
		for _, sub := range subs {
			if !strings.Contains(l, sub) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// deadline bounds blocking reads in virtual time so a lost packet fails the
// test instead of deadlocking the bubble.
func deadline() time.Time { return time.Now().Add(5 * time.Second) }
