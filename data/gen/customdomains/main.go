// Command customdomains builds jobs/navsuggestions/custom_domains.txt, the curated domains
// the navigational suggestions job appends to BigQuery's list (merino-py's CUSTOM_DOMAINS).
//
// The source is merino-py's merino/jobs/navigational_suggestions/enrichments/custom_domains.py
// (commit 690d625d, MPL-2.0), a Python list literal of string literals, one a line. Each
// becomes one line of the output, in the source's order (merino-py keeps it sorted). Bring
// merino-py's tree with `fetch` (github:mozilla-services/merino-py), then run from the
// repository root:
//
//	go run ./data/gen/customdomains -src <merino-py>/merino/jobs/navigational_suggestions/enrichments/custom_domains.py
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

func main() {
	src := flag.String("src", "", "merino-py's custom_domains.py")
	out := flag.String("out", "jobs/navsuggestions/custom_domains.txt", "the file to write")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "customdomains:", err)
		os.Exit(1)
	}
}

// item is one element line of the list: a double-quoted literal and a comma.
var item = regexp.MustCompile(`^\s*("(?:[^"\\]|\\.)*"),\s*(#.*)?$`)

func run(src, out string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	var domains []string
	in := false
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		t := sc.Text()
		switch {
		case strings.HasPrefix(t, "CUSTOM_DOMAINS"):
			in = true
		case in && strings.HasPrefix(t, "]"):
			in = false
		case in && strings.TrimSpace(t) != "" && !strings.HasPrefix(strings.TrimSpace(t), "#"):
			m := item.FindStringSubmatch(t)
			if m == nil {
				return fmt.Errorf("%s line %d: not a string item: %q", src, line, t)
			}
			d, err := strconv.Unquote(m[1])
			if err != nil {
				return fmt.Errorf("%s line %d: %w", src, line, err)
			}
			domains = append(domains, d)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(domains) < 1000 {
		return fmt.Errorf("%s: only %d domains: not merino-py's list?", src, len(domains))
	}
	return os.WriteFile(out, []byte(strings.Join(domains, "\n")+"\n"), 0o644)
}
