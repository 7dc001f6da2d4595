// Command wikipedia derives data/wikipedia-en.sample.json.gz, a small CirrusSearch-format dump
// of real English Wikipedia articles, from ../shared/data/wikipedia (see data/PROVENANCE.md).
//
//	go run ./data/gen/wikipedia -shared ../shared/data -out data/wikipedia-en.sample.json.gz -n 4000
//
// The shared corpus has each article's title, page id and opening paragraphs, but not the
// link, size and page-view figures merino-py's weight is computed from. They are derived,
// from the corpus alone, as follows (and nothing else is made up):
//
//   - incoming_links: how many other articles of the corpus mention the title, word for word
//     and case-sensitively, in their opening paragraphs; multiplied by 6,500,000 / corpus size
//     (the corpus is about 1 % of English Wikipedia, so each mention stands for that many
//     links in the whole wiki), rounded.
//   - popularity_score: the article's share of all such mentions (plus one, so that every
//     article has some), counting a title of compromise-wikipedia's list of ~38,000 popular
//     articles as 10 extra mentions; multiplied by corpus size / 6,500,000 so that it reads as
//     a share of the whole wiki's page views, as CirrusSearch's does.
//   - text_bytes: the UTF-8 length of the opening paragraphs we have (less than the article).
//   - opening_text: the first paragraph; namespace 0; page_id and _id: the enwiki page id.
//
// The sample keeps the n articles with the most derived mentions (ties: lower page id),
// written in page-id order; -n 0 writes the whole corpus (for local benchmarks). The gzip
// stream has no name and no timestamp, so the output is reproducible byte for byte.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// enwikiSize is merino-py's max_docs default, the size of English Wikipedia the weight formula
// assumes.
const enwikiSize = 6_500_000

// maxTitleWords bounds the titles looked for in the text (longer ones are rarely quoted).
const maxTitleWords = 6

type article struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Abstract string `json:"abstract"`
	LeadMore string `json:"lead_more"`

	mentions int
	popular  bool
}

// cirrusDoc is the document line written for an article, in CirrusSearch's field names.
type cirrusDoc struct {
	PageID          int64       `json:"page_id"`
	Namespace       int         `json:"namespace"`
	Title           string      `json:"title"`
	OpeningText     string      `json:"opening_text"`
	TextBytes       int         `json:"text_bytes"`
	IncomingLinks   int64       `json:"incoming_links"`
	PopularityScore json.Number `json:"popularity_score"`
}

func main() {
	shared := flag.String("shared", "../shared/data", "the shared data directory")
	out := flag.String("out", "data/wikipedia-en.sample.json.gz", "the dump to write (.gz: compressed)")
	n := flag.Int("n", 4000, "how many articles to keep; 0 keeps all")
	flag.Parse()
	if err := run(*shared, *out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "wikipedia:", err)
		os.Exit(1)
	}
}

func run(shared, out string, n int) error {
	arts, err := readArticles(filepath.Join(shared, "wikipedia", "enwiki-abstracts.jsonl.gz"))
	if err != nil {
		return err
	}
	popular, err := readPopular(filepath.Join(shared, "wikipedia", "enwiki-popular-titles.lower.txt.gz"))
	if err != nil {
		return err
	}
	countMentions(arts)
	for _, a := range arts {
		a.popular = popular[strings.ToLower(a.Title)]
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	var w io.Writer = f
	var zw *gzip.Writer
	if strings.HasSuffix(out, ".gz") {
		zw, _ = gzip.NewWriterLevel(f, gzip.BestCompression)
		w = zw
	}
	bw := bufio.NewWriter(w)
	if err := write(bw, arts, n); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	return f.Close()
}

func readArticles(path string) ([]*article, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var arts []*article
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		a := &article{}
		if err := json.Unmarshal(sc.Bytes(), a); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if a.Title != "" {
			arts = append(arts, a)
		}
	}
	return arts, sc.Err()
}

func readPopular(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			set[t] = true
		}
	}
	return set, sc.Err()
}

// countMentions sets each article's mentions: the number of other articles whose text holds
// its title as a run of whole words.
func countMentions(arts []*article) {
	byTitle := map[string]int{}
	for i, a := range arts {
		if len(words(a.Title)) <= maxTitleWords {
			byTitle[strings.Join(words(a.Title), " ")] = i
		}
	}
	for i, a := range arts {
		ws := words(a.Abstract + " " + a.LeadMore)
		seen := map[int]bool{}
		for s := range ws {
			for l := 1; l <= maxTitleWords && s+l <= len(ws); l++ {
				if j, ok := byTitle[strings.Join(ws[s:s+l], " ")]; ok && j != i && !seen[j] {
					seen[j] = true
					arts[j].mentions++
				}
			}
		}
	}
}

// words splits text into words, trimming punctuation around each.
func words(s string) []string {
	fields := strings.Fields(s)
	out := fields[:0]
	for _, f := range fields {
		f = strings.TrimFunc(f, unicode.IsPunct)
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

func write(w io.Writer, arts []*article, n int) error {
	if len(arts) == 0 {
		return errors.New("no articles")
	}
	scale := float64(enwikiSize) / float64(len(arts))
	total := 0.0
	for _, a := range arts {
		total += share(a)
	}
	keep := append([]*article(nil), arts...)
	sort.SliceStable(keep, func(i, j int) bool {
		if keep[i].mentions != keep[j].mentions {
			return keep[i].mentions > keep[j].mentions
		}
		return keep[i].ID < keep[j].ID
	})
	if n > 0 && n < len(keep) {
		keep = keep[:n]
	}
	sort.Slice(keep, func(i, j int) bool { return keep[i].ID < keep[j].ID })
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, a := range keep {
		id := strconv.FormatInt(a.ID, 10)
		if _, err := fmt.Fprintf(w, "{\"index\":{\"_id\":%q}}\n", id); err != nil {
			return err
		}
		pop := share(a) / total / scale
		doc := cirrusDoc{
			PageID:          a.ID,
			Title:           a.Title,
			OpeningText:     a.Abstract,
			TextBytes:       len(a.Abstract) + len(a.LeadMore),
			IncomingLinks:   int64(math.Round(float64(a.mentions) * scale)),
			PopularityScore: json.Number(strconv.FormatFloat(pop, 'g', 4, 64)), // a short decimal
		}
		if err := enc.Encode(doc); err != nil {
			return err
		}
	}
	return nil
}

// share is an article's count in the popularity share.
func share(a *article) float64 {
	s := float64(a.mentions + 1)
	if a.popular {
		s += 10
	}
	return s
}
