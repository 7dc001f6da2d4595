// Command curated builds data/curated/, the offline New Tab bundle `make run` serves: merino-py's
// recorded curated-corpus GraphQL responses (copied verbatim, MPL-2.0) and a synthetic
// engagement and prior file derived deterministically from the corpus ids in them (see
// data/PROVENANCE.md). Same inputs, same bytes.
//
//	go run ./data/gen/curated -shared ../shared/data -out data/curated
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// copies maps merino-py's fixture names (tests/data/) to the names corpus.Files reads.
var copies = [][2]string{
	{"scheduled_surface.json", "scheduled_surface.json"},
	{"sections.json", "sections.json"},
	{"sections_gb.json", "sections.NEW_TAB_EN_GB.json"},
	{"sections_ca.json", "sections.NEW_TAB_EN_CA.json"},
	{"sections_ie.json", "sections.NEW_TAB_EN_IE.json"},
}

// legacyTopics are the section ids of the flat feed (merino-py's Topic values).
var legacyTopics = map[string]bool{"business": true, "career": true, "arts": true, "food": true, "health": true,
	"home": true, "finance": true, "government": true, "sports": true, "tech": true, "travel": true,
	"education": true, "hobbies": true, "society-parenting": true, "education-science": true, "society": true}

func main() {
	shared := flag.String("shared", "../shared/data", "the shared data directory")
	out := flag.String("out", "data/curated", "the output directory")
	flag.Parse()
	if err := run(filepath.Join(*shared, "merino-py", "tests", "data"), *out); err != nil {
		fmt.Fprintln(os.Stderr, "curated:", err)
		os.Exit(1)
	}
}

type corpusItem struct {
	ID string `json:"id"`
}

func run(src, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	ids := map[string]string{} // corpus id → scheduled id ("" for section items)
	var reportable []string    // en-US legacy-topic ids, in response order
	for _, c := range copies {
		data, err := os.ReadFile(filepath.Join(src, c[0]))
		if err != nil {
			return fmt.Errorf("cannot read the fixture: %w", err)
		}
		if err := os.WriteFile(filepath.Join(out, c[1]), data, 0o644); err != nil {
			return err
		}
		var doc struct {
			Data struct {
				ScheduledSurface struct {
					Items []struct {
						ID         string     `json:"id"`
						CorpusItem corpusItem `json:"corpusItem"`
					} `json:"items"`
				} `json:"scheduledSurface"`
				GetSections []struct {
					ExternalID   string `json:"externalId"`
					SectionItems []struct {
						CorpusItem corpusItem `json:"corpusItem"`
					} `json:"sectionItems"`
				} `json:"getSections"`
			} `json:"data"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("%s: %w", c[0], err)
		}
		for _, it := range doc.Data.ScheduledSurface.Items {
			ids[it.CorpusItem.ID] = it.ID
		}
		for _, s := range doc.Data.GetSections {
			for _, it := range s.SectionItems {
				if _, ok := ids[it.CorpusItem.ID]; !ok {
					ids[it.CorpusItem.ID] = ""
				}
				if c[0] == "sections.json" && legacyTopics[s.ExternalID] {
					reportable = append(reportable, it.CorpusItem.ID)
				}
			}
		}
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)

	type row struct {
		ScheduledCorpusItemID string `json:"scheduled_corpus_item_id,omitempty"`
		CorpusItemID          string `json:"corpus_item_id"`
		Region                string `json:"region,omitempty"`
		ClickCount            int64  `json:"click_count"`
		ImpressionCount       int64  `json:"impression_count"`
		ReportCount           int64  `json:"report_count,omitempty"`
	}
	var rows []row
	usRow := map[string]int{}
	for _, id := range sorted {
		h := hash(id)
		if h%5 == 0 {
			continue // no engagement yet: ranked on the prior, as a brand-new story
		}
		imp := int64(200_000 + h%1_800_000)
		ctr := 0.002 + float64((h/7)%1000)/50_000
		rows = append(rows, row{ScheduledCorpusItemID: ids[id], CorpusItemID: id, ClickCount: int64(float64(imp) * ctr), ImpressionCount: imp})
		if h%4 != 0 {
			continue
		}
		shift := 1.2
		if h%2 == 1 {
			shift = 0.8
		}
		for _, region := range []string{"US", "GB", "CA", "DE"} {
			if region == "US" {
				usRow[id] = len(rows)
			}
			rows = append(rows, row{ScheduledCorpusItemID: ids[id], CorpusItemID: id, Region: region,
				ClickCount: int64(float64(imp/10) * ctr * shift), ImpressionCount: imp / 10})
		}
	}
	// Two stories reported often enough in the US to be taken down there (ratio > 0.001 and at
	// least 20 reports), so that `make run` exercises the takedown.
	reported := 0
	for _, id := range reportable {
		i, ok := usRow[id]
		if !ok || reported == 2 {
			continue
		}
		rows[i].ReportCount = rows[i].ImpressionCount/500 + 20
		reported++
	}
	if reported < 2 {
		return fmt.Errorf("found %d en-US legacy-topic stories with US engagement, want 2", reported)
	}
	if err := writeRows(filepath.Join(out, "engagement.json"), len(rows), func(i int) any { return rows[i] }); err != nil {
		return err
	}

	type prior struct {
		Region                 string  `json:"region,omitempty"`
		AverageCTRTop2Items    float64 `json:"average_ctr_top2_items"`
		AverageCTRTop10Items   float64 `json:"average_ctr_top10_items"`
		ImpressionsPerItem     float64 `json:"impressions_per_item"`
		TotalImpressionsPerDay float64 `json:"total_impressions_per_day"`
	}
	priors := []prior{
		{"", 0.015, 0.01, 150_000, 90_000_000},
		{"US", 0.02, 0.012, 200_000, 60_000_000},
		{"GB", 0.012, 0.008, 100_000, 8_000_000},
		{"CA", 0.018, 0.011, 120_000, 6_000_000},
		{"DE", 0.01, 0.007, 180_000, 12_000_000},
	}
	if err := writeRows(filepath.Join(out, "prior.json"), len(priors), func(i int) any { return priors[i] }); err != nil {
		return err
	}
	fmt.Printf("curated: %d corpus ids, %d engagement rows, %d reported, %d priors\n", len(sorted), len(rows), reported, len(priors))
	return nil
}

// hash is the first 8 hex digits of SHA-256(id) as an integer.
func hash(id string) uint64 {
	sum := sha256.Sum256([]byte(id))
	v, _ := strconv.ParseUint(hex.EncodeToString(sum[:4]), 16, 64)
	return v
}

// writeRows writes a JSON array with one row per line (diffable).
func writeRows(path string, n int, row func(int) any) error {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i := 0; i < n; i++ {
		line, err := json.Marshal(row(i))
		if err != nil {
			return err
		}
		b.Write(line)
		if i < n-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return os.WriteFile(path, b.Bytes(), 0o644)
}
