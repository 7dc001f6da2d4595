// Command scale writes full-size data for production-scale runs of merino-go (never committed:
// it goes under data/large/ or a temporary directory), deterministically from a seed:
//
//   - wikipedia-<lang>.json.gz: a CirrusSearch content dump (the Elasticsearch bulk format) for
//     each of en, fr, de, it and pl, with production's sizes (6.9M, 2.6M, 2.9M, 1.9M and 1.6M
//     titles);
//   - mars/<country>-<form factor>.json: a MARS response body for each of 10 segments (US, CA,
//     GB, DE and FR × desktop and phone), each the ~319,000 keywords of data/gen/amp's large
//     set, reordered and renumbered per segment.
//
// The titles have the shape of real ones: every English title of ../shared/data/wikipedia is
// kept, and the others are real English titles used as templates (word count, capitals,
// punctuation, years, parenthesised qualifiers) whose words are replaced by words drawn in
// proportion to their frequency: in English from the words of real titles; in French, German,
// Italian and Polish mostly from the place names of GeoNames' cities of France, Germany and
// Austria, Italy and Poland (which carry the languages' letters: é, ß, ü, ł, ż, …) and the
// languages' own function words, the rest from English (names travel between wikis). The
// opening text of each article is a real English lead paragraph with the title put in its
// subject's place. Page views and links follow Zipf's law: an article's popularity_score is
// proportional to 1/rank^0.9 and its incoming_links to 1/rank'^0.8, rank' being the rank
// blurred by a log-normal factor; text_bytes is log-normal (median ≈ 4 KB).
//
// Usage:
//
//	go run ./data/gen/amp -large -out data/large/amp-300k.json   # the adm segment it reuses
//	go run ./data/gen/scale [-shared ../shared/data] [-out data/large/scale] [-seed 1] [-scale 1] [-langs en,fr,de,it,pl] [-amp data/large/amp-300k.json]
//	go run ./data/gen/scale -serve-mars data/large/scale/mars -listen 127.0.0.1:18310
//
// -scale shrinks every size (0.01 writes 1 % of each, for tests). The second form serves the
// MARS bodies as MARS does (GET …/data?country=US&form_factor=desktop, with an ETag), for
// merino's mars backend.
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
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sizes are the production wikis' title counts (issue 18).
var Sizes = map[string]int{"en": 6_900_000, "fr": 2_600_000, "de": 2_900_000, "it": 1_900_000, "pl": 1_600_000}

func main() {
	shared := flag.String("shared", "../shared/data", "the shared data directory")
	out := flag.String("out", "data/large/scale", "the directory to write")
	seed := flag.Uint64("seed", 1, "the seed: the same seed writes the same bytes")
	scale := flag.Float64("scale", 1, "a factor on every size (0 < scale <= 1)")
	langs := flag.String("langs", "en,fr,de,it,pl", "the wikis to write")
	amp := flag.String("amp", "data/large/amp-300k.json", "data/gen/amp's large set, the adm segment every MARS segment derives from (\"\" writes none)")
	serveMARS := flag.String("serve-mars", "", "serve the MARS bodies of this directory instead of generating")
	listen := flag.String("listen", "127.0.0.1:18310", "with -serve-mars: the address to listen on")
	flag.Parse()
	if *serveMARS != "" {
		if err := ServeMARS(*serveMARS, *listen, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "scale:", err)
			os.Exit(1)
		}
		return
	}
	cfg := Config{Shared: *shared, Out: *out, Seed: *seed, Scale: *scale, AMP: *amp}
	if *langs != "" {
		cfg.Langs = strings.Split(*langs, ",")
	}
	if err := Run(cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

// Config is one generation.
type Config struct {
	Shared string
	Out    string
	Seed   uint64
	Scale  float64
	Langs  []string
	// AMP is the large adm set to derive the MARS segments from; "" writes none.
	AMP string
}

// Run writes everything cfg asks for, the wikis two at a time, and a line of figures for each.
func Run(cfg Config, log io.Writer) error {
	if cfg.Scale <= 0 || cfg.Scale > 1 {
		return fmt.Errorf("-scale must be in (0, 1], got %g", cfg.Scale)
	}
	for _, l := range cfg.Langs {
		if _, ok := Sizes[l]; !ok {
			return fmt.Errorf("-langs: unknown wiki %q (en, fr, de, it or pl)", l)
		}
	}
	src, err := loadSources(cfg.Shared)
	if err != nil {
		return err
	}
	return run(src, cfg, log)
}

// run is Run on sources already read.
func run(src *sources, cfg Config, log io.Writer) error {
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return err
	}
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for _, lang := range cfg.Langs {
		wg.Add(1)
		sem <- struct{}{}
		go func(lang string) {
			defer wg.Done()
			defer func() { <-sem }()
			n := max(1, int(math.Round(float64(Sizes[lang])*cfg.Scale)))
			path := filepath.Join(cfg.Out, "wikipedia-"+lang+".json.gz")
			st, err := writeWiki(src, lang, n, cfg.Seed, path)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", lang, err)
				}
				return
			}
			fmt.Fprintf(log, "%s: %d titles (%d real), %.1f characters and %.2f words a title, %.1f%% not ASCII, %.0f MB in %s\n",
				path, st.Titles, st.Real, float64(st.Runes)/float64(st.Titles), float64(st.Words)/float64(st.Titles),
				100*float64(st.NonASCII)/float64(st.Titles), float64(st.Bytes)/1e6, st.Elapsed.Round(time.Second))
		}(lang)
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if cfg.AMP != "" {
		n, err := writeMARS(cfg.AMP, filepath.Join(cfg.Out, "mars"), cfg.Seed)
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "%s: %d segments\n", filepath.Join(cfg.Out, "mars"), n)
	}
	return nil
}

