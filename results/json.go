package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// WriteJSON writes r as indented JSON. Key order is stable: struct fields in
// declaration order, map keys sorted (encoding/json's rules), so two equal runs
// give byte-identical files and baselines diff cleanly in review.
//
// A zero Version is written as CurrentVersion; r is not modified.
func WriteJSON(w io.Writer, r *Run) error {
	if r == nil {
		return errors.New("results: write json: nil run")
	}
	out := *r
	if out.Version == 0 {
		out.Version = CurrentVersion
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Case ids, log lines and reasons are read by people; keep <, > and &
	// literal rather than \u003c.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("results: write json: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("results: write json: %w", err)
	}
	return nil
}

// ReadJSON reads a results.json document. Unknown fields are accepted so that
// older readers cope with compatible additions; the version must be one this
// package understands, every case needs an id and a known verdict, and ids
// must be unique (the diff matches cases by id).
func ReadJSON(rd io.Reader) (*Run, error) {
	dec := json.NewDecoder(rd)
	var r Run
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("results: read json: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("results: read json: trailing data after the document")
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("results: read json: %w", err)
	}
	return &r, nil
}

// ReadFile reads the results.json document at path.
func ReadFile(path string) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	r, err := ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// check validates what the writers and the diff rely on.
func (r *Run) check() error {
	switch {
	case r.Version == 0:
		return errors.New("missing version")
	case r.Version != CurrentVersion:
		return fmt.Errorf("unsupported version %d (this icelab reads version %d)", r.Version, CurrentVersion)
	}
	seen := make(map[string]int, len(r.Cases))
	for i, c := range r.Cases {
		if c == nil {
			return fmt.Errorf("case %d: null", i)
		}
		if c.ID == "" {
			return fmt.Errorf("case %d: missing id", i)
		}
		if j, dup := seen[c.ID]; dup {
			return fmt.Errorf("case %d: id %q already used by case %d", i, c.ID, j)
		}
		seen[c.ID] = i
		switch c.Verdict {
		case Pass, Fail, Error:
		default:
			return fmt.Errorf("case %q: unknown verdict %q (want pass, fail or error)", c.ID, c.Verdict)
		}
	}
	return nil
}
