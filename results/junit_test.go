package results

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// The reader side of JUnit, as a CI system would parse it; deliberately
// separate from the writer's structs.
type parsedSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"error"`
			SystemOut *string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitParses(t *testing.T) {
	run := fixtureRun()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, run); err != nil {
		t.Fatal(err)
	}
	var doc parsedSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("junit.xml does not parse: %v", err)
	}

	want := countCases(run)
	if doc.Tests != want.Cases || doc.Failures != want.Fail || doc.Errors != want.Error {
		t.Errorf("testsuites counts tests=%d failures=%d errors=%d, want %d %d %d",
			doc.Tests, doc.Failures, doc.Errors, want.Cases, want.Fail, want.Error)
	}
	names, _ := scenarioOrder(run)
	if len(doc.Suites) != len(names) {
		t.Fatalf("%d testsuites, want one per scenario (%d)", len(doc.Suites), len(names))
	}

	byID := map[string]*Result{}
	for _, c := range run.Cases {
		byID[c.ID] = c
	}
	var cases, failures, errors int
	for i, s := range doc.Suites {
		if s.Name != names[i] {
			t.Errorf("suite %d is %q, want %q", i, s.Name, names[i])
		}
		var f, e int
		for _, tc := range s.Cases {
			cases++
			c, ok := byID[tc.Name]
			if !ok {
				t.Errorf("testcase %q is not a case of the run", tc.Name)
				continue
			}
			if tc.Classname != c.Scenario || tc.Time == "" {
				t.Errorf("%s: classname=%q time=%q", tc.Name, tc.Classname, tc.Time)
			}
			switch c.Verdict {
			case Pass:
				if tc.Failure != nil || tc.Error != nil {
					t.Errorf("%s passed but carries a failure or error", tc.Name)
				}
			case Fail:
				f++
				if tc.Failure == nil || tc.Error != nil {
					t.Fatalf("%s failed but has no <failure> (or also an <error>)", tc.Name)
				}
				if tc.Failure.Message != strings.Join(c.Reasons, "; ") {
					t.Errorf("%s: failure message %q", tc.Name, tc.Failure.Message)
				}
				if !strings.Contains(tc.Failure.Body, "expected: ") || !strings.Contains(tc.Failure.Body, "observed: ") {
					t.Errorf("%s: failure body lacks expected vs observed:\n%s", tc.Name, tc.Failure.Body)
				}
			case Error:
				e++
				if tc.Error == nil || tc.Failure != nil {
					t.Fatalf("%s errored but has no <error> (or also a <failure>)", tc.Name)
				}
				if !strings.Contains(tc.Error.Message, c.Reasons[0]) {
					t.Errorf("%s: error message %q", tc.Name, tc.Error.Message)
				}
			}
			if (tc.SystemOut != nil) != (len(c.Log) > 0) {
				t.Errorf("%s: system-out present=%t, log lines=%d", tc.Name, tc.SystemOut != nil, len(c.Log))
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e {
			t.Errorf("suite %s counts tests=%d failures=%d errors=%d, children say %d %d %d",
				s.Name, s.Tests, s.Failures, s.Errors, len(s.Cases), f, e)
		}
		failures += f
		errors += e
	}
	if cases != want.Cases || failures != want.Fail || errors != want.Error {
		t.Errorf("children: %d cases, %d failures, %d errors; want %d %d %d",
			cases, failures, errors, want.Cases, want.Fail, want.Error)
	}
}

// The system-out of the hostile case must come back exactly as written,
// except that control characters are made visible.
func TestJUnitKeepsLogText(t *testing.T) {
	run := &Run{Version: 1, Cases: []*Result{turnBadCredentials()}}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, run); err != nil {
		t.Fatal(err)
	}
	var doc parsedSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	got := *doc.Suites[0].Cases[0].SystemOut
	want := "alice: turn: 401 Unauthorized <realm=icelab>\n" +
		`alice: weird bytes \x1b[31mred\x1b[0m and a ]]> terminator`
	if got != want {
		t.Errorf("system-out:\n got %q\nwant %q", got, want)
	}
}

func TestXMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain <text> & more", "plain <text> & more"},
		{"tab\tnewline\ncr\r", "tab\tnewline\ncr\r"},
		{"bell\a nul\x00", `bell\x07 nul\x00`},
		{"bad utf8 \xff!", "bad utf8 \uFFFD!"},
		{"nonchar \uFFFE", "nonchar \uFFFD"},
	}
	for _, tt := range tests {
		if got := xmlText(tt.in); got != tt.want {
			t.Errorf("xmlText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
