// Command genschema writes the JSON Schema of the icelab scenario format
// (scenarios.Schema) to a file; `go generate ./scenarios` runs it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/icelab/icelab/scenarios"
)

func main() {
	out := flag.String("o", "schema.json", "output file")
	flag.Parse()
	b, err := scenarios.Schema()
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genschema:", err)
		os.Exit(1)
	}
}
