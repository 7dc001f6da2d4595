// Command manifest builds data/manifest.json, the favicon manifest that `make run` serves on
// /api/v1/manifest.
//
// merino-py reads its manifest from `top_picks_latest.json`, the document its navigational
// suggestions job publishes: the top-picks domains with their favicons, and the partner
// favicons. This sample is that document made from what the repository has:
//   - the shape comes from merino-py's own test manifest (tests/integration/api/conftest.py,
//     transcribed as extracted-fixtures/manifest/mock_manifest.json): each domain's keys in
//     its order (rank, domain, categories, serp_categories, url, title, icon), and its
//     "partners" list;
//   - the domains are the records of data/top_picks.json (merino-py's dev/top_picks.json with
//     icons filled in, see data/PROVENANCE.md), in rank order, with their values unchanged,
//     and "source" kept after them as the job writes it (the manifest model ignores it).
//
// Run from the repository root:
//
//	go run ./data/gen/manifest [-mock ../shared/data/merino-py/extracted-fixtures/manifest/mock_manifest.json] [-toppicks data/top_picks.json] [-out data/manifest.json]
//
// The output depends only on the inputs: same inputs, same bytes.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	mock := flag.String("mock", "../shared/data/merino-py/extracted-fixtures/manifest/mock_manifest.json", "merino-py's test manifest (the shape)")
	toppicks := flag.String("toppicks", "data/top_picks.json", "the top picks sample (the domains)")
	out := flag.String("out", "data/manifest.json", "file to write")
	flag.Parse()
	if err := run(*mock, *toppicks, *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "manifest:", err)
		os.Exit(1)
	}
}

func run(mockPath, toppicksPath, outPath string, stdout io.Writer) error {
	mock, err := os.ReadFile(mockPath)
	if err != nil {
		return err
	}
	tp, err := os.ReadFile(toppicksPath)
	if err != nil {
		return err
	}
	doc, n, err := build(mock, tp)
	if err != nil {
		return err
	}
	if err := os.WriteFile(outPath, doc, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d domains, %d bytes\n", outPath, n, len(doc))
	return nil
}

// build returns the manifest document, 2-space indented, and its number of domains.
func build(mock, toppicks []byte) ([]byte, int, error) {
	keys, partners, err := shape(mock)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read the mock manifest: %w", err)
	}
	var tp struct {
		Domains []map[string]json.RawMessage `json:"domains"`
	}
	if err := json.Unmarshal(toppicks, &tp); err != nil {
		return nil, 0, fmt.Errorf("cannot read the top picks: %w", err)
	}
	if len(tp.Domains) == 0 {
		return nil, 0, errors.New("the top picks hold no domains")
	}
	var b bytes.Buffer
	b.WriteString(`{"domains":[`)
	for i, rec := range tp.Domains {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for j, k := range append(keys, "source") {
			v, ok := rec[k]
			if !ok {
				return nil, 0, fmt.Errorf("top picks record %d has no %q", i, k)
			}
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%q:", k)
			b.Write(v)
		}
		b.WriteByte('}')
	}
	b.WriteString(`],"partners":`)
	b.Write(partners)
	b.WriteByte('}')
	// Indent keeps every token as written (no HTML escaping, key order kept).
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, 0, err
	}
	out.WriteByte('\n')
	return out.Bytes(), len(tp.Domains), nil
}

// shape returns the keys of the mock's first domain, in order, and its raw "partners".
func shape(mock []byte) ([]string, json.RawMessage, error) {
	var doc struct {
		Domains  []json.RawMessage `json:"domains"`
		Partners json.RawMessage   `json:"partners"`
	}
	if err := json.Unmarshal(mock, &doc); err != nil {
		return nil, nil, err
	}
	if len(doc.Domains) == 0 || doc.Partners == nil {
		return nil, nil, errors.New(`want "domains" with one record and "partners"`)
	}
	dec := json.NewDecoder(bytes.NewReader(doc.Domains[0]))
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, nil, err
		}
	}
	return keys, doc.Partners, nil
}
