package scenarios

import (
	"reflect"
	"strconv"

	yaml "go.yaml.in/yaml/v4"
)

// ExpectRule is one rule of the list form of expect: the expectation of
// every case its When matches. The mapping form of expect is one rule with
// a nil When.
type ExpectRule struct {
	// When maps a dimension to the value names that match (any of); a case
	// matches when every dimension listed matches. Empty: every case.
	When   map[string][]string `yaml:"when" doc:"dimension -> value name or list of names (any of); omitted: every remaining case" keys:"name" single:"true"`
	Expect `yaml:",inline"`
}

// Matches reports whether the rule applies to a case with the given cell.
func (r *ExpectRule) Matches(cell map[string]string) bool {
	for dim, values := range r.When {
		v, ok := cell[dim]
		if !ok || !contains(values, v) {
			return false
		}
	}
	return true
}

var rulesType = reflect.TypeFor[[]ExpectRule]()

// rules reads expect: a mapping (one rule without when) or a list of rules.
func (d *decoder) rules(n *yaml.Node, path string, v reflect.Value) {
	switch n.Kind {
	case yaml.MappingNode:
		var r ExpectRule
		d.structure(n, path, reflect.ValueOf(&r).Elem())
		if d.given(join(path, "when")) {
			d.failKey(join(path, "when"), "when belongs to the rules of the list form (expect: [{when: ..., connected: ...}]), used with a matrix")
		}
		v.Set(reflect.ValueOf([]ExpectRule{r}))
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			d.fail(n, path, "expect needs at least one rule")
			return
		}
		rs := make([]ExpectRule, len(n.Content))
		for i, item := range n.Content {
			ip := join(path, strconv.Itoa(i))
			item = d.resolve(item, ip)
			if item == nil {
				continue
			}
			d.structure(item, ip, reflect.ValueOf(&rs[i]).Elem())
		}
		v.Set(reflect.ValueOf(rs))
	default:
		d.fail(n, path, "expected a mapping (connected, path, ...) or, with a matrix, a list of rules, got %s", describe(n))
	}
}

// normalized returns the expectation of a case from its matching rule:
// connected defaults to true, and a call that must fail has no path,
// reach classes or deadline to check.
func (r *ExpectRule) normalized() Expect {
	e := r.Expect
	if e.Connected == nil {
		t := true
		e.Connected = &t
	} else {
		c := *e.Connected
		e.Connected = &c
	}
	if !*e.Connected {
		e.Path, e.Offerer, e.Answerer, e.Within = "", nil, nil, 0
	}
	return e
}
