package main

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// labelExpr is a parsed --label expression in Ginkgo's label-filter syntax:
// words, !, && , ||, ',' (or) and parentheses. "nat && !slow".
type labelExpr func(labels []string) bool

func parseLabelExpr(s string) (labelExpr, error) {
	p := &labelParser{toks: tokenizeLabels(s)}
	if len(p.toks) == 0 {
		return nil, fmt.Errorf("--label: empty expression")
	}
	e, err := p.or()
	if err != nil {
		return nil, fmt.Errorf("--label %q: %w", s, err)
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("--label %q: unexpected %q", s, p.toks[p.pos])
	}
	return e, nil
}

func tokenizeLabels(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case strings.HasPrefix(s[i:], "&&"), strings.HasPrefix(s[i:], "||"):
			toks = append(toks, s[i:i+2])
			i += 2
		case c == '!' || c == '(' || c == ')' || c == ',':
			toks = append(toks, string(c))
			i++
		default:
			j := i
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || strings.ContainsRune("-_.:/", rune(s[j]))) {
				j++
			}
			if j == i {
				toks = append(toks, string(c))
				i++
				continue
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

type labelParser struct {
	toks []string
	pos  int
}

func (p *labelParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *labelParser) or() (labelExpr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek() == "||" || p.peek() == "," {
		p.pos++
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(ls []string) bool { return a(ls) || b(ls) }
	}
	return l, nil
}

func (p *labelParser) and() (labelExpr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.peek() == "&&" {
		p.pos++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(ls []string) bool { return a(ls) && b(ls) }
	}
	return l, nil
}

func (p *labelParser) unary() (labelExpr, error) {
	switch t := p.peek(); t {
	case "":
		return nil, fmt.Errorf("expression ends early")
	case "!":
		p.pos++
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(ls []string) bool { return !e(ls) }, nil
	case "(":
		p.pos++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return e, nil
	case ")", "&&", "||", ",":
		return nil, fmt.Errorf("unexpected %q", t)
	default:
		p.pos++
		word := strings.ToLower(t)
		return func(ls []string) bool {
			return slices.ContainsFunc(ls, func(l string) bool { return strings.ToLower(l) == word })
		}, nil
	}
}
