package vnet

import (
	"net"
	"strconv"
	"testing"
)

// TestSeededPorts: sockets bound to port 0 get the same ports for the same
// seed, other ports for another seed, and a port in use is skipped.
func TestSeededPorts(t *testing.T) {
	ports := func(seed int64, taken int) []int {
		w := start(t, lanWorld(lanNet(cone("endpoint-independent", "endpoint-independent"))), Options{Seed: seed})
		st := w.Stack("c")
		var got []int
		if taken != 0 {
			c, err := w.Net("c").ListenPacket("udp4", net.JoinHostPort("192.168.1.10", itoa(taken)))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
		}
		for range 3 {
			c, err := st.ListenPacket("udp4", "192.168.1.10:0")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			got = append(got, c.LocalAddr().(*net.UDPAddr).Port)
		}
		u, err := st.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP("192.168.1.10")})
		if err != nil {
			t.Fatal(err)
		}
		defer u.Close()
		return append(got, u.LocalAddr().(*net.UDPAddr).Port)
	}
	a, b, c := ports(1, 0), ports(1, 0), ports(2, 0)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed: %v vs %v", a, b)
		}
		if a[i] < ephemeralMin || a[i] > ephemeralMax {
			t.Fatalf("port %d outside %d-%d", a[i], ephemeralMin, ephemeralMax)
		}
	}
	if a[0] == c[0] {
		t.Fatalf("seeds 1 and 2 both start at %d", a[0])
	}
	// With the first seeded port taken, the stack moves on to the next.
	d := ports(1, a[0])
	if d[0] == a[0] || d[0] != a[1] {
		t.Fatalf("with %d in use got %v, want to start at %d", a[0], d, a[1])
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
