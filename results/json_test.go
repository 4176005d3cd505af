package results

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	want := fixtureRun()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("run changed across WriteJSON/ReadJSON")
	}
}

func TestWriteJSONFillsVersion(t *testing.T) {
	r := fixtureRun()
	r.Version = 0
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	if r.Version != 0 {
		t.Error("WriteJSON modified its argument")
	}
	got, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != CurrentVersion {
		t.Errorf("version = %d, want %d", got.Version, CurrentVersion)
	}
}

func TestWriteJSONKeepsMarkupReadable(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<realm=icelab>`) || strings.Contains(buf.String(), `\u003c`) {
		t.Error("log lines should keep < and > literal in results.json")
	}
}

func TestReadJSON(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wantErr string // "" = must succeed
	}{
		{"minimal", `{"version":1,"cases":[]}`, ""},
		{"unknown fields are fine", `{"version":1,"future":{"x":1},"cases":[{"id":"a","verdict":"pass","shiny":true}]}`, ""},
		{"missing version", `{"cases":[]}`, "missing version"},
		{"newer version", `{"version":2,"cases":[]}`, "unsupported version 2"},
		{"not json", `version: 1`, "read json"},
		{"wrong type", `{"version":"1"}`, "read json"},
		{"trailing data", `{"version":1} {"version":1}`, "trailing data"},
		{"null case", `{"version":1,"cases":[null]}`, "case 0: null"},
		{"case without id", `{"version":1,"cases":[{"verdict":"pass"}]}`, "missing id"},
		{"unknown verdict", `{"version":1,"cases":[{"id":"a","verdict":"ok"}]}`, `unknown verdict "ok"`},
		{"duplicate id", `{"version":1,"cases":[{"id":"a","verdict":"pass"},{"id":"a","verdict":"fail"}]}`, `id "a" already used by case 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadJSON(strings.NewReader(tt.doc))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if r.Version != 1 {
					t.Fatalf("version = %d", r.Version)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "results.json")
	var buf bytes.Buffer
	if err := WriteJSON(&buf, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cases) != len(fixtureRun().Cases) {
		t.Fatalf("read %d cases", len(r.Cases))
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"version":9}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("error = %v, want it to name %s", err, bad)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("reading a missing file succeeded")
	}
}

func TestNilRun(t *testing.T) {
	var buf bytes.Buffer
	for name, err := range map[string]error{
		"json":     WriteJSON(&buf, nil),
		"junit":    WriteJUnit(&buf, nil),
		"markdown": WriteMarkdown(&buf, nil),
		"html":     WriteHTML(&buf, nil),
		"all":      WriteAll(t.TempDir(), nil),
	} {
		if err == nil {
			t.Errorf("%s: nil run accepted", name)
		}
	}
}

func TestEmptyRun(t *testing.T) {
	r := &Run{Version: CurrentVersion}
	var buf bytes.Buffer
	for name, write := range map[string]func() error{
		"json":     func() error { return WriteJSON(&buf, r) },
		"junit":    func() error { return WriteJUnit(&buf, r) },
		"markdown": func() error { return WriteMarkdown(&buf, r) },
		"html":     func() error { return WriteHTML(&buf, r) },
	} {
		buf.Reset()
		if err := write(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if buf.Len() == 0 {
			t.Errorf("%s: wrote nothing", name)
		}
	}
}
