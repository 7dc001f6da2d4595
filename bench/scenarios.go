package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A scenario is the traffic of one kind of Firefox user. It is a weighted set of sources; each
// source yields "sessions": a person typing one query into the address bar one keystroke at a
// time (q=f, q=fi, q=fir, ...), or a single request (weather). Sessions of many simulated
// browsers are interleaved, as they are at a real server.
//
// The firefox mix (weights per session, a session being one typed query):
//
//	search queries     50  real web-search queries (TREC Million Query, Natural Questions, MS MARCO):
//	                       what people type that matches nothing, the bulk of the traffic
//	top-picks domains  20  navigational: a user typing a site's name (data/top_picks.json)
//	Wikipedia titles   15  popular English Wikipedia titles (encyclopedic lookups)
//	AMP keywords       15  sponsored-suggestion keywords (data/amp.json), when present
//	weather             2  one `q=&providers=accuweather` request, as Firefox's weather feature
//	                       sends it on start-up and on its refresh interval, from a client
//	                       address of its own; only when the server lists accuweather (the
//	                       bench's fake AccuWeather provides it, see weather.go)
//
// Typed sessions send no `providers` parameter, as Firefox does by default, so the server
// answers with its enabled-by-default providers. A session averages about 15 keystrokes, so
// weather is well under 1 % of the requests (merino-py's Locust weights were per task and
// gave weather 64 %; that measured the weather backend, not the keystroke path). The
// per-provider scenarios send `providers=<id>` and need that provider to be listed by
// /api/v1/providers.
type scenario struct {
	name    string
	doc     string
	sources []sourceSpec
	// requests, when set, builds the scenario's stream itself, from no corpus (New Tab's
	// POSTs, newtab.go); sources is then empty.
	requests func(sc *scenario, n int, seed uint64) *stream
}

// sourceSpec is one weighted kind of session in a scenario.
type sourceSpec struct {
	kind      string // key into the corpus: queries, domains, wikipedia, amp, weather
	weight    int
	providers string // the providers parameter; "" sends none
	needs     string // a provider id the server must list, "" for none
}

var scenarios = []scenario{
	{name: "firefox", doc: "the keystroke mix: search queries 50, top-picks domains 20, Wikipedia titles 15, AMP keywords 15, weather 2 (weights per session)",
		sources: []sourceSpec{
			{kind: "queries", weight: 50},
			{kind: "domains", weight: 20},
			{kind: "wikipedia", weight: 15},
			{kind: "amp", weight: 15},
			{kind: "weather", weight: 2, providers: "accuweather", needs: "accuweather"},
		}},
	{name: "top_picks", doc: "top-picks domains typed with providers=top_picks",
		sources: []sourceSpec{{kind: "domains", weight: 1, providers: "top_picks", needs: "top_picks"}}},
	{name: "adm", doc: "AMP keywords typed with providers=adm",
		sources: []sourceSpec{{kind: "amp", weight: 1, providers: "adm", needs: "adm"}}},
	{name: "wikipedia", doc: "popular Wikipedia titles typed with providers=wikipedia",
		sources: []sourceSpec{{kind: "wikipedia", weight: 1, providers: "wikipedia", needs: "wikipedia"}}},
	{name: "weather", doc: "q=&providers=accuweather with a fresh US/CA client address per request (with the fake AccuWeather when the bench starts merino-go)",
		sources: []sourceSpec{{kind: "weather", weight: 1, providers: "accuweather", needs: "accuweather"}}},
	{name: "queries", doc: "real search queries typed with the default providers",
		sources: []sourceSpec{{kind: "queries", weight: 1}}},
	{name: "newtab", doc: "Firefox New Tab's story requests: POST /api/v1/curated-recommendations over the New Tab locales (see newtab.go), 2 % legacy GETs",
		requests: newTabStream},
	{name: "newtab-sections", doc: "the sections feed alone: Firefox's sections requests in en-US/GB/CA/IE, with pickers, follows and interests (see newtab.go)",
		requests: newTabSectionsStream},
}

func findScenario(name string) (*scenario, error) {
	for i := range scenarios {
		if scenarios[i].name == name {
			return &scenarios[i], nil
		}
	}
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return nil, fmt.Errorf("unknown scenario %q (have %s)", name, strings.Join(names, ", "))
}

// corpus is the data the scenarios draw from. A nil slice means the data was not found.
type corpus struct {
	queries   []string
	domains   []string
	wikipedia []string
	amp       []string
	ipv4      [2][]ipRange // US, CA
	origin    map[string]string
}

