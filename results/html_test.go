package results

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func renderHTML(t testing.TB, r *Run) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// resourceAttr matches every attribute that can make a browser fetch
// something; (?s) and \s* catch odd spacing and quoting.
var resourceAttr = regexp.MustCompile(`(?is)\s(src|href|xlink:href|action|formaction|srcset|poster|background|data|ping|manifest|codebase|cite)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)

func TestHTMLLoadsNothing(t *testing.T) {
	page := renderHTML(t, fixtureRun())
	for _, m := range resourceAttr.FindAllStringSubmatch(page, -1) {
		v := strings.Trim(m[2], `"'`)
		if !strings.HasPrefix(v, "#") {
			t.Errorf("%s=%q points outside the page", m[1], v)
		}
	}
	if n := len(resourceAttr.FindAllString(page, -1)); n == 0 {
		t.Error("no href at all: the grid should link to the cases (is the regexp broken?)")
	}
	for _, bad := range []string{"url(", "@import", "<link", "<iframe", "<object", "<embed", "<img", "fetch(", "XMLHttpRequest"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	// The fixture's relay log holds a URL: it may appear as text, never as
	// something loaded. The only other occurrence allowed is the SVG
	// namespace, which html/template leaves out because it is implied.
	if strings.Count(page, "https://") != 1 || strings.Contains(page, "http://") {
		t.Error("unexpected http(s) URL in the page; only the log line's text may hold one")
	}
	if !strings.Contains(page, "Content-Security-Policy") {
		t.Error("page lacks its Content-Security-Policy")
	}
}

func TestHTMLEscapesUserText(t *testing.T) {
	page := renderHTML(t, fixtureRun())
	for _, raw := range []string{"<script>alert", "<b>not bold</b>", "<realm=icelab>", "\x1b"} {
		if strings.Contains(page, raw) {
			t.Errorf("page contains raw user text %q", raw)
		}
	}
	for _, escaped := range []string{"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "&lt;b&gt;not bold&lt;/b&gt; &amp;", `\x1b[31mred`} {
		if !strings.Contains(page, escaped) {
			t.Errorf("page lacks escaped text %q", escaped)
		}
	}
	// html/template replaces values it refuses to put in a context with
	// this marker; its presence means some field landed somewhere unsafe.
	if strings.Contains(page, "ZgotmplZ") {
		t.Error("html/template filtered a value (ZgotmplZ)")
	}
	// Exactly one script element: ours.
	if n := strings.Count(strings.ToLower(page), "<script"); n != 1 {
		t.Errorf("%d <script elements, want 1", n)
	}
}

func TestHTMLHostileCaseID(t *testing.T) {
	r := fixtureRun()
	r.Cases[0].ID = `x"><script>alert(1)</script>`
	r.Cases[0].Cell = map[string]string{"d": `"><svg onload=alert(1)>`}
	page := renderHTML(t, r)
	if strings.Contains(page, "<script>alert(1)") || strings.Contains(page, "<svg onload") {
		t.Fatal("hostile id or cell value reached the page as markup")
	}
}

