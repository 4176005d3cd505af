package scenarios

import (
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v4"
)

var (
	durationType   = reflect.TypeFor[time.Duration]()
	addrType       = reflect.TypeFor[netip.Addr]()
	prefixType     = reflect.TypeFor[netip.Prefix]()
	portRangeType  = reflect.TypeFor[PortRange]()
	portRangesType = reflect.TypeFor[[]PortRange]()
	natType        = reflect.TypeFor[NAT]()
	iceServerType  = reflect.TypeFor[ICEServer]()
)

// duration reads a Go duration string; negative durations are never
// allowed, and min:"1ns" demands a positive one.
func (d *decoder) duration(n *yaml.Node, path string, v reflect.Value, t *tags) {
	const want = "expected a Go duration like 250ms or 3s"
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == tagInt || n.ShortTag() == tagFloat) {
		d.fail(n, path, "%s, got %s (a number needs a unit)", want, n.Value)
		return
	}
	s, ok := d.str(n, path)
	if !ok {
		return
	}
	dur, err := time.ParseDuration(s)
	if err != nil {
		d.fail(n, path, "%s, got %q", want, s)
		return
	}
	if dur < 0 {
		d.fail(n, path, "must not be negative, got %s", s)
		return
	}
	if t.min != "" {
		if min, err := time.ParseDuration(t.min); err == nil && dur < min {
			d.fail(n, path, "must be greater than 0, got %s", s)
			return
		}
	}
	v.SetInt(int64(dur))
}

// addr reads an IPv4 address.
func (d *decoder) addr(n *yaml.Node, path string, v reflect.Value) {
	s, ok := d.str(n, path)
	if !ok {
		return
	}
	a, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		d.fail(n, path, "expected an IPv4 address like 192.168.1.10, got %q", s)
	case !a.Is4():
		d.fail(n, path, "expected an IPv4 address (vnet has no IPv6), got %q", s)
	default:
		v.Set(reflect.ValueOf(a))
	}
}

// prefix reads an IPv4 CIDR without host bits.
func (d *decoder) prefix(n *yaml.Node, path string, v reflect.Value) {
	s, ok := d.str(n, path)
	if !ok {
		return
	}
	p, err := netip.ParsePrefix(s)
	switch {
	case err != nil:
		hint := ""
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
			hint = " (add the prefix length, like " + s + "/32)"
		}
		d.fail(n, path, "expected an IPv4 CIDR like 192.168.1.0/24, got %q%s", s, hint)
	case !p.Addr().Is4():
		d.fail(n, path, "expected an IPv4 CIDR (vnet has no IPv6), got %q", s)
	case p != p.Masked():
		d.fail(n, path, "%q has host bits set; did you mean %s?", s, p.Masked())
	default:
		v.Set(reflect.ValueOf(p))
	}
}

// portRange reads a port (integer, or a string of digits) or a range "a-b".
func (d *decoder) portRange(n *yaml.Node, path string) (PortRange, bool) {
	const want = `expected a port 1-65535 or a range "a-b"`
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "%s, got %s", want, describe(n))
		return PortRange{}, false
	}
	var lo, hi int64
	switch n.ShortTag() {
	case tagInt:
		p, err := parseInt(n.Value)
		if err != nil {
			p = math.MaxInt64
		}
		lo, hi = p, p
	case tagStr:
		a, b, isRange := strings.Cut(n.Value, "-")
		var ok bool
		if lo, ok = digits(a); !ok {
			d.fail(n, path, "%s, got %q", want, n.Value)
			return PortRange{}, false
		}
		hi = lo
		if isRange {
			if hi, ok = digits(b); !ok {
				d.fail(n, path, "%s, got %q", want, n.Value)
				return PortRange{}, false
			}
		}
	default:
		d.fail(n, path, "%s, got %s", want, describe(n))
		return PortRange{}, false
	}
	for _, p := range []int64{lo, hi} {
		if p < 1 || p > 65535 {
			d.fail(n, path, "port %s is out of range 1-65535", portText(p))
			return PortRange{}, false
		}
	}
	if lo > hi {
		d.fail(n, path, "reversed port range %q: %d is greater than %d", n.Value, lo, hi)
		return PortRange{}, false
	}
	return PortRange{Min: uint16(lo), Max: uint16(hi)}, true
}

