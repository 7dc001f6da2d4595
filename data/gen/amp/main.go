// Command amp generates MARS-format AMP suggestion data (`{"suggestions":[...]}`) for the adm
// provider's file backend and benchmarks, from real data:
//
//   - merino-py's own AMP fixtures (extracted-fixtures/amp), verbatim;
//   - real brands, domains, titles, icons and SERP categories from merino-py's
//     dev/top_picks.json, Mozilla's tippy-top-sites icons and the Moz top 500 (large set);
//   - keywords as users type them: every prefix of the brand from 2 characters, running on
//     into the domain ("am" … "amazon" … "amazon.com"), then real search phrases that start
//     with the brand ("amazon kindle"), each typed prefix by prefix.
//
// The small set (the default) is committed as data/amp.json and uses only phrases from Natural
// Questions (CC BY-SA 3.0). The large set (-large: about 5,000 suggestions and 300,000
// keywords, the order of Firefox's real AMP data) also draws on the TREC Million Query and MS
// MARCO queries, whose terms allow internal benchmarking only: it is written under data/large/
// (git-ignored) and never committed. Click and impression URLs are synthetic (ads.example.com):
// real ones are per-partner tracking URLs.
//
//	go run ./data/gen/amp -out data/amp.json
//	go run ./data/gen/amp -large -out data/large/amp-300k.json
package main

import (
	"bufio"
	"compress/gzip"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

func main() {
	shared := flag.String("shared", "../shared/data", "the shared data directory")
	out := flag.String("out", "data/amp.json", "output file")
	large := flag.Bool("large", false, "generate the benchmark set (~5,000 suggestions, ~300,000 keywords)")
	flag.Parse()
	cfg := Config{Shared: *shared, Large: *large}
	data, st, err := Generate(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "amp:", err)
		os.Exit(1)
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "amp:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "amp:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: %d suggestions, %d keywords, %d bytes\n", *out, st.Suggestions, st.Keywords, len(data))
}

// Config chooses the inputs and the size.
type Config struct {
	Shared string
	Large  bool
}

// Stats counts what was generated.
type Stats struct{ Suggestions, Keywords int }

// suggestion is a MARS suggestion object, in MARS's field order.
type suggestion struct {
	ID             int      `json:"id"`
	Advertiser     string   `json:"advertiser"`
	ClickURL       string   `json:"click_url"`
	FullKeywords   [][2]any `json:"full_keywords"`
	IABCategory    string   `json:"iab_category"`
	Icon           string   `json:"icon"`
	SerpCategories []int    `json:"serp_categories"`
	ImpressionURL  string   `json:"impression_url"`
	Keywords       []string `json:"keywords"`
	Title          string   `json:"title"`
	URL            string   `json:"url"`
	HeaderText     *string  `json:"header_text,omitempty"`
	SuggestionID   *string  `json:"suggestion_id,omitempty"`
	TopPickPrefix  *string  `json:"top_pick_prefix,omitempty"`
}

type brand struct {
	label, host, url, title, icon string
	categories                    []string
	serp                          []int
}

const (
	smallBrands      = 300
	smallPhrases     = 3
	largePhrases     = 8
	largeSuggestions = 5000
	largeKeywords    = 300000
)

// Generate builds the document.
func Generate(cfg Config) ([]byte, Stats, error) {
	var sugs []json.RawMessage
	var st Stats
	// merino-py's fixtures first, verbatim: the sample must answer its tests' queries.
	for _, f := range []string{"mars_response_US_desktop.json", "moz_merino_ext_test_amp_data.json"} {
		raw, err := os.ReadFile(filepath.Join(cfg.Shared, "merino-py/extracted-fixtures/amp", f))
		if err != nil {
			return nil, st, err
		}
		var list []json.RawMessage
		var doc struct{ Suggestions []json.RawMessage }
		if json.Unmarshal(raw, &doc) == nil && doc.Suggestions != nil {
			list = doc.Suggestions
		} else if err := json.Unmarshal(raw, &list); err != nil {
			return nil, st, fmt.Errorf("cannot read %s: %w", f, err)
		}
		for _, s := range list {
			var kw struct{ Keywords []string }
			_ = json.Unmarshal(s, &kw)
			st.Keywords += len(kw.Keywords)
			sugs = append(sugs, withIconURL(s))
		}
	}

	brands, err := loadBrands(cfg)
	if err != nil {
		return nil, st, err
	}
	phraseFiles := []string{"natural-questions-open-queries.txt.gz"}
	if cfg.Large {
		phraseFiles = append(phraseFiles, "trec-million-query-2007-2009.txt.gz", "msmarco-passage-dev-small-queries.txt.gz")
	}
	var queries []string
	for _, f := range phraseFiles {
		qs, err := readQueries(filepath.Join(cfg.Shared, "search-queries", f))
		if err != nil {
			return nil, st, err
		}
		queries = append(queries, qs...)
	}
	byFirst := map[string][]string{}
	seenQ := map[string]bool{}
	for _, q := range queries {
		if seenQ[q] {
			continue
		}
		seenQ[q] = true
		first, _, ok := strings.Cut(q, " ")
		if ok {
			byFirst[first] = append(byFirst[first], q)
		}
	}

	maxPhrases := smallPhrases
	if cfg.Large {
		maxPhrases = largePhrases
	} else if len(brands) > smallBrands {
		brands = brands[:smallBrands]
	}
	id := 1000
	usedPhrase := map[string]bool{}
	for i, b := range brands {
		s := brandSuggestion(id, i, b)
		for _, p := range byFirst[b.label] {
			if countPhrases(s) >= maxPhrases {
				break
			}
			usedPhrase[p] = true
			addTyped(s, p, utf8.RuneCountInString(b.label)+2)
		}
		st.Keywords += len(s.Keywords)
		sugs = append(sugs, mustJSON(s))
		id++
	}

	if cfg.Large {
		// Campaign suggestions: real queries, typed prefix by prefix, sold to the brands in
		// turn, until the set has the size of Firefox's real AMP data.
		var rest []string
		for _, q := range queries {
			if !usedPhrase[q] && utf8.RuneCountInString(q) >= 4 {
				rest = append(rest, q)
				usedPhrase[q] = true
			}
		}
		campaigns := largeSuggestions - len(sugs)
		perCampaign := (largeKeywords - st.Keywords) / max(campaigns, 1)
		qi := 0
		for c := 0; c < campaigns && qi < len(rest); c++ {
			b := brands[c%len(brands)]
			s := brandSuggestion(id, c, b)
			s.Keywords, s.FullKeywords = nil, nil
			first := rest[qi]
			s.Title = titleCase(first) + " – " + advertiser(b)
			s.URL = "https://" + b.host + "/search?q=" + url.QueryEscape(first)
			// Whole queries overshoot the share by half a query on average.
			for len(s.Keywords) < perCampaign-10 && qi < len(rest) {
				addTyped(s, rest[qi], 2)
				qi++
			}
			st.Keywords += len(s.Keywords)
			sugs = append(sugs, mustJSON(s))
			id++
		}
	}
	st.Suggestions = len(sugs)

	var buf strings.Builder
	buf.WriteString(`{"suggestions":[`)
	for i, s := range sugs {
		if i > 0 {
			buf.WriteString(",\n")
		} else {
			buf.WriteString("\n")
		}
		buf.Write(s)
	}
	buf.WriteString("\n]}\n")
	return []byte(buf.String()), st, nil
}

// withIconURL compacts a fixture record and makes its icon a URL: moz-merino-ext's records
// come from Remote Settings, where the icon is the id of an icon record ("los-pollos-favicon"),
// but MARS sends URLs and Firefox renders what it gets. Such an id becomes the record's
// site favicon, the rule the brands without an icon follow too.
func withIconURL(s json.RawMessage) json.RawMessage {
	var v map[string]any
	if err := json.Unmarshal(s, &v); err != nil {
		panic("BUG: a fixture record is not an object: " + err.Error())
	}
	icon, _ := v["icon"].(string)
	if !strings.HasPrefix(icon, "https://") && !strings.HasPrefix(icon, "http://") {
		raw, _ := v["url"].(string)
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			panic(fmt.Sprintf("BUG: fixture record %v has no site URL for its icon", v["id"]))
		}
		v["icon"] = "https://" + u.Host + "/favicon.ico"
	}
	return mustJSON(v)
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("BUG: " + err.Error())
	}
	return b
}

