package results

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "nested")
	run := fixtureRun()
	if err := WriteAll(dir, run); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() == 0 || info.Mode().Perm() != 0o644 {
			t.Errorf("%s: size %d mode %v", e.Name(), info.Size(), info.Mode().Perm())
		}
	}
	// No temporary files left behind; exactly the four reports.
	if want := []string{FileJUnit, FileHTML, FileJSON, FileMarkdown}; !reflect.DeepEqual(names, want) {
		t.Errorf("files %q, want %q", names, want)
	}
	back, err := ReadFile(filepath.Join(dir, FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, run) {
		t.Error("results.json does not read back as the run")
	}
	// Writing again replaces the files in place.
	run.Cases = run.Cases[:1]
	if err := WriteAll(dir, run); err != nil {
		t.Fatal(err)
	}
	back, err = ReadFile(filepath.Join(dir, FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Cases) != 1 {
		t.Errorf("rewrite kept %d cases", len(back.Cases))
	}
}

func TestWriteAllBadDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(filepath.Join(file, "sub"), fixtureRun()); err == nil {
		t.Fatal("writing under a regular file succeeded")
	}
}
