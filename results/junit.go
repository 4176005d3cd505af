package results

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The JUnit XML shape CI systems read (Jenkins, GitLab, GitHub actions that
// publish test reports): one testsuite per scenario, one testcase per case.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	File      string      `xml:"file,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Time       string          `xml:"time,attr"`
	File       string          `xml:"file,attr,omitempty"`
	Properties *junitProps     `xml:"properties,omitempty"`
	Failure    *junitFailure   `xml:"failure,omitempty"`
	Error      *junitFailure   `xml:"error,omitempty"`
	SystemOut  *junitCharBlock `xml:"system-out,omitempty"`
}

type junitProps struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

type junitCharBlock struct {
	Text string `xml:",cdata"`
}

// WriteJUnit writes r as JUnit XML: a testsuite per scenario, a testcase per
// case (name = case id, classname = scenario). A failed case carries a
// <failure>, an errored one an <error>, both with the reasons as message and
// expected vs observed as body; the case log, when recorded, goes to
// <system-out>.
func WriteJUnit(w io.Writer, r *Run) error {
	if r == nil {
		return errors.New("results: write junit: nil run")
	}
	t := countCases(r)
	doc := junitSuites{
		Name:     "icelab",
		Tests:    t.Cases,
		Failures: t.Fail,
		Errors:   t.Error,
		Time:     seconds(r.WallMS),
	}
	stamp := ""
	if !r.StartedAt.IsZero() {
		stamp = r.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	names, by := scenarioOrder(r)
	for _, name := range names {
		s := junitSuite{Name: name, Timestamp: stamp}
		var ms float64
		for _, c := range by[name] {
			s.Tests++
			ms += c.WallMS
			if s.File == "" {
				s.File = c.File
			}
			tc := junitCase{
				Name:       xmlText(c.ID),
				Classname:  xmlText(c.Scenario),
				Time:       seconds(c.WallMS),
				File:       xmlText(c.File),
				Properties: junitProperties(c),
			}
			switch c.Verdict {
			case Pass:
			case Fail:
				s.Failures++
				tc.Failure = junitProblem(c)
			default:
				s.Errors++
				tc.Error = junitProblem(c)
			}
			if len(c.Log) > 0 {
				tc.SystemOut = &junitCharBlock{Text: xmlText(strings.Join(c.Log, "\n"))}
			}
			s.Cases = append(s.Cases, tc)
		}
		s.Name = xmlText(s.Name)
		s.File = xmlText(s.File)
		s.Time = seconds(ms)
		doc.Suites = append(doc.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("results: write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("results: write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("results: write junit: %w", err)
	}
	return nil
}

func junitProperties(c *Result) *junitProps {
	var ps []junitProp
	for _, d := range dimOrder([]*Result{c}) {
		ps = append(ps, junitProp{Name: "cell." + d, Value: c.Cell[d]})
	}
	ps = append(ps, junitProp{Name: "seed", Value: strconv.FormatInt(c.Seed, 10)})
	if c.Flaky {
		ps = append(ps, junitProp{Name: "flaky", Value: strings.Join(c.Outcomes, ",")})
	}
	for i := range ps {
		ps[i].Name, ps[i].Value = xmlText(ps[i].Name), xmlText(ps[i].Value)
	}
	return &junitProps{Props: ps}
}

func junitProblem(c *Result) *junitFailure {
	msg := strings.Join(c.Reasons, "; ")
	if msg == "" {
		msg = c.Verdict
	}
	var b strings.Builder
	for _, reason := range c.Reasons {
		fmt.Fprintf(&b, "- %s\n", reason)
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "expected: %s\n", expectedText(c.Expected))
	fmt.Fprintf(&b, "observed: %s\n", observedText(c.Observed))
	if c.Flaky {
		fmt.Fprintf(&b, "flaky: outcomes %s\n", strings.Join(c.Outcomes, ", "))
	}
	fmt.Fprintf(&b, "seed: %d\n", c.Seed)
	return &junitFailure{Message: xmlText(msg), Type: c.Verdict, Body: xmlText(b.String())}
}

func seconds(ms float64) string {
	return strconv.FormatFloat(ms/1000, 'f', 3, 64)
}

// xmlText makes user text (ids, reasons, log lines) safe to put in XML:
// encoding/xml escapes markup, but CDATA sections are written raw and no XML
// 1.0 document may hold control characters other than tab, newline and
// carriage return, nor invalid UTF-8. Those are shown as \xNN or U+FFFD
// rather than dropped, so a log line keeps its shape.
func xmlText(s string) string {
	clean := true
	for _, r := range s {
		if !xmlChar(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		case r < 0x20 && !xmlChar(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case !xmlChar(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// xmlChar reports whether r is allowed in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= 0x10FFFF)
}