func portText(p int64) string {
	if p == math.MaxInt64 {
		return "(too large)"
	}
	return strconv.FormatInt(p, 10)
}

// digits parses a non-empty string of decimal digits; values beyond a port
// saturate so that the range check reports them.
func digits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		if v < 1_000_000 {
			v = v*10 + int64(s[i]-'0')
		}
	}
	return v, true
}

// portRanges reads one port or range, or a list of them.
func (d *decoder) portRanges(n *yaml.Node, path string, v reflect.Value, t *tags) {
	if n.Kind == yaml.ScalarNode {
		if r, ok := d.portRange(n, path); ok {
			v.Set(reflect.ValueOf([]PortRange{r}))
		}
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, `expected a port, a range "a-b", or a list of those, got %s`, describe(n))
		return
	}
	if len(n.Content) == 0 {
		d.fail(n, path, "an empty list matches no port; leave ports out to match any port")
		return
	}
	rs := make([]PortRange, 0, len(n.Content))
	for i, item := range n.Content {
		ip := join(path, strconv.Itoa(i))
		item = d.resolve(item, ip)
		if item == nil {
			continue
		}
		if r, ok := d.portRange(item, ip); ok {
			rs = append(rs, r)
		}
	}
	v.Set(reflect.ValueOf(rs))
}

var percentString = regexp.MustCompile(patNumPercent)

// percent reads "2%" or a number 0..100.
func (d *decoder) percent(n *yaml.Node, path string) (float64, bool) {
	const want = `expected a percentage like "2%" or a number 0..100`
	var f float64
	var err error
	switch {
	case n.Kind != yaml.ScalarNode:
		err = fmt.Errorf("not a scalar")
	case n.ShortTag() == tagInt:
		var i int64
		i, err = parseInt(n.Value)
		f = float64(i)
	case n.ShortTag() == tagFloat:
		f, err = strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	case n.ShortTag() == tagStr && percentString.MatchString(n.Value):
		f, err = strconv.ParseFloat(strings.TrimSuffix(n.Value, "%"), 64)
	default:
		err = fmt.Errorf("not a percentage")
	}
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		d.fail(n, path, "%s, got %s", want, describe(n))
		return 0, false
	}
	if f < 0 || f > 100 {
		d.fail(n, path, "a percentage must be between 0 and 100, got %s", n.Value)
		return 0, false
	}
	return f, true
}

// natPreset expands a NAT preset into its object form.
func natPreset(name string) (NAT, bool) {
	n := NAT{Preset: name, Hairpinning: true}
	switch name {
	case PresetFullCone:
		n.Mapping, n.Filtering = EndpointIndependent, EndpointIndependent
	case PresetRestrictedCone:
		n.Mapping, n.Filtering = EndpointIndependent, AddressDependent
	case PresetPortRestrictedCone:
		n.Mapping, n.Filtering = EndpointIndependent, AddressAndPortDependent
	case PresetSymmetric:
		n.Mapping, n.Filtering = AddressAndPortDependent, AddressAndPortDependent
	case PresetOneToOne:
		// Static 1:1: the port is kept and nothing is filtered, which in
		// RFC 4787 words is endpoint-independent on both counts.
		n.OneToOne = true
		n.Mapping, n.Filtering = EndpointIndependent, EndpointIndependent
	default:
		return NAT{}, false
	}
	return n, true
}

// natPresets lists the preset names in documentation order.
var natPresets = []string{PresetFullCone, PresetRestrictedCone, PresetPortRestrictedCone, PresetSymmetric, PresetOneToOne}

// nat reads a preset name or the object form.
func (d *decoder) nat(n *yaml.Node, path string, v reflect.Value) {
	switch n.Kind {
	case yaml.ScalarNode:
		s, ok := d.str(n, path)
		if !ok {
			return
		}
		nat, ok := natPreset(s)
		if !ok {
			d.fail(n, path, "unknown NAT preset %q%s; use one of %s, or the object form {mapping, filtering}",
				s, suggest(s, natPresets), strings.Join(natPresets, ", "))
			return
		}
		v.Set(reflect.ValueOf(nat))
	case yaml.MappingNode:
		if hasKey(n, "preset") {
			d.natFromPreset(n, path, v)
			return
		}
		// Every mapping x filtering combination is honoured by the emulator,
		// so the object form needs no further check.
		var nat NAT
		d.structure(n, path, reflect.ValueOf(&nat).Elem())
		v.Set(reflect.ValueOf(nat))
	default:
		d.fail(n, path, "expected a NAT preset (%s) or a mapping {mapping, filtering, mapping-lifetime, hairpinning}, got %s",
			strings.Join(natPresets, ", "), describe(n))
	}
}

