package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/icelab/icelab/results"
)

func cmdDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts results.DiffOptions
	fs.Float64Var(&opts.ConnectThreshold, "threshold", 0.5, "connect-time increase that counts as a regression, as a ratio (0.5 = +50%)")
	fs.Float64Var(&opts.ConnectMinMS, "min-ms", 200, "ignore connect-time changes smaller than this many milliseconds")
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(stderr, "usage: icelab diff [flags] BASE.json NEW.json")
		return exitInvalid
	}
	base, err := results.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	cur, err := results.ReadFile(fs.Arg(1))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalid
	}
	d := results.Compare(base, cur, opts)
	if err := d.WriteText(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return exitFail
	}
	if d.Regressions > 0 {
		return exitFail
	}
	return exitOK
}
