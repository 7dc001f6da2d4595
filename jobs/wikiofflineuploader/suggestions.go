package wikiofflineuploader

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/base64"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/cases"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/jobs/wikimedia"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/pycsv"
	"github.com/mozilla-services/merino-go/pystr"
)

// merino-py's constants (make_suggestions.py, downloader.py).
const (
	topN           = 7000 // suggestions per language
	rankedN        = topN + 1000
	maxKeywords    = 25
	minKeywords    = 3
	minKeywordLen  = 2
	iconID         = "161351842074695"
	iabCategory    = "5 - Education"
	advertiserName = "Wikipedia"
)

// Blocklists: titles of pages never suggested, base64 of the lower-case title with _ for
// spaces (merino-py's page_ignore.csv and dynamic_wikipedia_blocklist.csv, MPL-2.0).
var (
	//go:embed page_ignore.csv
	pageIgnore []byte
	//go:embed dynamic_wikipedia_blocklist.csv.gz
	dynamicBlocklist []byte
)

var blocklist = sync.OnceValues(func() (map[string]bool, error) {
	zr, err := gzip.NewReader(bytes.NewReader(dynamicBlocklist))
	if err != nil {
		return nil, err
	}
	dynamic, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for name, data := range map[string][]byte{"page_ignore.csv": pageIgnore, "dynamic_wikipedia_blocklist.csv": dynamic} {
		d := pycsv.NewDictReader(bytes.NewReader(data))
		h, err := d.Header()
		if err != nil || h == nil || !h.Has("title") {
			return nil, fmt.Errorf("embedded %s: no title column", name)
		}
		for {
			rec, err := d.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("embedded %s: %w", name, err)
			}
			v, _ := h.Get(rec, "title")
			title, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, fmt.Errorf("embedded %s row %d: %w", name, d.Row(), err)
			}
			set[string(title)] = true
		}
	}
	return set, nil
})

// internalPage is merino-py's INTERNAL_PAGES: "Special:Search", "File:X.svg", ...
var internalPage = regexp.MustCompile(`[0-9A-Za-z]:[0-9A-Za-z]`)

// ranked is a title and its views.
type ranked struct {
	title string
	views int64
}

// rank returns the top rankedN titles of a language's days, most viewed first, ties broken
// by title (merino-py's order depends on the order its files are listed). Internal pages and
// titles whose case-folded form is blocklisted are left out. days are newest first. In
// frequency mode every day counts; in recency mode the walk stops after the day on which
// rankedN distinct titles were reached.
//
// merino-py's recency mode compares titles with the blocklists' base64 strings (so blocks
// nothing) and walks the days oldest first although its documentation says newest first; both
// are fixed here.
func rank(days [][]wikimedia.Article, recency bool, blocked map[string]bool) []ranked {
	fold := cases.Fold()
	views := map[string]int64{}
	for _, day := range days {
		for _, a := range day {
			if internalPage.MatchString(a.Article) || blocked[fold.String(a.Article)] {
				continue
			}
			views[a.Article] += a.Views
		}
		if recency && len(views) >= rankedN {
			break
		}
	}
	out := make([]ranked, 0, len(views))
	for t, v := range views {
		out = append(out, ranked{t, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].views != out[j].views {
			return out[i].views > out[j].views
		}
		return out[i].title < out[j].title
	})
	if len(out) > rankedN {
		out = out[:rankedN]
	}
	return out
}

// isSkipWord is merino-py's SKIP_WORDS, re.match(r"(\d+|the|an|a)$", word): a word of
// (Unicode) digits, or the, an, a.
func isSkipWord(w string) bool {
	switch w {
	case "the", "an", "a":
		return true
	case "":
		return false
	}
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// keywords is merino-py's make_keywords: the prefixes of the space-joined words from two
// characters long (or two characters past leading skip words) to the whole, less those seen,
// at most maxKeywords. Lengths count characters, as Python's do.
func keywords(words []string, seen map[string]bool) []string {
	n := 0
	for n < len(words) && isSkipWord(words[n]) {
		n++
	}
	begin := minKeywordLen
	if n > 0 {
		begin = len([]rune(strings.Join(words[:n], " "))) + 1 + minKeywordLen
	}
	all := []rune(strings.Join(words, " "))
	var out []string
	for i := begin; i <= len(all) && len(out) < maxKeywords; i++ {
		if k := string(all[:i]); !seen[k] {
			out = append(out, k)
		}
	}
	return out
}

// suggestions is merino-py's make_suggestions for one language: each ranked title with at
// least minKeywords unseen keywords becomes a suggestion, most popular first, until topN.
func suggestions(lang string, titles []ranked, score float64) []any {
	seen := map[string]bool{}
	wiki := "Wikipedia"
	if lang == "fr" {
		wiki = "Wikipédia"
	}
	var out []any
	for _, r := range titles {
		if len(out) == topN {
			break
		}
		kws := keywords(strings.Split(pystr.Lower(r.title), "_"), seen)
		if len(kws) < minKeywords {
			continue
		}
		for _, k := range kws {
			seen[k] = true
		}
		spaced := strings.ReplaceAll(r.title, "_", " ")
		out = append(out, jsonw.Object{
			{Key: "id", Value: 0},
			{Key: "url", Value: "https://" + lang + ".wikipedia.org/wiki/" + httpurl.Quote(r.title, "/")},
			{Key: "iab_category", Value: iabCategory},
			{Key: "icon", Value: iconID},
			{Key: "advertiser", Value: advertiserName},
			{Key: "title", Value: wiki + " - " + spaced},
			{Key: "keywords", Value: kws},
			{Key: "full_keywords", Value: []any{[]any{spaced, len(kws)}}},
			{Key: "score", Value: score},
		})
	}
	return out
}
