package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/icelab/icelab/scenarios"
)

// selection is the case filter shared by run and list.
type selection struct {
	run   string
	label string
	shard string
}

func (s *selection) register(fs *flag.FlagSet) {
	fs.StringVar(&s.run, "run", "", "run only cases whose id matches this regular expression")
	fs.StringVar(&s.label, "label", "", `run only cases whose scenario labels match this expression ("nat && !slow", Ginkgo syntax)`)
	fs.StringVar(&s.shard, "shard", "", "K/N: run the K-th of N deterministic shards (round-robin over the expanded cases)")
}

// load reads the paths (the embedded library when there are none) and
// returns the selected cases in expansion order. Errors are input errors.
func (s *selection) load(paths []string) ([]*scenarios.Case, error) {
	var files []*scenarios.File
	var err error
	if len(paths) == 0 {
		files, err = scenarios.LoadFS(scenarios.Library(), ".")
	} else {
		files, err = scenarios.LoadPaths(paths)
	}
	if err != nil {
		return nil, err
	}
	var re *regexp.Regexp
	if s.run != "" {
		if re, err = regexp.Compile(s.run); err != nil {
			return nil, fmt.Errorf("--run: %w", err)
		}
	}
	var lab labelExpr
	if s.label != "" {
		if lab, err = parseLabelExpr(s.label); err != nil {
			return nil, err
		}
	}
	k, n := 1, 1
	if s.shard != "" {
		if k, n, err = parseShard(s.shard); err != nil {
			return nil, err
		}
	}
	var all []*scenarios.Case
	for _, f := range files {
		all = append(all, f.Cases...)
	}
	var out []*scenarios.Case
	for i, c := range all {
		if i%n != k-1 {
			continue
		}
		if re != nil && !re.MatchString(c.ID) {
			continue
		}
		if lab != nil && !lab(c.Scenario.Labels) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

func parseShard(s string) (k, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		k, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || k < 1 || k > n {
		return 0, 0, fmt.Errorf("--shard %q: expected K/N with 1 <= K <= N, like 2/3", s)
	}
	return k, n, nil
}

func cmdList(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sel selection
	sel.register(fs)
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	cases, err := sel.load(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	for _, c := range cases {
		fmt.Fprintln(stdout, c.ID)
	}
	return exitOK
}

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "icelab validate: name at least one file or folder")
		return exitInvalid
	}
	files, err := scenarios.LoadPaths(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	n := 0
	for _, f := range files {
		n += len(f.Cases)
	}
	fmt.Fprintf(stdout, "%d files valid, %d cases\n", len(files), n)
	return exitOK
}

func cmdSchema(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "icelab schema takes no arguments")
		return exitInvalid
	}
	b, err := scenarios.Schema()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFail
	}
	_, _ = stdout.Write(b)
	return exitOK
}