func countPhrases(s *suggestion) int { return len(s.FullKeywords) - 2 }

// brandSuggestion types the brand label from 2 characters, running on into the domain.
func brandSuggestion(id, i int, b brand) *suggestion {
	adv := advertiser(b)
	s := &suggestion{
		ID:             id,
		Advertiser:     adv,
		ClickURL:       fmt.Sprintf("https://ads.example.com/v1/click?adv=%d&ctag=%x", id, sha1.Sum([]byte(b.host+"c"))),
		IABCategory:    iab(b.categories),
		Icon:           b.icon,
		SerpCategories: b.serp,
		ImpressionURL:  fmt.Sprintf("https://ads.example.com/v1/impression?adv=%d&ctag=%x", id, sha1.Sum([]byte(b.host+"i"))),
		Title:          b.title,
		URL:            b.url,
	}
	if s.SerpCategories == nil {
		s.SerpCategories = []int{}
	}
	addTyped(s, b.label, 2)
	if strings.HasPrefix(b.host, b.label) && len(b.host) > len(b.label) {
		addTyped(s, b.host, utf8.RuneCountInString(b.label)+1)
	} else {
		s.FullKeywords = append(s.FullKeywords, [2]any{b.host, 0})
	}
	// Some records carry merino-py's optional fields, as MARS data does.
	if i%3 == 0 {
		h := adv + " – Sponsored"
		sum := sha1.Sum([]byte(b.host))
		u := fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
		s.HeaderText, s.SuggestionID = &h, &u
	}
	if i%5 == 0 {
		p := b.label[:min(len(b.label), 4)]
		s.TopPickPrefix = &p
	}
	return s
}

