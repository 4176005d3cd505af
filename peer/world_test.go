package peer

import (
	"flag"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/pion/logging"
	pvnet "github.com/pion/transport/v3/vnet"
	"github.com/pion/turn/v4"
	"github.com/pion/webrtc/v4"
)

var logFlag = flag.Bool("peer.log", false, "log pion and vnet output of the peer tests via t.Log")

// A hand-built world in the shape of pion/ice's connectivity_vnet_test.go
// buildVNet: a 0.0.0.0/0 WAN with a STUN/TURN server at 1.2.3.4, LAN A
// 192.168.0.0/24 behind 27.1.1.1 and LAN B 10.2.0.0/24 behind 28.1.1.1.
const (
	serverIP   = "1.2.3.4"
	serverPort = 3478
	publicA    = "27.1.1.1"
	publicB    = "28.1.1.1"
	hostA      = "192.168.0.10"
	hostB      = "10.2.0.10"
	hostA2     = "192.168.0.11" // B's address when both share LAN A
	turnUser   = "user"
	turnPass   = "pass"
)

var (
	stunServer = webrtc.ICEServer{URLs: []string{fmt.Sprintf("stun:%s:%d", serverIP, serverPort)}}
	turnServer = webrtc.ICEServer{
		URLs:       []string{fmt.Sprintf("turn:%s:%d?transport=udp", serverIP, serverPort)},
		Username:   turnUser,
		Credential: turnPass,
	}
)

type natKind int

const (
	portRestricted natKind = iota // EIM + address-and-port-dependent filtering
	symmetric                     // APDM + APDF
)

func (k natKind) natType() *pvnet.NATType {
	if k == symmetric {
		return &pvnet.NATType{
			MappingBehavior:   pvnet.EndpointAddrPortDependent,
			FilteringBehavior: pvnet.EndpointAddrPortDependent,
		}
	}
	return &pvnet.NATType{
		MappingBehavior:   pvnet.EndpointIndependent,
		FilteringBehavior: pvnet.EndpointAddrPortDependent,
	}
}

type worldSpec struct {
	sameLAN    bool // B sits on LAN A next to A
	natA, natB natKind
	// wanFilter, when set, sees every chunk the WAN routes; false drops it.
	wanFilter pvnet.ChunkFilter
}

// vnetBuildMu serialises world construction: vnet v3's NewNet and NewRouter
// bump an unsynchronised package-level MAC address counter
// (transport/v3 vnet/net.go:39-45), so building two worlds at once is a data
// race. Running worlds concurrently is fine.
var vnetBuildMu sync.Mutex

type world struct {
	wan  *pvnet.Router
	a, b *pvnet.Net
}

func loggerFactory(t testing.TB) logging.LoggerFactory {
	if !*logFlag {
		return quietLoggers()
	}
	f := logging.NewDefaultLoggerFactory()
	f.Writer = tbWriter{t}
	f.DefaultLogLevel = logging.LogLevelDebug
	f.ScopeLevels = map[string]logging.LogLevel{"vnet": logging.LogLevelError}
	return f
}

type tbWriter struct{ t testing.TB }

func (w tbWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// newWorld builds and starts the world and a STUN/TURN server on it; both are
// stopped by t.Cleanup, after the peers (registered later, cleaned earlier).
func newWorld(t testing.TB, spec worldSpec) *world {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	lf := loggerFactory(t)
	vnetBuildMu.Lock()
	defer vnetBuildMu.Unlock()
	wan, err := pvnet.NewRouter(&pvnet.RouterConfig{CIDR: "0.0.0.0/0", LoggerFactory: lf})
	must(err)
	if spec.wanFilter != nil {
		wan.AddChunkFilter(spec.wanFilter)
	}
	serverNet, err := pvnet.NewNet(&pvnet.NetConfig{StaticIPs: []string{serverIP}})
	must(err)
	must(wan.AddNet(serverNet))

	lan := func(cidr, public string, k natKind) *pvnet.Router {
		r, err := pvnet.NewRouter(&pvnet.RouterConfig{
			CIDR: cidr, StaticIPs: []string{public}, NATType: k.natType(), LoggerFactory: lf,
		})
		must(err)
		must(wan.AddRouter(r))
		return r
	}
	host := func(r *pvnet.Router, ip string) *pvnet.Net {
		n, err := pvnet.NewNet(&pvnet.NetConfig{StaticIPs: []string{ip}})
		must(err)
		must(r.AddNet(n))
		return n
	}
	w := &world{wan: wan}
	lanA := lan("192.168.0.0/24", publicA, spec.natA)
	w.a = host(lanA, hostA)
	if spec.sameLAN {
		w.b = host(lanA, hostA2)
	} else {
		w.b = host(lan("10.2.0.0/24", publicB, spec.natB), hostB)
	}
	must(wan.Start())

	conn, err := serverNet.ListenPacket("udp4", fmt.Sprintf("%s:%d", serverIP, serverPort))
	must(err)
	server, err := turn.NewServer(turn.ServerConfig{
		Realm:         "icelab",
		LoggerFactory: lf,
		AuthHandler: func(user, realm string, _ net.Addr) ([]byte, bool) {
			if user != turnUser {
				return nil, false
			}
			return turn.GenerateAuthKey(user, realm, turnPass), true
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn: conn,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{
				RelayAddress: net.ParseIP(serverIP),
				Address:      "0.0.0.0",
				Net:          serverNet,
			},
		}},
	})
	must(err)
	t.Cleanup(func() {
		if err := server.Close(); err != nil {
			t.Errorf("turn server close: %v", err)
		}
		if err := wan.Stop(); err != nil {
			t.Errorf("wan stop: %v", err)
		}
	})
	return w
}

// newTestPeer makes a peer closed by t.Cleanup.
func newTestPeer(t testing.TB, cfg Config) *Peer {
	t.Helper()
	if cfg.LoggerFactory == nil {
		cfg.LoggerFactory = loggerFactory(t)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("close %s: %v", cfg.Name, err)
		}
	})
	return p
}
