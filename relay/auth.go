package relay

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // TURN REST API passwords are HMAC-SHA1 by definition
	"encoding/base64"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/logging"
	"github.com/pion/turn/v4"

	"github.com/icelab/icelab/scenarios"
)

// defaultRESTTTL is the lifetime of REST credentials when the scenario gives none.
const defaultRESTTTL = 24 * time.Hour

// restUser is the user part of the REST credentials Credentials hands out.
const restUser = "icelab"

// auth holds a relay's credentials: long-term users and/or a TURN REST API
// shared secret. Both can be revoked at run time, as Screego deletes a
// session's credentials when a share stops.
type auth struct {
	realm string
	log   logging.LeveledLogger

	mu      sync.RWMutex
	users   map[string]string
	secret  string
	ttl     time.Duration
	revoked bool
}

func newAuth(cfg *scenarios.RelayAuth, realm string, log logging.LeveledLogger) *auth {
	a := &auth{realm: realm, log: log, users: make(map[string]string, len(cfg.Users)), secret: cfg.Secret, ttl: cfg.TTL}
	for u, p := range cfg.Users {
		a.users[u] = p
	}
	if a.ttl <= 0 {
		a.ttl = defaultRESTTTL
	}
	return a
}

// handle is the pion AuthHandler. The key is derived with the server's own
// realm, not the one the client sent: a client using another realm then
// fails MESSAGE-INTEGRITY, as with coturn (pion's stock handlers accept any
// realm). Returning false makes pion answer 400 and log "no such user exists".
func (a *auth) handle(username, realm string, src net.Addr) ([]byte, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()

	if a.revoked {
		a.log.Infof("auth failed user=%q client=%s: credentials revoked", username, src)
		return nil, false
	}
	if realm != a.realm {
		a.log.Warnf("auth user=%q client=%s: realm %q is not the server's realm %q", username, src, realm, a.realm)
	}
	if pass, ok := a.users[username]; ok {
		return turn.GenerateAuthKey(username, a.realm, pass), true
	}
	if a.secret == "" {
		a.log.Infof("auth failed user=%q client=%s: unknown user", username, src)
		return nil, false
	}
	expiry, ok := restExpiry(username)
	if !ok {
		a.log.Infof("auth failed user=%q client=%s: unknown user (not a REST username <expiry-unix>[:user])",
			username, src)
		return nil, false
	}
	// Whole seconds, as pion's LongTermTURNRESTAuthHandler compares them.
	if now := time.Now(); expiry.Unix() < now.Unix() {
		a.log.Infof("auth failed user=%q client=%s: REST credential expired at %s (now %s)",
			username, src, expiry.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		return nil, false
	}
	return turn.GenerateAuthKey(username, a.realm, restPassword(a.secret, username)), true
}

// credentials returns a username/password valid now: the first long-term
// user in sorted order, else a fresh REST credential.
func (a *auth) credentials() (string, string, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.revoked {
		return "", "", false
	}
	if len(a.users) > 0 {
		names := make([]string, 0, len(a.users))
		for u := range a.users {
			names = append(names, u)
		}
		slices.Sort(names)
		return names[0], a.users[names[0]], true
	}
	if a.secret == "" {
		return "", "", false
	}
	user := strconv.FormatInt(time.Now().Add(a.ttl).Unix(), 10) + ":" + restUser
	return user, restPassword(a.secret, user), true
}

func (a *auth) revokeAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.users = map[string]string{}
	a.secret = ""
	a.revoked = true
}

// restExpiry parses a TURN REST API username "<expiry-unix>[:user]".
func restExpiry(username string) (time.Time, bool) {
	ts, _, _ := strings.Cut(username, ":")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// restPassword is base64(HMAC-SHA1(secret, username)) (draft-uberti-behave-turn-rest).
func restPassword(secret, username string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(username)) //nolint:errcheck // hash writes never fail
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
