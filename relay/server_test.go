package relay

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/icelab/icelab/scenarios"
)

func TestAllocateLongTermAuth(t *testing.T) {
	tests := []struct {
		name       string
		user, pass string
		wantOK     bool
		// wantLog are substrings that must appear together in one log line.
		wantLog [][]string
	}{
		{
			name: "right password", user: "alice", pass: "secret", wantOK: true,
			wantLog: [][]string{{"INFO relay: allocation created", "client=27.1.1.1:", "relayed=1.2.3.4:", `user="alice"`}},
		},
		{
			name: "wrong password", user: "alice", pass: "guess",
			wantLog: [][]string{
				{"INFO relay: auth failed", `user="alice"`, "method=Allocate", "MESSAGE-INTEGRITY mismatch"},
				{"Allocate error response 400 Bad Request to 27.1.1.1:"},
			},
		},
		{
			name: "unknown user", user: "mallory", pass: "secret",
			wantLog: [][]string{
				{`INFO relay: auth failed user="mallory"`, "unknown user"},
				{"DEBUG turn: Failed to handle datagram", "Allocate-request", "no such user exists mallory"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorld(t, false)
				s := w.start(t, relayCfg(users("alice", "secret", "bob", "hunter2")), 1)
				c := w.dial(t, w.client, tt.user, tt.pass)

				rc, err := c.Allocate()
				if tt.wantOK {
					if err != nil {
						t.Fatalf("allocate: %v", err)
					}
					defer rc.Close()
				} else if err == nil {
					_ = rc.Close()
					t.Fatal("allocate succeeded, want refused")
				}

				wantCount := 0
				if tt.wantOK {
					wantCount = 1
				}
				if got := s.AllocationCount(); got != wantCount {
					t.Errorf("AllocationCount = %d, want %d", got, wantCount)
				}
				if got := len(s.Allocations()); got != wantCount {
					t.Errorf("len(Allocations) = %d, want %d", got, wantCount)
				}
				for _, subs := range tt.wantLog {
					if !logHas(s, subs...) {
						t.Errorf("log has no line with %q", subs)
					}
				}
			})
		})
	}
}

func TestAllocationRecord(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, false)
		s := w.start(t, relayCfg(users("alice", "secret")), 1)
		c := w.dial(t, w.client, "alice", "secret")
		start := s.Allocations()
		rc, err := c.Allocate()
		if err != nil {
			t.Fatal(err)
		}
		created := s.Allocations()
		if len(start) != 0 || len(created) != 1 {
			t.Fatalf("allocations before/after = %d/%d, want 0/1", len(start), len(created))
		}
		a := created[0]
		if a.Client.Addr() != natIP || a.Relayed != netAddrPort(t, rc.LocalAddr()) || a.Username != "alice" ||
			a.Created.IsZero() || !a.Deleted.IsZero() {
			t.Errorf("allocation = %+v, want client %v, relayed %v, user alice, alive", a, natIP, rc.LocalAddr())
		}

		// Closing the relay conn sends Refresh(lifetime 0): the server deletes it.
		if err := rc.Close(); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := s.AllocationCount(); n != 0 {
			t.Errorf("AllocationCount after deallocation = %d, want 0", n)
		}
		if d := s.Allocations()[0].Deleted; d.IsZero() {
			t.Error("Deleted is zero after deallocation")
		}
		if !logHas(s, "INFO relay: allocation deleted", `user="alice"`) {
			t.Error("log has no allocation deleted line")
		}
	})
}

func TestBindingReturnsReflexiveAddress(t *testing.T) {
	for _, stunOnly := range []bool{true, false} {
		name := map[bool]string{true: "stun-only", false: "turn"}[stunOnly]
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorld(t, false)
				cfg := relayCfg(users("alice", "secret"))
				if stunOnly {
					cfg.Auth = nil
				}
				w.start(t, cfg, 1)
				c := w.dial(t, w.client, "", "")
				refl, err := c.SendBindingRequest()
				if err != nil {
					t.Fatalf("binding: %v", err)
				}
				got := netAddrPort(t, refl)
				local := netAddrPort(t, c.conn.LocalAddr())
				// The client sits behind a NAT: the server sees its public side.
				if got.Addr() != natIP || got == local {
					t.Errorf("reflexive address = %v, want %v:<mapped port> (local %v)", got, natIP, local)
				}
			})
		})
	}
}

func TestSTUNOnlyRefusesAllocate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, false)
		s := w.start(t, relayCfg(nil), 1)
		c := w.dial(t, w.client, "alice", "secret")
		if rc, err := c.Allocate(); err == nil {
			_ = rc.Close()
			t.Fatal("allocate on a STUN-only server succeeded")
		} else if !strings.Contains(err.Error(), "400") {
			t.Errorf("allocate error = %v, want a 400", err)
		}
		if n := s.AllocationCount(); n != 0 {
			t.Errorf("AllocationCount = %d, want 0", n)
		}
		if !logHas(s, "INFO relay: Allocate error response 400 Bad Request", "STUN-only server") {
			t.Error("log does not say why Allocate was refused")
		}
		if _, _, ok := s.Credentials(); ok {
			t.Error("STUN-only server hands out credentials")
		}
	})
}

func TestRESTCredentials(t *testing.T) {
	const ttl = 10 * time.Minute
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, false)
		cfg := relayCfg(&scenarios.RelayAuth{Secret: "s3cr3t", TTL: ttl})
		s := w.start(t, cfg, 1)

		user, pass, ok := s.Credentials()
		if !ok {
			t.Fatal("no credentials")
		}
		wantUser := "946685400:icelab" // the bubble starts at 2000-01-01T00:00:00Z (946684800), + TTL
		if user != wantUser || pass != restPassword("s3cr3t", user) {
			t.Errorf("credentials = %q/%q, want %q/HMAC", user, pass, wantUser)
		}

		// Valid now.
		c := w.dial(t, w.client, user, pass)
		rc, err := c.Allocate()
		if err != nil {
			t.Fatalf("allocate with a fresh REST credential: %v", err)
		}
		if err := rc.Close(); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()

		// A forged password for a valid username fails integrity.
		bad := w.dial(t, w.client, user, "forged")
		if rc, err := bad.Allocate(); err == nil {
			_ = rc.Close()
			t.Error("allocate with a forged REST password succeeded")
		}

		// Past the TTL (virtual time) the same credential is refused.
		time.Sleep(ttl + 2*time.Second)
		late := w.dial(t, w.client, user, pass)
		if rc, err := late.Allocate(); err == nil {
			_ = rc.Close()
			t.Fatal("allocate with an expired REST credential succeeded")
		}
		if !logHas(s, `auth failed user="946685400:icelab"`, "REST credential expired at 2000-01-01T00:10:00Z") {
			t.Error("log does not say the credential expired")
		}
		if !logHas(s, "no such user exists 946685400:icelab") {
			t.Error(`log has no "no such user exists" line`)
		}
		// A credential handed out now is valid again.
		user2, pass2, _ := s.Credentials()
		if rc, err := w.dial(t, w.client, user2, pass2).Allocate(); err != nil {
			t.Errorf("allocate with a new REST credential: %v", err)
		} else {
			_ = rc.Close()
		}
	})
}
