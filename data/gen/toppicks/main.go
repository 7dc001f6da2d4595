// Command toppicks builds data/top_picks.json, the sample that `make run` serves for the
// top_picks provider, from the read-only data sets under the shared data folder.
//
// The base is merino-py's dev/top_picks.json (745 real domains), kept record for record in
// rank order. To each record it adds `"source": "top-picks"` (merino-py indexes only those),
// a tippy-top rich icon where merino-py's icon is empty and tippy-top has one for the exact
// host, and `similars`: misspellings of the domain label actually observed in real search
// queries. See data/PROVENANCE.md for the rule and the licences.
//
// Run from the repository root:
//
//	go run ./data/gen/toppicks [-shared ../shared/data] [-out data/top_picks.json]
//
// The output depends only on the inputs: same inputs, same bytes.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

var (
	sharedDir = flag.String("shared", "../shared/data", "folder holding the shared data sets (merino-py/, top-sites/, search-queries/, wordnet/, wikipedia/)")
	outFile   = flag.String("out", "data/top_picks.json", "file to write")
)

// Input files, relative to -shared.
const (
	basePath       = "merino-py/dev/top_picks.json"
	iconsPath      = "top-sites/tippy-top-sites-github/icons-top2000.json"
	mozPath        = "top-sites/top-sites.moz-top500.json"
	queriesGlob    = "search-queries/*.txt.gz"
	wordnetPath    = "wordnet/wordnet31-glosses.jsonl.gz"
	wikiTitlesPath = "wikipedia/enwiki-popular-titles.lower.txt.gz"
)

// maxSimilars caps the similars per domain; minTokenLen drops short tokens, whose distance-1
// neighbours are nearly always other real words.
const (
	maxSimilars = 5
	minTokenLen = 4
)

// record is one entry of top_picks.json. The field order is the order written.
type record struct {
	Rank           int      `json:"rank"`
	Domain         string   `json:"domain"`
	Title          string   `json:"title"`
	URL            string   `json:"url"`
	Icon           string   `json:"icon"`
	Categories     []string `json:"categories"`
	SerpCategories []int    `json:"serp_categories"`
	Source         string   `json:"source"`
	Similars       []string `json:"similars"`
}

func main() {
	flag.Parse()
	if err := run(*sharedDir, *outFile); err != nil {
		fmt.Fprintf(os.Stderr, "toppicks: %s\n", err)
		os.Exit(1)
	}
}

func run(shared, out string) error {
	var base struct {
		Domains []record `json:"domains"`
	}
	if err := readJSON(filepath.Join(shared, basePath), &base); err != nil {
		return err
	}
	recs := base.Domains
	if len(recs) == 0 {
		return fmt.Errorf("no domains in %q", filepath.Join(shared, basePath))
	}
	// Keep rank order even if the base ever stops being sorted.
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Rank < recs[j].Rank })
	for i := range recs {
		if err := checkSerp(recs[i].SerpCategories); err != nil {
			return fmt.Errorf("record %q: %w", recs[i].Domain, err)
		}
		recs[i].Source = "top-picks"
	}

	icons, err := readIcons(filepath.Join(shared, iconsPath))
	if err != nil {
		return err
	}
	iconsAdded := 0
	for i := range recs {
		if recs[i].Icon != "" {
			continue
		}
		if u, ok := icons[hostOf(recs[i].URL)]; ok {
			recs[i].Icon = u
			iconsAdded++
		}
	}

	// Labels of known sites: a token that names another site is not a misspelling.
	siteLabels := make(map[string]bool)
	for _, r := range recs {
		siteLabels[r.Domain] = true
	}
	for host := range icons {
		siteLabels[labelOf(host)] = true
	}
	mozHosts, err := readMoz(filepath.Join(shared, mozPath))
	if err != nil {
		return err
	}
	for _, h := range mozHosts {
		siteLabels[labelOf(h)] = true
	}

	words, err := readVocabulary(shared)
	if err != nil {
		return err
	}
	counts, err := readQueryTokens(shared)
	if err != nil {
		return err
	}

	withSimilars, similarsTotal := 0, 0
	for i := range recs {
		recs[i].Similars = similarsOf(recs[i].Domain, counts, siteLabels, words)
		if n := len(recs[i].Similars); n > 0 {
			withSimilars++
			similarsTotal += n
		}
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // titles carry "&"; keep them readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Domains []record `json:"domains"`
	}{recs}); err != nil {
		return fmt.Errorf("cannot encode top picks: %w", err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("cannot write %q: %w", out, err)
	}
	fmt.Printf("%s: %d records, %d with icons added, %d with similars, %d similars total (%d bytes)\n",
		out, len(recs), iconsAdded, withSimilars, similarsTotal, buf.Len())
	return nil
}