func TestHTMLContent(t *testing.T) {
	run := fixtureRun()
	page := renderHTML(t, run)
	// Every case has its collapsible section, and every grid cell links to one.
	if n := strings.Count(page, `<details class="case`); n != len(run.Cases) {
		t.Errorf("%d case sections, want %d", n, len(run.Cases))
	}
	if n := strings.Count(page, `<a class="cell `); n != 7 {
		t.Errorf("%d grid cells, want 7 (6 in nat-matrix, 1 in double-nat)", n)
	}
	for _, want := range []string{
		`class="cell pc-relayed v-fail"`,        // the failing matrix cell, coloured by path
		`class="cell pc-failed v-pass"`,         // expected no-call
		`class="cell pc-error v-error"`,         // harness error
		`<span class="name">home</span>`,        // world tree
		`<span class="role relay">relay coturn`, // relay on its host
		`<svg class="timeline"`,                 // timeline drawn
		`198.18.0.2:50007`,                      // allocation / selected pair
		`no such user exists: mallory`,          // relay log excerpt
		`found in coturn`,                       // relay-log expectation read
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestHTMLLongLogsAreCut(t *testing.T) {
	r := fixtureRun()
	lines := make([]string, maxLogLines+50)
	for i := range lines {
		lines[i] = "line"
	}
	lines[0], lines[len(lines)-1] = "first-line", "last-line"
	r.Cases[0].Observed.RelayLog["coturn"] = lines
	page := renderHTML(t, r)
	if strings.Contains(page, "first-line") || !strings.Contains(page, "last-line") {
		t.Error("excerpt should keep the end of a long log")
	}
	if !strings.Contains(page, "50 earlier lines in results.json") {
		t.Error("excerpt should say how many lines it left out")
	}
}

func TestWorldTree(t *testing.T) {
	w := &World{
		Networks: []WorldNetwork{
			{Name: "home", Parent: "carrier"},
			{Name: "carrier"},
			{Name: "loop-a", Parent: "loop-b"},
			{Name: "loop-b", Parent: "loop-a"},
			{Name: "orphan", Parent: "nowhere"},
		},
		Hosts: []WorldHost{
			{Name: "phone", Network: "home", Peer: "phone"},
			{Name: "turn", Relay: "a, b"},
			{Name: "lost", Network: "nowhere"},
		},
	}
	root := buildWorld(w)
	seen := map[string]int{}
	var walk func(n *worldNode, path string)
	walk = func(n *worldNode, path string) {
		seen[n.Name]++
		path += "/" + n.Name
		if n.Name == "phone" && path != "/internet/carrier/home/phone" {
			t.Errorf("phone drawn at %s", path)
		}
		for _, c := range n.Children {
			walk(c, path)
		}
	}
	walk(root, "")
	for _, name := range []string{"internet", "home", "carrier", "loop-a", "loop-b", "orphan", "phone", "turn", "lost"} {
		if seen[name] != 1 {
			t.Errorf("%s drawn %d times, want once", name, seen[name])
		}
	}
	for _, c := range root.Children {
		if c.Name == "turn" && !(len(c.Relays) == 2 && c.Relays[1] == "b") {
			t.Errorf("turn relays = %q", c.Relays)
		}
	}
	if buildWorld(nil) != nil || buildWorld(&World{}) != nil {
		t.Error("no world should draw nothing")
	}
}

func TestTimelineLayout(t *testing.T) {
	o := Observed{Connected: true, ConnectMS: 800, Timeline: callTimeline("a", "b", 800)}
	tl := buildTimeline(o)
	if tl == nil {
		t.Fatal("no timeline")
	}
	// Lanes: a and b each have signal, gather, ice, dtls, pc, in that order.
	var labels []string
	for _, l := range tl.Lanes {
		labels = append(labels, l.Label)
		for _, s := range l.Segs {
			if s.X < tl.PlotX0 || s.X+s.W > tl.PlotX1+0.01 {
				t.Errorf("%s: segment %q at %.1f+%.1f outside the plot [%.0f, %.0f]", l.Label, s.Label, s.X, s.W, tl.PlotX0, tl.PlotX1)
			}
		}
	}
	want := "a · signal,a · gather,a · ice,a · dtls,a · pc,b · signal,b · gather,b · ice,b · dtls,b · pc"
	if got := strings.Join(labels, ","); got != want {
		t.Errorf("lanes %s\nwant  %s", got, want)
	}
	if tl.Connected == nil || tl.Connected.X <= tl.PlotX0 || tl.Connected.X >= tl.PlotX1 {
		t.Errorf("connected marker %+v", tl.Connected)
	}
	if len(tl.Ticks) < 4 || tl.Ticks[0].Label != "0" {
		t.Errorf("ticks %+v", tl.Ticks)
	}
	if buildTimeline(Observed{}) != nil {
		t.Error("no events should draw no timeline")
	}
}

func TestNiceStep(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{
		{0.7, 1}, {1, 1}, {1.3, 2}, {3, 5}, {7, 10}, {140, 200}, {1800, 2000}, {0, 1},
	} {
		if got := niceStep(tt.in); got != tt.want {
			t.Errorf("niceStep(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
