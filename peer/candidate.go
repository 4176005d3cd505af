package peer

import (
	"fmt"
	"strings"

	"github.com/icelab/icelab/results"
	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// fromWebRTC converts a candidate as pion/webrtc reports it.
func fromWebRTC(c *webrtc.ICECandidate) results.Candidate {
	return results.Candidate{
		Type:           c.Typ.String(),
		Address:        c.Address,
		Port:           int(c.Port),
		Protocol:       c.Protocol.String(),
		RelatedAddress: c.RelatedAddress,
		RelatedPort:    int(c.RelatedPort),
	}
}

// parseCandidate converts an SDP candidate attribute value, with or without
// the "candidate:" prefix, as the receiving side would read it.
func parseCandidate(s string) (results.Candidate, error) {
	c, err := ice.UnmarshalCandidate(s)
	if err != nil {
		return results.Candidate{}, fmt.Errorf("candidate %q: %w", s, err)
	}
	out := results.Candidate{
		Type:     c.Type().String(),
		Address:  c.Address(),
		Port:     c.Port(),
		Protocol: c.NetworkType().NetworkShort(),
	}
	if r := c.RelatedAddress(); r != nil {
		out.RelatedAddress, out.RelatedPort = r.Address, r.Port
	}
	return out, nil
}

// sdpCandidates returns the candidate attribute values of an SDP, in order.
func sdpCandidates(sdp string) []string {
	var out []string
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimRight(line, "\r")
		if v, ok := strings.CutPrefix(line, "a=candidate:"); ok {
			out = append(out, v)
		}
	}
	return out
}

// candidateFields splits a candidate attribute value ("candidate:" optional)
// into its space-separated fields and reports whether it has the RFC 8839
// shape "foundation component transport priority address port typ type ...".
func candidateFields(s string) ([]string, bool) {
	f := strings.Fields(strings.TrimPrefix(s, "candidate:"))
	return f, len(f) >= 8 && f[6] == "typ"
}

// rewriteSDP applies fn to every candidate line of sdp; fn returns the new
// attribute value (without "candidate:") and false to drop the line.
func rewriteSDP(sdp string, fn func(value string) (string, bool)) string {
	lines := strings.SplitAfter(sdp, "\n")
	var b strings.Builder
	b.Grow(len(sdp))
	for _, line := range lines {
		body := strings.TrimRight(line, "\r\n")
		v, ok := strings.CutPrefix(body, "a=candidate:")
		if !ok {
			b.WriteString(line)
			continue
		}
		nv, keep := fn(v)
		if !keep {
			continue
		}
		b.WriteString("a=candidate:")
		b.WriteString(nv)
		b.WriteString(line[len(body):]) // original line ending
	}
	return b.String()
}

// candidateType returns the "typ" of a candidate attribute value, "" if
// malformed.
func candidateType(s string) string {
	if f, ok := candidateFields(s); ok {
		return f[7]
	}
	return ""
}
