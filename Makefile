# merino-go. `make run` serves the bundled samples on http://localhost:8000; `make test` is what CI runs.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: build run test test-fleet fleet test-short lint vulncheck govulncheck-install fmt fuzz bench-go bench bench-smoke bench-weather bench-newtab bench-newtab-sections bench-scale soak rollout profile version-file data-top-picks data-manifest data-amp data-amp-large data-wikipedia data-curated data-scale scale-env serve-scale nav-topsites clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/merino ./cmd/merino

WIKI_INDEX := data/wikipedia-index

run: build $(WIKI_INDEX)/enwiki/meta.json
	MERINO_ENV=development ./bin/merino serve

# The development Wikipedia index, rebuilt from the bundled sample (about a second), and again
# whenever the index format or its analysis may have changed.
$(WIKI_INDEX)/enwiki/meta.json: data/wikipedia-en.sample.json.gz $(filter-out %_test.go,$(wildcard index/fulltext/*.go))
	$(MAKE) build
	./bin/merino index wikipedia --input data/wikipedia-en.sample.json.gz --out $(WIKI_INDEX)/enwiki --lang en

# The whole suite, with the race detector, plus the lint checks, then a short load test so every
# change is load-tested (after the suite, not beside it: they share the cores).
test: lint
	$(GO) test -race -count=1 ./...
	$(MAKE) bench-smoke
	$(MAKE) test-fleet

# Issue 18's fleet test (about a minute): the firefox mix at 1500 requests/s through HAProxy
# while three replicas are rolled, one is killed, and weather is served from all of them
# with one upstream call. Skipped with a message when haproxy or redis-server is missing
# and cannot be installed.
test-fleet:
	deploy/local/fleet.sh test

# Three replicas behind HAProxy on http://localhost:8000, sharing one Redis, until Ctrl-C
# (FLEET_FLAGS="-port 18700" moves every port; see deploy/local/README.md).
fleet:
	deploy/local/fleet.sh up $(FLEET_FLAGS)

test-short:
	$(GO) test -count=1 ./...

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@$(MAKE) --no-print-directory vulncheck

# govulncheck, when installed (make govulncheck-install) and its database is reachable: a known
# vulnerability in code merino-go calls fails; a missing tool or an unreachable database is
# said and skipped.
GOVULNCHECK ?= $(shell command -v govulncheck 2>/dev/null || ls "$$($(GO) env GOPATH)/bin/govulncheck" 2>/dev/null)
vulncheck:
	@if [ -z "$(GOVULNCHECK)" ]; then \
	  echo "govulncheck: not installed, skipped (make govulncheck-install)"; \
	else \
	  out=$$($(GOVULNCHECK) ./... 2>&1); rc=$$?; \
	  if [ $$rc -eq 0 ]; then echo "govulncheck: no known vulnerabilities"; \
	  elif [ $$rc -ne 3 ] && echo "$$out" | grep -q "fetching vulnerabilities"; then \
	    echo "govulncheck: vulnerability database unreachable, skipped ($$(echo "$$out" | head -1 | cut -c1-120))"; \
	  else echo "$$out"; exit 1; fi; \
	fi

# Builds govulncheck outside this module (a throwaway module under /tmp), into GOPATH/bin.
govulncheck-install:
	cd "$$(mktemp -d)" && $(GO) mod init throwaway/govulncheck >/dev/null 2>&1 && \
	  $(GO) install golang.org/x/vuln/cmd/govulncheck@v1.9.0

fmt:
	gofmt -w $$(git ls-files '*.go')

# A short run of every fuzz target (each needs its own invocation).
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# A run at Merino's target, 1500 requests/s, failing on a missed target (achieved rate, p95
# 200 ms), any 5xx or transport error; each target below adds its scenario and durations.
BENCH_AT_TARGET = $(GO) run ./bench run --rate 1500 --target-rps 1500 --target-p95 200ms

# Load test: 60 s of the firefox keystroke mix at Merino's target, then the ceiling.
bench: $(WIKI_INDEX)/enwiki/meta.json
	$(BENCH_AT_TARGET) --scenario firefox --duration 60s --warmup 5s
	$(GO) run ./bench ceiling --scenario firefox

# About 15 s at 1500 requests/s; fails on a missed target, any 5xx or transport error.
bench-smoke: $(WIKI_INDEX)/enwiki/meta.json
	$(BENCH_AT_TARGET) --scenario firefox --duration 15s --warmup 2s

# The attack campaign's soak: the firefox mix at 1500 requests/s for SOAK (10 minutes), failing
# on any 5xx or transport error; not part of `make test`.
SOAK ?= 10m
soak: $(WIKI_INDEX)/enwiki/meta.json
	$(BENCH_AT_TARGET) --scenario firefox --duration $(SOAK) --warmup 5s

# Issue 17's rollout figure: the firefox mix at 1500 requests/s through a loopback HAProxy while
# the server gets SIGTERM and a new one starts on the same port; reports failed requests.
rollout: build $(WIKI_INDEX)/enwiki/meta.json
	$(GO) run ./bench/rollout

# Merino's own load-test mix: q=&providers=accuweather from random US/CA addresses, against a
# fake AccuWeather in the bench process; reports the cache hit ratio.
bench-weather: $(WIKI_INDEX)/enwiki/meta.json
	$(BENCH_AT_TARGET) --scenario weather --duration 15s --warmup 2s

# CPU/heap/allocs/mutex/block profiles and a trace under load, into profiles/out/<time>/.
profile: $(WIKI_INDEX)/enwiki/meta.json
	./profiles/capture.sh

# version.json for /__version__, as the Dockerfile writes it.
version-file:
	printf '{"source":"https://github.com/mozilla-services/merino-go","version":"%s","commit":"%s","build":"%s"}\n' \
	  "$(VERSION)" "$(COMMIT)" "$${BUILD_URL:-local}" > version.json

# Rebuild data/top_picks.json from ../shared/data (see data/PROVENANCE.md).
data-top-picks:
	$(GO) run ./data/gen/toppicks -shared ../shared/data -out data/top_picks.json

# Rebuild data/amp.json (the bundled AMP sample), or generate the large benchmark set (not committed).
data-amp:
	$(GO) run ./data/gen/amp -out data/amp.json

data-amp-large:
	$(GO) run ./data/gen/amp -large -out data/large/amp-300k.json

# Rebuild data/manifest.json from merino-py's mock manifest shape and data/top_picks.json.
data-manifest:
	$(GO) run ./data/gen/manifest -mock ../shared/data/merino-py/extracted-fixtures/manifest/mock_manifest.json -toppicks data/top_picks.json -out data/manifest.json

# Rebuild data/wikipedia-en.sample.json.gz from ../shared/data (see data/PROVENANCE.md).
data-wikipedia:
	$(GO) run ./data/gen/wikipedia -shared ../shared/data -out data/wikipedia-en.sample.json.gz -n 4000

# Rebuild data/curated (New Tab's offline bundle) from merino-py's fixtures in ../shared/data.
data-curated:
	$(GO) run ./data/gen/curated -shared ../shared/data -out data/curated

# New Tab's story requests at 500/s (POST /api/v1/curated-recommendations over the markets).
bench-newtab:
	$(GO) run ./bench run --scenario newtab --rate 500 --duration 30s

# The navigational suggestions job over the first 100 domains of ../shared/data/top-sites,
# against a fake web: the manifest must load and serve; prints the duration and peak heap.
nav-topsites:
	MERINO_NAV_TOPSITES=1 $(GO) test -count=1 -run TestTopSites100 -v ./jobs/navsuggestions/

# The sections feed alone at 500/s (en-US/GB/CA/IE, pickers, follows, interests).
bench-newtab-sections:
	$(GO) run ./bench run --scenario newtab-sections --rate 500 --duration 30s

# Production-size data (five Wikipedias, 10 MARS segments) under data/large/scale, never
# committed; scale-env also indexes it, starts the MARS feed and prints the environment that
# serves it all; serve-scale runs the server with it (see data/gen/scale/scale.sh).
data-scale:
	data/gen/scale/scale.sh gen

scale-env:
	@data/gen/scale/scale.sh env

serve-scale:
	data/gen/scale/scale.sh serve

# Issue 18's scale figures: the firefox mix at 1,500 and 8,000 requests/s and each ceiling, on a
# full-size server (scale-env, generated and indexed on first use: ~10 min) beside a sample one;
# prints full-size / sample ratios and the goals. Not part of `make test`.
SCALE_ENV ?= data/large/scale/serve.env
bench-scale: $(WIKI_INDEX)/enwiki/meta.json
	mkdir -p $(dir $(SCALE_ENV))
	data/gen/scale/scale.sh env > $(SCALE_ENV)
	$(GO) run ./bench scale --scale-env $(SCALE_ENV) $(BENCH_SCALE_FLAGS)

clean:
	rm -rf bin data/wikipedia-index
