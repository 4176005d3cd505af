package results

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current writers")

// checkGolden compares got with testdata/name.golden, or rewrites the file
// under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./results -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (run go test ./results -update and review the diff):\n%s", path, firstDiff(want, got))
	}
}

// firstDiff shows the first differing line, enough to see what moved.
func firstDiff(want, got []byte) string {
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(lengths differ)"
}

func TestGolden(t *testing.T) {
	writers := []struct {
		name  string
		write func(io.Writer, *Run) error
	}{
		{"results.json", WriteJSON},
		{"junit.xml", WriteJUnit},
		{"summary.md", WriteMarkdown},
		{"report.html", WriteHTML},
	}
	for _, wr := range writers {
		t.Run(wr.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := wr.write(&buf, fixtureRun()); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, wr.name, buf.Bytes())
			// Writers must be deterministic: maps are iterated in sorted order.
			for range 3 {
				var again bytes.Buffer
				if err := wr.write(&again, fixtureRun()); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(buf.Bytes(), again.Bytes()) {
					t.Fatal("two renderings of the same run differ")
				}
			}
		})
	}
	t.Run("diff.txt", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		if err := Compare(fixtureRun(), changedRun(), DiffOptions{}).WriteText(&buf); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "diff.txt", buf.Bytes())
	})
}

// changedRun is the fixture after a few things moved, for the diff golden
// file: one regression of each kind, an improvement, an added and a removed
// case.
func changedRun() *Run {
	r := fixtureRun()
	byID := map[string]*Result{}
	for _, c := range r.Cases {
		byID[c.ID] = c
	}
	// direct → relayed, and the verdict with it.
	c := byID["nat-matrix/phone-nat=full-cone,servers=with-turn"]
	c.Verdict, c.Observed.Path, c.Observed.Offerer = Fail, "relayed", "relay"
	// relayed → direct: a change, not a regression.
	c = byID["nat-matrix/phone-nat=port-restricted-cone,servers=with-turn"]
	c.Verdict, c.Observed.Path, c.Observed.Offerer, c.Observed.ConnectMS = Pass, "direct", "reflexive", 700
	// Slower connect.
	byID["basic-direct"].Observed.ConnectMS = 1400
	// Renamed case: removed + added.
	byID["cgnat-slow-link"].ID = "cgnat-slow-link-v2"
	return r
}
