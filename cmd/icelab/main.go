// Command icelab runs WebRTC NAT-traversal scenarios inside emulated
// networks. `icelab run` with no argument runs the built-in library.
//
// Exit codes: 0 all cases pass, 1 a case failed (or a regression against a
// baseline), 2 invalid input or usage.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

const usage = `icelab: WebRTC NAT traversal in emulated networks

usage:
  icelab run [flags] [PATH...]     run scenarios (files or folders; none = the built-in library)
  icelab list [flags] [PATH...]    print the case ids the paths expand to
  icelab validate PATH...          check scenario files; exit 0 valid, 2 invalid
  icelab schema                    print the scenario JSON Schema
  icelab diff [flags] BASE NEW     compare two results.json files; exit 1 on a regression
  icelab probe-nat [flags] PATH... classify every network's NAT with an RFC 5780 probe

Run 'icelab COMMAND -h' for a command's flags.
`

// exit codes
const (
	exitOK      = 0
	exitFail    = 1
	exitInvalid = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitInvalid
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, rest, stdout, stderr)
	case "list":
		return cmdList(rest, stdout, stderr)
	case "validate":
		return cmdValidate(rest, stdout, stderr)
	case "schema":
		return cmdSchema(rest, stdout, stderr)
	case "diff":
		return cmdDiff(rest, stdout, stderr)
	case "probe-nat":
		return cmdProbeNAT(ctx, rest, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "icelab: unknown command %q\n\n%s", cmd, usage)
		return exitInvalid
	}
}