// checkSerp rejects values outside merino-py's SERP category enum, and 11, which the enum
// marks REMOVED.
func checkSerp(cats []int) error {
	for _, c := range cats {
		if c < 0 || c > 19 || c == 11 {
			return fmt.Errorf("invalid serp_category %d", c)
		}
	}
	return nil
}

// similarsOf returns up to maxSimilars misspellings of label observed in the query tokens,
// most frequent first, ties alphabetical. A token qualifies when it
//   - is at least minTokenLen long, lower-case letters, '-' or '\” only (no digits),
//   - is not the label, and not the label of any known site,
//   - is within Damerau-Levenshtein distance 1 of the label and keeps its first letter
//     (people rarely mistype the first letter, while a changed first letter is how most
//     unrelated real words look: bing/king, zillow/willow),
//   - for labels of up to 5 letters, is an adjacent transposition or a doubled/undoubled
//     letter only (any other single edit of a short word is mostly another word: usps/usgs),
//   - is not an English word or name (WordNet lemma, simple inflection of one, or a word
//     of a popular Wikipedia title).
func similarsOf(label string, counts map[string]int, siteLabels, words map[string]bool) []string {
	out := []string{} // "similars": [] rather than null
	if len(label) < minTokenLen {
		return out
	}
	for tok := range counts {
		if len(tok) < minTokenLen || tok[0] != label[0] || siteLabels[tok] || !plainWord(tok) {
			continue
		}
		e := damerau1(label, tok)
		if e == editNone {
			continue
		}
		if len(label) <= 5 && e != editTranspose && e != editDouble && e != editUndouble {
			continue
		}
		if isWord(tok, words) {
			continue
		}
		out = append(out, tok)
	}
	sort.Slice(out, func(i, j int) bool {
		if counts[out[i]] != counts[out[j]] {
			return counts[out[i]] > counts[out[j]]
		}
		return out[i] < out[j]
	})
	if len(out) > maxSimilars {
		out = out[:maxSimilars]
	}
	return out
}

// plainWord reports whether tok is made of a-z, '-' and '\” only. This also skips the few
// query lines that are not valid UTF-8.
func plainWord(tok string) bool {
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if (c < 'a' || c > 'z') && c != '-' && c != '\'' {
			return false
		}
	}
	return true
}

// englishSuffixes are stripped to recognise inflected forms (apples, statues, deeply) of
// WordNet lemmas, which lists base forms only.
var englishSuffixes = []string{"'s", "s", "es", "ed", "d", "ing", "er", "ers", "ly", "y"}

func isWord(tok string, words map[string]bool) bool {
	if words[tok] {
		return true
	}
	for _, s := range englishSuffixes {
		if stem, ok := strings.CutSuffix(tok, s); ok && words[stem] {
			return true
		}
	}
	return false
}

// edit is the kind of single edit that turns one string into another.
type edit int

const (
	editNone       edit = iota // equal, or more than one edit apart
	editSubstitute             // one byte replaced
	editTranspose              // two adjacent bytes swapped
	editInsert                 // one byte added
	editDelete                 // one byte removed
	editDouble                 // one byte added next to a copy of itself (yahooo)
	editUndouble               // one byte of a doubled pair removed (marriot)
)

// damerau1 classifies b as a single edit of a (optimal-string-alignment Damerau-Levenshtein
// distance exactly 1), or returns editNone. It compares bytes, so it is exact for ASCII.
func damerau1(a, b string) edit {
	la, lb := len(a), len(b)
	switch {
	case la == lb:
		i := 0
		for i < la && a[i] == b[i] {
			i++
		}
		if i == la {
			return editNone
		}
		if a[i+1:] == b[i+1:] {
			return editSubstitute
		}
		if i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] {
			return editTranspose
		}
		return editNone
	case lb == la+1:
		i := 0
		for i < la && a[i] == b[i] {
			i++
		}
		if a[i:] != b[i+1:] {
			return editNone
		}
		if c := b[i]; (i > 0 && b[i-1] == c) || (i+1 < lb && b[i+1] == c) {
			return editDouble
		}
		return editInsert
	case la == lb+1:
		switch damerau1(b, a) {
		case editDouble:
			return editUndouble
		case editInsert:
			return editDelete
		}
	}
	return editNone
}