// sources are what the shared data gives.
type sources struct {
	titles    []string // real English titles, in page-id order
	abstracts []string // their lead paragraphs
	english   *vocab   // the words of real titles, by frequency
	native    map[string]*vocab
}

func loadSources(shared string) (*sources, error) {
	s := &sources{native: map[string]*vocab{}}
	wiki := filepath.Join(shared, "wikipedia")
	type article struct {
		Title    string `json:"title"`
		Abstract string `json:"abstract"`
	}
	counts := map[string]int{}
	err := readGzipLines(filepath.Join(wiki, "enwiki-abstracts.jsonl.gz"), func(l []byte) error {
		var a article
		if err := json.Unmarshal(l, &a); err != nil {
			return err
		}
		if a.Title == "" || a.Abstract == "" {
			return nil
		}
		s.titles = append(s.titles, a.Title)
		s.abstracts = append(s.abstracts, a.Abstract)
		for _, w := range strings.Fields(a.Title) {
			if core := coreWord(w); isWord(core) {
				counts[core]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot read the English titles: %w", err)
	}
	// The popular titles are lower case: they count their words' frequency, capitals aside.
	err = readGzipLines(filepath.Join(wiki, "enwiki-popular-titles.lower.txt.gz"), func(l []byte) error {
		for _, w := range strings.Fields(string(l)) {
			if core := coreWord(w); isWord(core) && counts[core] == 0 {
				counts[core]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot read the popular titles: %w", err)
	}
	for fw := range englishFunctionWords {
		delete(counts, fw)
	}
	s.english = newVocab(counts)
	if err := loadPlaceNames(filepath.Join(shared, "geonames-cities", "cities1000.txt.gz"), s.native); err != nil {
		return nil, fmt.Errorf("cannot read the place names: %w", err)
	}
	if len(s.titles) == 0 || s.english.len() == 0 {
		return nil, errors.New("the shared corpus holds no titles")
	}
	return s, nil
}

// countries are the GeoNames countries whose place names give each wiki its words.
var countries = map[string][]string{"fr": {"FR"}, "de": {"DE", "AT"}, "it": {"IT"}, "pl": {"PL"}}

// loadPlaceNames counts the words of the place names of each wiki's countries (GeoNames'
// name column, the local spelling).
func loadPlaceNames(path string, into map[string]*vocab) error {
	lang := map[string]string{}
	for l, cs := range countries {
		for _, c := range cs {
			lang[c] = l
		}
	}
	counts := map[string]map[string]int{}
	err := readGzipLines(path, func(l []byte) error {
		cols := strings.Split(string(l), "\t")
		if len(cols) < 9 {
			return nil
		}
		wl, ok := lang[cols[8]]
		if !ok {
			return nil
		}
		if counts[wl] == nil {
			counts[wl] = map[string]int{}
		}
		for _, w := range strings.FieldsFunc(cols[1], func(r rune) bool { return r == ' ' || r == '-' || r == '\'' || r == '’' || r == '/' }) {
			if isWord(w) && utf8.RuneCountInString(w) > 1 {
				counts[wl][w]++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for l := range countries {
		if len(counts[l]) == 0 {
			return fmt.Errorf("no place names for %s", l)
		}
		into[l] = newVocab(counts[l])
	}
	return nil
}

// coreWord strips the punctuation around a word.
func coreWord(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) && r != '.' && r != '\'' })
}

// isWord: letters only (apostrophes and dots inside allowed), no digit.
func isWord(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && r != '\'' && r != '.' && r != '’' {
			return false
		}
	}
	return true
}

// vocab draws words in proportion to their counts.
type vocab struct {
	words []string
	cum   []uint64 // cum[i] = sum of the counts of words[:i+1]
}

func newVocab(counts map[string]int) *vocab {
	v := &vocab{}
	for w := range counts {
		v.words = append(v.words, w)
	}
	// By count, then by word: the order (and so every draw) must not depend on map order.
	sort.Slice(v.words, func(i, j int) bool {
		if ci, cj := counts[v.words[i]], counts[v.words[j]]; ci != cj {
			return ci > cj
		}
		return v.words[i] < v.words[j]
	})
	var sum uint64
	for _, w := range v.words {
		sum += uint64(counts[w])
		v.cum = append(v.cum, sum)
	}
	return v
}

func (v *vocab) len() int { return len(v.words) }

func (v *vocab) draw(r *rand.Rand) string {
	x := r.Uint64N(v.cum[len(v.cum)-1])
	lo, hi := 0, len(v.cum)
	for lo < hi {
		m := (lo + hi) / 2
		if v.cum[m] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return v.words[lo]
}

// englishFunctionWords maps the commonest small words of English titles to each wiki's own.
var englishFunctionWords = map[string]map[string]string{
	"of":   {"fr": "de", "de": "von", "it": "di", "pl": "w"},
	"the":  {"fr": "le", "de": "der", "it": "il", "pl": ""},
	"in":   {"fr": "en", "de": "in", "it": "in", "pl": "w"},
	"and":  {"fr": "et", "de": "und", "it": "e", "pl": "i"},
	"on":   {"fr": "sur", "de": "am", "it": "su", "pl": "na"},
	"for":  {"fr": "pour", "de": "für", "it": "per", "pl": "dla"},
	"a":    {"fr": "la", "de": "die", "it": "la", "pl": ""},
	"at":   {"fr": "à", "de": "bei", "it": "a", "pl": "przy"},
	"to":   {"fr": "à", "de": "zu", "it": "da", "pl": "do"},
	"by":   {"fr": "par", "de": "durch", "it": "da", "pl": "przez"},
	"with": {"fr": "avec", "de": "mit", "it": "con", "pl": "z"},
	"from": {"fr": "du", "de": "aus", "it": "dal", "pl": "od"},
}

// nativeShare is how many of a non-English title's words are the wiki's own.
const nativeShare = 0.7

// stats describe one written wiki.
type stats struct {
	Titles, Real, Runes, Words, NonASCII int
	Bytes                                int64
	Elapsed                              time.Duration
}

// writeWiki writes n articles of wiki lang to path.
func writeWiki(src *sources, lang string, n int, seed uint64, path string) (stats, error) {
	start := time.Now()
	var st stats
	f, err := os.Create(path)
	if err != nil {
		return st, err
	}
	defer f.Close()
	cw := &countingWriter{w: f}
	zw, _ := gzip.NewWriterLevel(cw, gzip.BestSpeed)
	bw := bufio.NewWriterSize(zw, 1<<20)
	g := newTitleGen(src, lang, seed)
	ranks := newPermutation(n, seed^0x5eed)
	norm := zipfNorm(n, popularityExponent)
	topLinks := 1_500_000 * float64(n) / float64(Sizes["en"])
	r := rand.New(rand.NewPCG(seed, hashString("doc-"+lang)))
	var buf []byte
	for i := 0; i < n; i++ {
		title, real := g.next(i)
		st.Titles++
		if real {
			st.Real++
		}
		st.Runes += utf8.RuneCountInString(title)
		st.Words += len(strings.Fields(title))
		if !isASCII(title) {
			st.NonASCII++
		}
		rank := ranks.at(i) + 1
		doc := docFigures{
			PageID:     int64(12 + 3*i + r.IntN(3)),
			Popularity: math.Pow(float64(rank), -popularityExponent) / norm,
			Links:      int64(topLinks * math.Pow(float64(rank)*math.Exp(r.NormFloat64()*0.7), -0.8)),
			TextBytes:  int64(math.Exp(8.3 + r.NormFloat64())),
			Headings:   r.IntN(12),
			Redirects:  int(r.ExpFloat64() * 1.5),
		}
		doc.OpeningText = openingText(title, src.abstracts[r.IntN(len(src.abstracts))])
		buf = appendDoc(buf[:0], title, &doc)
		if _, err := bw.Write(buf); err != nil {
			return st, err
		}
	}
	if err := bw.Flush(); err != nil {
		return st, err
	}
	if err := zw.Close(); err != nil {
		return st, err
	}
	if err := f.Close(); err != nil {
		return st, err
	}
	st.Bytes, st.Elapsed = cw.n, time.Since(start)
	return st, nil
}

// popularityExponent is Zipf's s for page views.
const popularityExponent = 0.9

func zipfNorm(n int, s float64) float64 {
	sum := 0.0
	for r := 1; r <= n; r++ {
		sum += math.Pow(float64(r), -s)
	}
	return sum
}

// openingText puts title in the subject's place of a real lead paragraph ("Anarchism is a
// political philosophy…" → "<title> is a political philosophy…").
func openingText(title, abstract string) string {
	for _, verb := range []string{" is ", " was "} {
		if i := strings.Index(abstract, verb); i > 0 && i < 80 {
			return title + abstract[i:]
		}
	}
	return title + ": " + abstract
}

// titleGen makes unique titles for one wiki.
type titleGen struct {
	src    *sources
	lang   string
	r      *rand.Rand
	seen   map[uint64]struct{}
	tokens []string
}

func newTitleGen(src *sources, lang string, seed uint64) *titleGen {
	return &titleGen{src: src, lang: lang, r: rand.New(rand.NewPCG(seed, hashString("titles-"+lang))), seen: map[uint64]struct{}{}}
}

// next returns the i-th title and whether it is a real one. English starts with every real
// title; the rest are made from templates, retried until unique, then qualified.
func (g *titleGen) next(i int) (string, bool) {
	if g.lang == "en" && i < len(g.src.titles) {
		if g.add(g.src.titles[i]) {
			return g.src.titles[i], true
		}
	}
	for try := 0; ; try++ {
		t := g.fromTemplate(g.src.titles[g.r.IntN(len(g.src.titles))])
		switch {
		case try >= 16:
			t += " (" + strconv.Itoa(try) + ")"
		case try >= 8:
			t += " (" + capitalize(g.word()) + ")"
		}
		if g.add(t) {
			return t, false
		}
	}
}

func (g *titleGen) add(t string) bool {
	h := hashString(t)
	if _, dup := g.seen[h]; dup || t == "" {
		return false
	}
	g.seen[h] = struct{}{}
	return true
}

// word draws one word for the wiki.
func (g *titleGen) word() string {
	if v := g.src.native[g.lang]; v != nil && g.r.Float64() < nativeShare {
		return v.draw(g.r)
	}
	return g.src.english.draw(g.r)
}

// fromTemplate keeps a real title's shape and replaces its words.
func (g *titleGen) fromTemplate(tmpl string) string {
	g.tokens = g.tokens[:0]
	for _, tok := range strings.Fields(tmpl) {
		lead, core, trail := splitPunct(tok)
		switch {
		case core == "" || strings.ContainsFunc(core, unicode.IsDigit):
		case englishFunctionWords[core] != nil:
			if g.lang != "en" {
				core = englishFunctionWords[core][g.lang]
			}
		case len(core) > 1 && strings.ToUpper(core) == core:
			// an acronym: kept in every wiki
		default:
			w := g.word()
			first, _ := utf8.DecodeRuneInString(core)
			if unicode.IsUpper(first) {
				w = capitalize(w)
			} else {
				w = strings.ToLower(w)
			}
			core = w
		}
		if t := lead + core + trail; t != "" {
			g.tokens = append(g.tokens, t)
		}
	}
	return strings.Join(g.tokens, " ")
}

func splitPunct(tok string) (lead, core, trail string) {
	i := strings.IndexFunc(tok, func(r rune) bool { return !unicode.IsPunct(r) })
	if i < 0 {
		return tok, "", ""
	}
	j := strings.LastIndexFunc(tok, func(r rune) bool { return !unicode.IsPunct(r) })
	_, n := utf8.DecodeRuneInString(tok[j:])
	return tok[:i], tok[i : j+n], tok[j+n:]
}

func capitalize(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[n:]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// hashString is FNV-1a: stable across runs, unlike maphash.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// permutation is a pseudo-random bijection of [0, n): i → (a·i + b) mod n with a coprime to n.
type permutation struct{ n, a, b uint64 }

func newPermutation(n int, seed uint64) permutation {
	r := rand.New(rand.NewPCG(seed, 1))
	p := permutation{n: uint64(n), b: r.Uint64N(uint64(n))}
	for p.a = r.Uint64N(uint64(n)) | 1; gcd(p.a, p.n) != 1; p.a += 2 {
	}
	return p
}

// at is the image of i; a·i fits in 64 bits for the sizes here (a, i < 2^32).
func (p permutation) at(i int) int {
	return int((p.a*uint64(i)%p.n + p.b) % p.n)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func readGzipLines(path string, each func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if err := each(sc.Bytes()); err != nil {
			return err
		}
	}
	return sc.Err()
}
