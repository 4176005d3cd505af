package main

import (
	"context"
	"fmt"
	"io"
)

func cmdProbeNAT(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "icelab probe-nat: not built yet")
	return exitInvalid
}