// iceServer reads a URL string or the object forms {urls, username,
// credential} and {relay: NAME}.
func (d *decoder) iceServer(n *yaml.Node, path string, v reflect.Value) {
	switch n.Kind {
	case yaml.ScalarNode:
		if s, ok := d.str(n, path); ok {
			v.Set(reflect.ValueOf(ICEServer{URLs: []string{s}}))
		}
	case yaml.MappingNode:
		var s ICEServer
		d.structure(n, path, reflect.ValueOf(&s).Elem())
		relay := d.given(join(path, "relay"))
		other := d.given(join(path, "urls")) || d.given(join(path, "username")) || d.given(join(path, "credential"))
		switch {
		case relay && other:
			d.fail(n, path, "relay stands for the relay's URLs and credentials: do not combine it with urls, username or credential")
			return
		case !relay && !d.given(join(path, "urls")):
			d.fail(n, path, "an ICE server needs urls (or relay: NAME)")
			return
		}
		v.Set(reflect.ValueOf(s))
	default:
		d.fail(n, path, "expected a URL like stun:host:3478, a mapping {urls, username, credential} or {relay: NAME}, got %s", describe(n))
	}
}

// suggest returns " (did you mean X?)" when a word of the list is close to s.
func suggest(s string, words []string) string {
	best, bestD := "", 3
	for _, w := range words {
		if d := editDistance(s, w); d < bestD {
			best, bestD = w, d
		}
	}
	if best == "" || best == s {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// editDistance is the Levenshtein distance of a and b (bytes), capped for
// long inputs since only small distances matter.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// natPresetKeys are the keys of the preset object form
// {preset: NAME, hairpinning: BOOL, mapping-lifetime: DURATION}, a compatible
// addition: a preset with the behaviours the presets leave at their
// defaults changed, e.g. a cloud 1:1 NAT that does not hairpin.
var natPresetKeys = []string{"preset", "hairpinning", "mapping-lifetime"}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// natFromPreset reads {preset: NAME, hairpinning, mapping-lifetime}.
func (d *decoder) natFromPreset(n *yaml.Node, path string, v reflect.Value) {
	var nat NAT
	var presetOK bool
	var hairpin *yaml.Node
	var lifetime *yaml.Node
	d.entries(n, path, func(key, kp string, k, val *yaml.Node) {
		switch key {
		case "preset":
			name, ok := d.str(val, kp)
			if !ok {
				return
			}
			if nat, presetOK = natPreset(name); !presetOK {
				d.fail(val, kp, "unknown NAT preset %q%s; use one of %s",
					name, suggest(name, natPresets), strings.Join(natPresets, ", "))
			}
		case "hairpinning":
			hairpin = val
		case "mapping-lifetime":
			lifetime = val
		case "mapping", "filtering":
			d.fail(k, kp, "%s comes from the preset: give either preset or mapping and filtering", key)
		default:
			d.fail(k, kp, "unknown key %q%s; allowed with preset: %s", key, suggest(key, natPresetKeys), strings.Join(natPresetKeys, ", "))
		}
	})
	if !presetOK {
		return
	}
	if hairpin != nil {
		if b, ok := d.boolean(hairpin, join(path, "hairpinning")); ok {
			nat.Hairpinning = b
		}
	}
	if lifetime != nil {
		lp := join(path, "mapping-lifetime")
		if nat.OneToOne {
			d.fail(lifetime, lp, "a one-to-one NAT keeps its mapping for good: it has no mapping lifetime")
		} else {
			d.duration(lifetime, lp, reflect.ValueOf(&nat.MappingLifetime).Elem(), &tags{min: "1ns"})
		}
	}
	v.Set(reflect.ValueOf(nat))
}
