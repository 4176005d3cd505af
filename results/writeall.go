package results

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Report file names written by WriteAll.
const (
	FileJSON     = "results.json"
	FileJUnit    = "junit.xml"
	FileMarkdown = "summary.md"
	FileHTML     = "report.html"
)

// WriteAll writes every report into dir (created if missing): results.json,
// junit.xml, summary.md and report.html. Each file is rendered in memory and
// renamed into place, so a reader never sees half a report and a failed
// writer leaves the previous file untouched.
func WriteAll(dir string, r *Run) error {
	if r == nil {
		return errors.New("results: write all: nil run")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	writers := []struct {
		name  string
		write func(io.Writer, *Run) error
	}{
		{FileJSON, WriteJSON},
		{FileJUnit, WriteJUnit},
		{FileMarkdown, WriteMarkdown},
		{FileHTML, WriteHTML},
	}
	var buf bytes.Buffer
	for _, wr := range writers {
		buf.Reset()
		if err := wr.write(&buf, r); err != nil {
			return fmt.Errorf("%s: %w", wr.name, err)
		}
		if err := replaceFile(filepath.Join(dir, wr.name), buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

func replaceFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	// CreateTemp makes 0600 files; reports are meant to be shared.
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("results: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("results: %w", err)
	}
	return nil
}
