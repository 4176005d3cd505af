package relay

import (
	"net"
	"time"

	"github.com/pion/stun/v3"
	"github.com/pion/turn/v4"
)

// eventHandler turns pion/turn's lifecycle callbacks into allocation records
// and readable log lines. Callbacks run on pion's goroutines.
func (s *Server) eventHandler() turn.EventHandler {
	return turn.EventHandler{
		OnAuth: func(src, _ net.Addr, _, username, realm, method string, verdict bool) {
			if verdict {
				s.log.Debugf("auth ok user=%q realm=%q method=%s client=%s", username, realm, method, src)
				return
			}
			// pion reports false only for a MESSAGE-INTEGRITY mismatch; an
			// unknown user never reaches OnAuth.
			s.log.Infof("auth failed user=%q realm=%q method=%s client=%s: MESSAGE-INTEGRITY mismatch (wrong password or realm)",
				username, realm, method, src)
		},
		OnAllocationCreated: func(src, dst net.Addr, _, username, _ string, relayAddr net.Addr, _ int) {
			s.allocationCreated(src, dst, username, relayAddr)
		},
		OnAllocationDeleted: func(src, dst net.Addr, _, username, _ string) {
			s.allocationDeleted(src, dst, username)
		},
		OnAllocationError: func(src, _ net.Addr, _, message string) {
			s.log.Infof("request from %s failed: %s", src, message)
		},
		OnPermissionCreated: func(src, _ net.Addr, _, _, _ string, relayAddr net.Addr, peer net.IP) {
			s.log.Debugf("permission created client=%s relayed=%s peer=%s", src, relayAddr, peer)
		},
		OnPermissionDeleted: func(src, _ net.Addr, _, _, _ string, relayAddr net.Addr, peer net.IP) {
			s.log.Debugf("permission deleted client=%s relayed=%s peer=%s", src, relayAddr, peer)
		},
		OnChannelCreated: func(src, _ net.Addr, _, _, _ string, relayAddr, peer net.Addr, ch uint16) {
			s.log.Debugf("channel created client=%s relayed=%s peer=%s channel=%#x", src, relayAddr, peer, ch)
		},
		OnChannelDeleted: func(src, _ net.Addr, _, _, _ string, relayAddr, peer net.Addr, ch uint16) {
			s.log.Debugf("channel deleted client=%s relayed=%s peer=%s channel=%#x", src, relayAddr, peer, ch)
		},
	}
}

func (s *Server) allocationCreated(src, dst net.Addr, username string, relayAddr net.Addr) {
	a := Allocation{Client: addrPort(src), Relayed: addrPort(relayAddr), Username: username, Created: time.Now()}
	s.mu.Lock()
	s.live[allocationKey(src, dst)] = len(s.allocs)
	s.allocs = append(s.allocs, a)
	s.mu.Unlock()
	s.log.Infof("allocation created client=%s relayed=%s user=%q", a.Client, a.Relayed, username)
}

func (s *Server) allocationDeleted(src, dst net.Addr, username string) {
	now := time.Now()
	key := allocationKey(src, dst)
	s.mu.Lock()
	i, ok := s.live[key]
	var a Allocation
	if ok {
		delete(s.live, key)
		s.allocs[i].Deleted = now
		a = s.allocs[i]
	}
	s.signalIfDrainedLocked()
	s.mu.Unlock()
	if !ok {
		s.log.Warnf("allocation deleted client=%s user=%q: not known", src, username)
		return
	}
	s.log.Infof("allocation deleted client=%s relayed=%s user=%q after %s", a.Client, a.Relayed, username,
		now.Sub(a.Created))
}

// errorResponse logs a STUN error response the server sends. The 401 and
// 438 challenges are part of every successful authentication, so they are
// debug lines; every other refusal is info.
func (s *Server) errorResponse(msg *stun.Message, to net.Addr) {
	var code stun.ErrorCodeAttribute
	if err := code.GetFrom(msg); err != nil {
		// pion v4.1.3 refuses CreatePermission this way (no ERROR-CODE).
		s.log.Infof("%s error response (no error code) to %s", msg.Type.Method, to)
		return
	}
	reason := string(code.Reason)
	if reason == "" {
		reason = reasons[code.Code] // pion sends codes without reason phrases
	}
	note := ""
	if s.auth == nil && code.Code == stun.CodeBadRequest {
		note = " (STUN-only server: TURN is not enabled)"
	}
	if code.Code == stun.CodeUnauthorized || code.Code == stun.CodeStaleNonce {
		s.log.Debugf("%s error response %d %s to %s%s", msg.Type.Method, code.Code, reason, to, note)
		return
	}
	s.log.Infof("%s error response %d %s to %s%s", msg.Type.Method, code.Code, reason, to, note)
}

// reasons are the RFC 5389/5766 reason phrases of the codes pion/turn sends.
var reasons = map[stun.ErrorCode]string{
	stun.CodeTryAlternate:          "Try Alternate",
	stun.CodeBadRequest:            "Bad Request",
	stun.CodeUnauthorized:          "Unauthorized",
	stun.CodeForbidden:             "Forbidden",
	stun.CodeUnknownAttribute:      "Unknown Attribute",
	stun.CodeAllocMismatch:         "Allocation Mismatch",
	stun.CodeStaleNonce:            "Stale Nonce",
	stun.CodeWrongCredentials:      "Wrong Credentials",
	stun.CodeUnsupportedTransProto: "Unsupported Transport Protocol",
	stun.CodeAllocQuotaReached:     "Allocation Quota Reached",
	stun.CodeServerError:           "Server Error",
	stun.CodeInsufficientCapacity:  "Insufficient Capacity",
}