// addTyped adds the prefixes of phrase from `from` characters to its end, each reporting the
// phrase as its full keyword.
func addTyped(s *suggestion, phrase string, from int) {
	rs := []rune(phrase)
	n := 0
	for i := max(from, 1); i <= len(rs); i++ {
		if unicode.IsSpace(rs[i-1]) {
			continue // nobody's keyword ends in a space
		}
		s.Keywords = append(s.Keywords, string(rs[:i]))
		n++
	}
	if n > 0 {
		s.FullKeywords = append(s.FullKeywords, [2]any{phrase, n})
	}
}

func advertiser(b brand) string {
	t := b.title
	for _, sep := range []string{" – ", " - ", " | ", ": ", " — ", ", "} {
		if i := strings.Index(t, sep); i > 0 {
			t = t[:i]
		}
	}
	t = strings.TrimSpace(t)
	if t == "" || utf8.RuneCountInString(t) > 40 {
		return titleCase(b.label)
	}
	return t
}

func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[n:]
	}
	return strings.Join(words, " ")
}

// iab maps merino-py's domain categories to an IAB tier-1 category; only commerce is
// "22 - Shopping", which makes a suggestion sponsored.
func iab(cats []string) string {
	for _, c := range cats {
		switch c {
		case "Ecommerce", "Shopping", "Fashion", "Autos & Vehicles":
			return "22 - Shopping"
		}
	}
	for _, c := range cats {
		switch c {
		case "Education", "Reference":
			return "5 - Education"
		case "News & Media":
			return "12 - News"
		case "Travel":
			return "20 - Travel"
		case "Technology", "Information Technology", "Search Engines":
			return "19 - Technology & Computing"
		case "Economy & Finance", "Business":
			return "13 - Personal Finance"
		case "Gaming", "Video Streaming", "Music":
			return "1 - Arts & Entertainment"
		case "Health":
			return "7 - Health & Fitness"
		case "Sports":
			return "17 - Sports"
		}
	}
	return "24 - Uncategorized"
}

func loadBrands(cfg Config) ([]brand, error) {
	raw, err := os.ReadFile(filepath.Join(cfg.Shared, "merino-py/dev/top_picks.json"))
	if err != nil {
		return nil, err
	}
	var doc struct {
		Domains []struct {
			Rank           int
			Domain         string
			Categories     []string
			URL            string
			Title          string
			Icon           string
			SerpCategories []int `json:"serp_categories"`
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("cannot read top_picks.json: %w", err)
	}
	icons, err := tippyIcons(filepath.Join(cfg.Shared, "top-sites/tippy-top-sites-github/icons-top2000.json"))
	if err != nil {
		return nil, err
	}
	sort.SliceStable(doc.Domains, func(i, j int) bool { return doc.Domains[i].Rank < doc.Domains[j].Rank })
	seen := map[string]bool{}
	var out []brand
	for _, d := range doc.Domains {
		u, err := url.Parse(d.URL)
		if err != nil || u.Host == "" || seen[d.Domain] || d.Domain == "" {
			continue
		}
		host := strings.TrimPrefix(strings.ToLower(u.Host), "www.")
		icon := d.Icon
		if icon == "" {
			icon = icons[host]
		}
		if icon == "" {
			if !cfg.Large {
				continue
			}
			icon = "https://" + host + "/favicon.ico"
		}
		var serp []int
		for _, c := range d.SerpCategories {
			if c != 11 { // removed from merino-py's Category enum
				serp = append(serp, c)
			}
		}
		seen[d.Domain] = true
		out = append(out, brand{label: strings.ToLower(d.Domain), host: host, url: d.URL, title: d.Title, icon: icon, categories: d.Categories, serp: serp})
	}
	if cfg.Large {
		// More real brands: the tippy-top-sites domains merino-py's list lacks.
		hosts := make([]string, 0, len(icons))
		for h := range icons {
			hosts = append(hosts, h)
		}
		sort.Strings(hosts)
		for _, h := range hosts {
			label, _, _ := strings.Cut(h, ".")
			if seen[label] || len(label) < 2 {
				continue
			}
			seen[label] = true
			out = append(out, brand{label: label, host: h, url: "https://www." + h, title: titleCase(label), icon: icons[h]})
		}
	}
	return out, nil
}

func tippyIcons(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []struct {
		ImageURL string `json:"image_url"`
		Domains  []string
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	m := map[string]string{}
	for _, e := range list {
		for _, d := range e.Domains {
			m[strings.TrimPrefix(strings.ToLower(d), "www.")] = e.ImageURL
		}
	}
	return m, nil
}

// readQueries reads one lower-cased query a line, skipping lines that are not valid UTF-8.
func readQueries(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	var out []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		q := strings.Join(strings.Fields(strings.ToLower(sc.Text())), " ")
		if q != "" && utf8.ValidString(q) && !strings.ContainsAny(q, "@\"\\") {
			out = append(out, q)
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	return out, nil
}
