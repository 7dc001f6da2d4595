// Command domaincategories builds jobs/domaincategories/mapping.tsv.gz, the domain → SERP
// categories table the relevancy uploader (and the navigational suggestions job) embed.
//
// The source is merino-py's merino/utils/domain_categories/domain_category_mapping.py (commit
// 690d625d, MPL-2.0), a Python dict literal of 34,151 entries `"<base64 md5 of a domain>":
// [Category.X, ...]` in the branch used outside testing (the `else:` branch; the testing table
// of four entries is written in Go). Each entry becomes one line, `<key>\t<code>[,<code>...]`,
// keys and categories in the source's order, category names turned into their codes by
// merino-py's Category enum (merino/utils/domain_categories/models.py). The file is gzipped
// without a name or time, so the same source gives the same bytes.
//
// merino-py's source tree is not in ../shared/data; bring it with `fetch`
// (github:mozilla-services/merino-py) or a git clone at that commit, then run from the
// repository root:
//
//	go run ./data/gen/domaincategories -src <merino-py>/merino/utils/domain_categories/domain_category_mapping.py
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// codes is merino-py's Category enum (Health, 11, is disabled there).
var codes = map[string]int{
	"Inconclusive": 0, "Animals": 1, "Arts": 2, "Autos": 3, "Business": 4, "Career": 5, "Education": 6,
	"Fashion": 7, "Finance": 8, "Food": 9, "Government": 10, "Hobbies": 12, "Home": 13, "News": 14,
	"RealEstate": 15, "Society": 16, "Sports": 17, "Tech": 18, "Travel": 19,
}

var entry = regexp.MustCompile(`^\s*"([A-Za-z0-9+/]{22}==)": \[([^\]]*)\],?\s*$`)

func main() {
	src := flag.String("src", "", "merino-py's domain_category_mapping.py")
	out := flag.String("out", "jobs/domaincategories/mapping.tsv.gz", "file to write")
	flag.Parse()
	if err := run(*src, *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "domaincategories:", err)
		os.Exit(1)
	}
}

func run(src, out string, stdout io.Writer) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	table, n, err := convert(f)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(table)
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d domains, %d bytes (%d gzipped) to %s\n", n, len(table), buf.Len(), out)
	return nil
}

// convert reads the production branch of the Python source and returns the table.
func convert(r io.Reader) ([]byte, int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	var table []byte
	n, line := 0, 0
	production := false
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.HasPrefix(text, "else:") {
			production = true
			continue
		}
		if !production {
			continue
		}
		m := entry.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		table = append(table, m[1]...)
		table = append(table, '\t')
		for i, c := range strings.Split(m[2], ",") {
			name, ok := strings.CutPrefix(strings.TrimSpace(c), "Category.")
			code, known := codes[name]
			if !ok || !known {
				return nil, 0, fmt.Errorf("line %d: unknown category %q", line, strings.TrimSpace(c))
			}
			if i > 0 {
				table = append(table, ',')
			}
			table = strconv.AppendInt(table, int64(code), 10)
		}
		table = append(table, '\n')
		n++
	}
	if err := sc.Err(); err != nil {
		return nil, 0, err
	}
	if n == 0 {
		return nil, 0, errors.New("no entries found after `else:`")
	}
	return table, n, nil
}
