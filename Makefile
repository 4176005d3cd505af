# icelab: the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
OUT     ?= out
BIN     := bin/icelab
BASELINE := results/baseline.json

.PHONY: run test bench lint race fuzz build clean baseline

build:
	$(GO) build -o $(BIN) ./cmd/icelab

# Runs the built-in scenario library on a virtual clock, prints one line per
# case and a summary, and writes results.json, junit.xml, summary.md and
# report.html to $(OUT)/. Compares against the committed baseline when there
# is one: any verdict, path or reach-class regression fails. Connect times
# are compared too, but only a change of more than 1.1 s fails: a check that
# races a signalled candidate can make pion learn a peer-reflexive candidate
# and nominate 1 s later, a real race that virtual time resolves either way
# (README, Limitations). `icelab diff` gates on 200 ms by default.
run: build
	./$(BIN) run --out $(OUT) $(if $(wildcard $(BASELINE)),--baseline $(BASELINE) --baseline-min-ms 1100)

# Records the current library run as the baseline `make run` compares with.
baseline: build
	./$(BIN) run --out $(OUT) --save-baseline $(BASELINE)

# The whole test suite: vet, staticcheck, unit tests, the Ginkgo suites and
# the loader's fuzz seed corpus, then the race detector over the packages
# that run cases concurrently.
test: lint
	$(GO) test -count=1 ./...
	$(MAKE) race

race:
	$(GO) test -race -count=1 ./runner ./cmd/... ./vnet/... ./relay ./peer

lint:
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# Benchmarks: per-package hot paths, the floor (a hand-written pion call) and
# the library, side by side.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 20x ./...

# Runs the loader fuzzer for FUZZTIME (default 10m).
FUZZTIME ?= 10m
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime $(FUZZTIME) ./scenarios

clean:
	rm -rf bin $(OUT)
