// Package suites holds icelab's Ginkgo suites: the scenario library (one
// spec per case, labelled with the scenario's labels) and the emulator's own
// conformance (every NAT behaves as declared). Run them with `go test
// ./suites/...` or `ginkgo --label-filter=... ./suites`.
package suites
