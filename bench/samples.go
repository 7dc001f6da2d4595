package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The samples under bench/samples let `make bench-smoke` run in a clone without
// ../shared/data. They are every k-th line of the shared files (deterministic, so that
// regenerating them changes nothing); see bench/samples/PROVENANCE.md for sources and
// licences.

type sampleSpec struct {
	from, to string
	n        int
	header   bool // keep the first line (a CSV header)
}

var sampleSpecs = []sampleSpec{
	{from: "search-queries/natural-questions-open-queries.txt.gz", to: "search-queries.txt", n: 3000},
	{from: "wikipedia/enwiki-popular-titles.lower.txt.gz", to: "wikipedia-titles.txt", n: 3000},
	{from: "merino-py/tests/load/data/ip2location_united_states_of_america_ip_address_ranges.gz", to: "ip-ranges-us.csv", n: 600, header: true},
	{from: "merino-py/tests/load/data/ip2location_canada_ip_address_ranges.gz", to: "ip-ranges-ca.csv", n: 200, header: true},
}

// everyKth keeps n lines spread evenly over lines (all of them when there are fewer).
func everyKth(lines []string, n int) []string {
	if len(lines) <= n {
		return lines
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, lines[i*len(lines)/n])
	}
	return out
}

func cmdSamples(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("samples", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "shared data directory (default: ../shared/data beside the repository)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	repo, shared, err := findData(*data)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	*data = shared
	dir := filepath.Join(repo, "bench", "samples")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	for _, s := range sampleSpecs {
		raw, err := readMaybeGzip(filepath.Join(*data, s.from))
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
		var head []string
		if s.header && len(lines) > 0 {
			head, lines = lines[:1], lines[1:]
		}
		if !s.header {
			lines = typeableLines(raw)
		}
		out := append(head, everyKth(lines, s.n)...)
		path := filepath.Join(dir, s.to)
		if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: %d lines from %s\n", path, len(out), s.from)
	}
	return 0
}

func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode %q: %w", path, err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot write %q: %w", path, err)
	}
	return nil
}