// secondLevelSuffixes are the common two-label public suffixes; a full public suffix list
// is not needed for the hosts in these data sets. For "bbc.co.uk" the label is "bbc".
var secondLevelSuffixes = map[string]bool{
	"co.uk": true, "org.uk": true, "ac.uk": true, "gov.uk": true,
	"com.au": true, "net.au": true, "org.au": true, "edu.au": true, "gov.au": true,
	"co.jp": true, "ne.jp": true, "or.jp": true,
	"co.nz": true, "co.in": true, "co.za": true, "co.kr": true, "co.il": true, "co.id": true,
	"com.br": true, "com.mx": true, "com.ar": true, "com.tr": true, "com.tw": true,
	"com.cn": true, "com.hk": true, "com.sg": true, "com.ua": true,
}

// labelOf returns a host's second-level label without the public suffix, lower-case:
// www.google.com → google, bbc.co.uk → bbc, play.google.com → google.
func labelOf(host string) string {
	parts := strings.Split(strings.Trim(strings.ToLower(host), "."), ".")
	switch n := len(parts); {
	case n == 1:
		return parts[0]
	case n >= 3 && secondLevelSuffixes[parts[n-2]+"."+parts[n-1]]:
		return parts[n-3]
	default:
		return parts[n-2]
	}
}

// hostOf returns rawURL's lower-case host without a leading "www.", the form tippy-top keys
// its icons by.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// readIcons maps each tippy-top domain to its rich icon URL; the first entry for a domain
// wins, so the result follows the file's order.
func readIcons(path string) (map[string]string, error) {
	var entries []struct {
		ImageURL string   `json:"image_url"`
		Domains  []string `json:"domains"`
	}
	if err := readJSON(path, &entries); err != nil {
		return nil, err
	}
	icons := make(map[string]string)
	for _, e := range entries {
		for _, d := range e.Domains {
			d = strings.TrimPrefix(strings.ToLower(d), "www.")
			if _, ok := icons[d]; !ok && e.ImageURL != "" {
				icons[d] = e.ImageURL
			}
		}
	}
	return icons, nil
}

// readMoz returns the root domains of the Moz top 500.
func readMoz(path string) ([]string, error) {
	var entries []struct {
		RootDomain string `json:"rootDomain"`
	}
	if err := readJSON(path, &entries); err != nil {
		return nil, err
	}
	hosts := make([]string, 0, len(entries))
	for _, e := range entries {
		hosts = append(hosts, e.RootDomain)
	}
	return hosts, nil
}

// readVocabulary returns the English words and names used to tell a real word from a
// misspelling: single-word WordNet lemmas and the words of popular Wikipedia titles.
func readVocabulary(shared string) (map[string]bool, error) {
	words := make(map[string]bool)
	err := eachGzipLine(filepath.Join(shared, wordnetPath), func(line string) error {
		var synset struct {
			Words []string `json:"words"`
		}
		if err := json.Unmarshal([]byte(line), &synset); err != nil {
			return err
		}
		for _, w := range synset.Words {
			if w = strings.ToLower(w); !strings.Contains(w, " ") {
				words[w] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachGzipLine(filepath.Join(shared, wikiTitlesPath), func(line string) error {
		for _, t := range tokens(line) {
			words[t] = true
		}
		return nil
	})
	return words, err
}

// readQueryTokens counts the tokens of every query in the search-query sets.
func readQueryTokens(shared string) (map[string]int, error) {
	paths, err := filepath.Glob(filepath.Join(shared, queriesGlob))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("cannot find query sets %q", filepath.Join(shared, queriesGlob))
	}
	counts := make(map[string]int)
	for _, p := range paths { // Glob sorts; counts do not depend on the order anyway
		err := eachGzipLine(p, func(line string) error {
			for _, t := range tokens(line) {
				counts[t]++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return counts, nil
}

// tokens lower-cases s, splits it on white space and '.', and trims punctuation around each
// piece ("google?" → "google"), keeping inner '-' and '\” (wal-mart, macy's).
func tokens(s string) []string {
	fields := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsSpace(r) || r == '.'
	})
	out := fields[:0]
	for _, f := range fields {
		f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read %q (is -shared right?): %w", path, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("cannot parse %q: %w", path, err)
	}
	return nil
}

func eachGzipLine(path string, fn func(line string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read %q (is -shared right?): %w", path, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("cannot gunzip %q: %w", path, err)
	}
	br := bufio.NewReader(zr)
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if line = strings.TrimRight(line, "\r\n"); line != "" {
			if ferr := fn(line); ferr != nil {
				return fmt.Errorf("cannot use %q line %d: %w", path, n, ferr)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cannot read %q: %w", path, err)
		}
	}
}