func (c *corpus) get(kind string) []string {
	switch kind {
	case "queries":
		return c.queries
	case "domains":
		return c.domains
	case "wikipedia":
		return c.wikipedia
	case "amp":
		return c.amp
	}
	return nil
}

// dataPaths says where the corpus is read from: the big shared corpora when the work tree
// sits beside them (../shared/data), else the small samples committed under bench/samples.
type dataPaths struct {
	repo   string // the repository root
	shared string // ../shared/data, may not exist
}

// loadCorpus reads every source it can find; missing ones are left nil, and the scenario
// that needs them skips with a message saying which file was missing.
func loadCorpus(p dataPaths) *corpus {
	c := &corpus{origin: map[string]string{}}
	samples := filepath.Join(p.repo, "bench", "samples")
	first := func(kind string, read func(string) ([]string, error), paths ...string) []string {
		var missing []string
		for _, path := range paths {
			lines, err := read(path)
			if err == nil && len(lines) > 0 {
				c.origin[kind] = path
				return lines
			}
			missing = append(missing, path)
		}
		c.origin[kind] = "missing: " + strings.Join(missing, ", ")
		return nil
	}
	c.queries = first("queries", readQueryFiles,
		filepath.Join(p.shared, "search-queries"), filepath.Join(samples, "search-queries.txt"))
	c.domains = first("domains", readTopPicks, filepath.Join(p.repo, "data", "top_picks.json"))
	c.wikipedia = first("wikipedia", readLines,
		filepath.Join(p.shared, "wikipedia", "enwiki-popular-titles.lower.txt.gz"), filepath.Join(samples, "wikipedia-titles.txt"))
	c.amp = first("amp", readAMPKeywords, filepath.Join(p.repo, "data", "amp.json"))

	loadIPs := func(i int, name, sample string) {
		kind := "ip-" + name
		for _, path := range []string{filepath.Join(p.shared, "merino-py", "tests", "load", "data", "ip2location_"+name+"_ip_address_ranges.gz"), filepath.Join(samples, sample)} {
			data, err := readMaybeGzip(path)
			if err != nil {
				continue
			}
			if r := parseIPRanges(data); len(r) > 0 {
				c.ipv4[i], c.origin[kind] = r, path
				return
			}
		}
		c.origin[kind] = "missing"
	}
	loadIPs(0, "united_states_of_america", "ip-ranges-us.csv")
	loadIPs(1, "canada", "ip-ranges-ca.csv")
	return c
}

// readMaybeGzip reads a file, gunzipping it when its name ends in .gz.
func readMaybeGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("cannot read %q: %w", path, err)
		}
		r = zr
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %w", path, err)
	}
	return data, nil
}

// readLines returns the non-empty, trimmed lines of a text file (gzipped or not) that a
// person could type: valid UTF-8, at most 80 characters.
func readLines(path string) ([]string, error) {
	data, err := readMaybeGzip(path)
	if err != nil {
		return nil, err
	}
	return typeableLines(data), nil
}

func typeableLines(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || !utf8.ValidString(line) || utf8.RuneCountInString(line) > 80 {
			continue
		}
		out = append(out, line)
	}
	return out
}

// readQueryFiles reads every *.txt(.gz) file of a directory, or one file.
func readQueryFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return readLines(path)
	}
	names, err := filepath.Glob(filepath.Join(path, "*.txt*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		lines, err := readLines(n)
		if err != nil {
			return nil, err
		}
		out = append(out, lines...)
	}
	return out, nil
}

// readTopPicks returns the domain names of a top-picks file ({"domains":[{"domain":...}]}),
// which is what a user types to reach the site.
func readTopPicks(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseTopPicks(data)
}

