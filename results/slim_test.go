package results

import (
	"bytes"
	"testing"
)

func TestSlimKeepsWhatCompareReads(t *testing.T) {
	run := fixtureRun()
	slim := run.Slim()
	if d := Compare(run, slim, DiffOptions{}); d.Changed() {
		t.Fatalf("a slim copy compares as changed: %+v", d.Changes)
	}
	var full, small bytes.Buffer
	if err := WriteJSON(&full, run); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&small, slim); err != nil {
		t.Fatal(err)
	}
	if small.Len() >= full.Len() {
		t.Fatalf("slim JSON is %d bytes, full %d", small.Len(), full.Len())
	}
	if _, err := ReadJSON(&small); err != nil {
		t.Fatalf("slim JSON does not read back: %v", err)
	}
}
