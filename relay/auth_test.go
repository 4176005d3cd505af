package relay

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/turn/v4"

	"github.com/icelab/icelab/scenarios"
)

func TestAuthHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // virtual clock: now is 2000-01-01T00:00:00Z (946684800)
		var buf logBuffer
		log := (&captureFactory{buf: &buf}).NewLogger("relay")
		a := newAuth(&scenarios.RelayAuth{Users: map[string]string{"alice": "secret"}, Secret: "s3cr3t"}, "icelab", log)
		src := &net.UDPAddr{IP: net.IPv4(27, 1, 1, 1), Port: 5000}

		tests := []struct {
			name, user, realm string
			wantKey           []byte // nil: refused
			wantLog           string
		}{
			{"long-term user", "alice", "icelab", turn.GenerateAuthKey("alice", "icelab", "secret"), ""},
			{"unknown user", "bob", "icelab", nil, `auth failed user="bob" client=27.1.1.1:5000: unknown user`},
			{"rest valid", "946684801:x", "icelab",
				turn.GenerateAuthKey("946684801:x", "icelab", restPassword("s3cr3t", "946684801:x")), ""},
			{"rest valid this second", "946684800", "icelab",
				turn.GenerateAuthKey("946684800", "icelab", restPassword("s3cr3t", "946684800")), ""},
			{"rest expired", "946684799:x", "icelab", nil, "REST credential expired at 1999-12-31T23:59:59Z"},
			{"rest garbage", "tomorrow:x", "icelab", nil, "not a REST username"},
			// The key uses the server's realm: a client keyed with its own
			// realm fails MESSAGE-INTEGRITY in pion.
			{"other realm", "alice", "evil", turn.GenerateAuthKey("alice", "icelab", "secret"),
				`realm "evil" is not the server's realm "icelab"`},
		}
		for _, tt := range tests {
			key, ok := a.handle(tt.user, tt.realm, src)
			if ok != (tt.wantKey != nil) || !bytes.Equal(key, tt.wantKey) {
				t.Errorf("%s: handle = %x, %v; want %x", tt.name, key, ok, tt.wantKey)
			}
			if tt.wantLog != "" && !strings.Contains(strings.Join(buf.snapshot(), "\n"), tt.wantLog) {
				t.Errorf("%s: log lacks %q", tt.name, tt.wantLog)
			}
		}

		user, pass, ok := a.credentials()
		if !ok || user != "alice" || pass != "secret" {
			t.Errorf("credentials = %q, %q, %v; want the long-term user first", user, pass, ok)
		}
		a.revokeAll()
		if _, ok := a.handle("alice", "icelab", src); ok {
			t.Error("alice accepted after revokeAll")
		}
		if _, ok := a.handle("946684900:x", "icelab", src); ok {
			t.Error("REST credential accepted after revokeAll")
		}
		if _, _, ok := a.credentials(); ok {
			t.Error("credentials after revokeAll")
		}
	})
}

func TestRESTPasswordVector(t *testing.T) {
	// Cross-check against pion's own REST generator.
	synctest.Test(t, func(t *testing.T) {
		user, pass, err := turn.GenerateLongTermTURNRESTCredentials("s3cr3t", "icelab", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if got := restPassword("s3cr3t", user); got != pass {
			t.Errorf("restPassword(%q) = %q, pion says %q", user, got, pass)
		}
		if exp, ok := restExpiry(user); !ok || !exp.Equal(time.Now().Add(time.Hour)) {
			t.Errorf("restExpiry(%q) = %v, %v", user, exp, ok)
		}
	})
}