func parseTopPicks(data []byte) ([]string, error) {
	var doc struct {
		Domains []struct {
			Domain string `json:"domain"`
		} `json:"domains"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("cannot parse top picks: %w", err)
	}
	var out []string
	for _, d := range doc.Domains {
		if d := strings.TrimSpace(d.Domain); d != "" && utf8.ValidString(d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// readAMPKeywords returns one query per AMP suggestion: its longest keyword, the full thing
// a user types (Remote Settings and MARS records list every accepted prefix as a keyword).
// The file's exact shape is not assumed: every object with a "keywords" array of strings,
// anywhere in the document, is a suggestion.
func readAMPKeywords(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseAMPKeywords(data)
}

func parseAMPKeywords(data []byte) ([]string, error) {
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("cannot parse AMP data: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 32 {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			if kws, ok := v["keywords"].([]any); ok {
				longest := ""
				for _, k := range kws {
					if s, ok := k.(string); ok && len(s) > len(longest) {
						longest = s
					}
				}
				longest = strings.TrimSpace(longest)
				if longest != "" && utf8.RuneCountInString(longest) <= 80 && !seen[longest] {
					seen[longest] = true
					out = append(out, longest)
				}
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys) // deterministic order for a seeded run
			for _, k := range keys {
				walk(v[k], depth+1)
			}
		case []any:
			for _, e := range v {
				walk(e, depth+1)
			}
		}
	}
	walk(doc, 0)
	return out, nil
}

// ipRange is an inclusive range of IPv4 addresses.
type ipRange struct{ lo, hi uint32 }

// parseIPRanges reads IP2Location LITE CSV ("Begin IP Address","End IP Address",...), skipping
// the header and any line that is not a valid IPv4 range.
func parseIPRanges(data []byte) []ipRange {
	var out []ipRange
	for line := range strings.SplitSeq(string(data), "\n") {
		f := strings.Split(strings.TrimSpace(line), ",")
		if len(f) < 2 {
			continue
		}
		lo, ok1 := ipv4(strings.Trim(f[0], `"`))
		hi, ok2 := ipv4(strings.Trim(f[1], `"`))
		if ok1 && ok2 && lo <= hi {
			out = append(out, ipRange{lo, hi})
		}
	}
	return out
}

func ipv4(s string) (uint32, bool) {
	ip := net.ParseIP(s).To4()
	if ip == nil {
		return 0, false
	}
	return binary.BigEndian.Uint32(ip), true
}

// prefixes returns what Firefox sends while q is typed: every prefix, one per keystroke,
// except those ending in a space (the next keystroke follows before a request is worth
// sending, and merino-py's load test skips them too). Prefixes are cut at rune boundaries.
func prefixes(q string) []string {
	var out []string
	for i := range q {
		if i == 0 {
			continue
		}
		if p := q[:i]; !strings.HasSuffix(p, " ") {
			out = append(out, p)
		}
	}
	if q != "" && !strings.HasSuffix(q, " ") {
		out = append(out, q)
	}
	return out
}

// browser is one simulated Firefox: its headers stay the same for its sessions.
type browser struct {
	userAgent      string
	acceptLanguage string
	forwardedFor   string // "" when no address ranges were found
}

// Desktop Firefox release and ESR user agents on the three desktop platforms.
var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:139.0) Gecko/20100101 Firefox/139.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:140.0) Gecko/20100101 Firefox/140.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:139.0) Gecko/20100101 Firefox/139.0",
	"Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
	"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:139.0) Gecko/20100101 Firefox/139.0",
}

// Accept-Language values Firefox sends for the locales of US and Canadian users; en-US
// appears several times as it dominates.
var acceptLanguages = []string{
	"en-US,en;q=0.5", "en-US,en;q=0.5", "en-US,en;q=0.5", "en-US,en;q=0.5", "en-US,en;q=0.5",
	"en-CA,en-US;q=0.7,en;q=0.3", "fr-CA,fr;q=0.8,en-US;q=0.5,en;q=0.3", "es-ES,es;q=0.8,en-US;q=0.5,en;q=0.3",
}

// item is one request of a stream: the request URI and the browser that sends it.
type item struct {
	uri     string
	browser *browser
	kind    uint8 // index into stream.kinds
	// noContentOK: a 204 is a valid answer (a weather-only request whose location does not
	// resolve).
	noContentOK bool
	// body, when set, is POSTed as JSON (New Tab's requests); otherwise the request is a GET.
	body []byte
	// bodyPrefix is how a valid 200 body starts ("" for the suggest endpoint's own check).
	bodyPrefix string
}

// stream is a scenario expanded into a fixed sequence of requests that the generator cycles
// through, so that sending a request allocates nothing.
type stream struct {
	scenario string
	items    []item
	kinds    []string
	notes    []string // why sources were skipped
}

// errSkip says that a scenario cannot run against this server with this data.
var errSkip = errors.New("scenario skipped")

// buildStream expands a scenario into n requests. providers is what the server lists at
// /api/v1/providers (nil: unknown, do not check). The stream depends only on seed.
func buildStream(sc *scenario, c *corpus, providers map[string]bool, n int, seed uint64) (*stream, error) {
	if sc.requests != nil {
		return sc.requests(sc, n, seed), nil
	}
	st := &stream{scenario: sc.name}
	type active struct {
		spec  sourceSpec
		words []string
	}
	var srcs []active
	total := 0
	for _, s := range sc.sources {
		if s.needs != "" && providers != nil && !providers[s.needs] {
			st.notes = append(st.notes, fmt.Sprintf("%s: skipped, the server does not list provider %q", s.kind, s.needs))
			continue
		}
		var words []string
		if s.kind != "weather" {
			words = c.get(s.kind)
			if len(words) == 0 {
				st.notes = append(st.notes, fmt.Sprintf("%s: skipped, no data (%s)", s.kind, c.origin[s.kind]))
				continue
			}
		}
		srcs = append(srcs, active{s, words})
		st.kinds = append(st.kinds, s.kind)
		total += s.weight
	}
	if len(srcs) == 0 {
		return st, fmt.Errorf("%w: scenario %s: %s", errSkip, sc.name, strings.Join(st.notes, "; "))
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	browsers := make([]*browser, 256)
	for i := range browsers {
		browsers[i] = &browser{
			userAgent:      userAgents[rng.IntN(len(userAgents))],
			acceptLanguage: acceptLanguages[rng.IntN(len(acceptLanguages))],
			forwardedFor:   c.randomIP(rng),
		}
	}
	// A typist is one browser typing one query; typists interleave, as independent users do.
	type typist struct {
		b       *browser
		kind    uint8
		base    string
		steps   []string
		seq     int
		weather bool
	}
	newTypist := func() *typist {
		w := rng.IntN(total)
		i := 0
		for ; w >= srcs[i].spec.weight; i++ {
			w -= srcs[i].spec.weight
		}
		s := srcs[i]
		t := &typist{b: browsers[rng.IntN(len(browsers))], kind: uint8(i)}
		v := url.Values{}
		if s.spec.providers != "" {
			v.Set("providers", s.spec.providers)
		}
		// Firefox's Merino client sends a session id and a per-session sequence number.
		v.Set("sid", fmt.Sprintf("{%08x-%04x-4%03x-%04x-%012x}", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xfff, 0x8000|rng.Uint32()&0x3fff, rng.Uint64()&0xffffffffffff))
		t.base = "/api/v1/suggest?" + v.Encode()
		if s.spec.kind == "weather" {
			// Weather requests come from every Firefox that starts or refreshes, not from
			// the few typists of one mix: each gets its own client address, so that the
			// spread of locations, and of cache keys, is the spread of the address ranges.
			t.b = &browser{userAgent: t.b.userAgent, acceptLanguage: t.b.acceptLanguage, forwardedFor: c.randomIP(rng)}
			t.steps = []string{""}
			t.weather = true
		} else {
			t.steps = prefixes(s.words[rng.IntN(len(s.words))])
		}
		return t
	}
	const typists = 64
	live := make([]*typist, typists)
	for i := range live {
		live[i] = newTypist()
	}
	st.items = make([]item, 0, n)
	var b strings.Builder
	for len(st.items) < n {
		j := rng.IntN(typists)
		t := live[j]
		if t.seq >= len(t.steps) {
			t = newTypist()
			live[j] = t
			if len(t.steps) == 0 {
				continue
			}
		}
		b.Reset()
		b.WriteString(t.base)
		b.WriteString("&q=")
		b.WriteString(queryEscape(t.steps[t.seq]))
		b.WriteString("&seq=")
		b.WriteString(strconv.Itoa(t.seq))
		st.items = append(st.items, item{uri: b.String(), browser: t.b, kind: t.kind, noContentOK: t.weather})
		t.seq++
	}
	return st, nil
}

// queryEscape encodes like the URLSearchParams Firefox uses: space as '+'.
func queryEscape(s string) string { return url.QueryEscape(s) }

// randomIP picks a country (US nine times in ten, as merino-py's ranges are mostly US), a
// range, then an address in it.
func (c *corpus) randomIP(rng *rand.Rand) string {
	i := 0
	if rng.IntN(10) == 0 {
		i = 1
	}
	rs := c.ipv4[i]
	if len(rs) == 0 {
		rs = c.ipv4[1-i]
	}
	if len(rs) == 0 {
		return ""
	}
	r := rs[rng.IntN(len(rs))]
	v := r.lo + uint32(rng.Uint64N(uint64(r.hi-r.lo)+1))
	var ip [4]byte
	binary.BigEndian.PutUint32(ip[:], v)
	return net.IP(ip[:]).String()
}

// mix returns each kind's share of the stream's requests, for the report.
func (s *stream) mix() map[string]float64 {
	counts := make([]int, len(s.kinds))
	for _, it := range s.items {
		counts[it.kind]++
	}
	out := map[string]float64{}
	for i, k := range s.kinds {
		out[k] = float64(counts[i]) / float64(max(len(s.items), 1))
	}
	return out
}
