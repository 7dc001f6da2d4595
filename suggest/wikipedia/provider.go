// Package wikipedia is the wikipedia provider: merino-py's dynamic Wikipedia suggestions
// (reference §3.3), answered from in-process indexes (index/fulltext) instead of an
// Elasticsearch cluster.
//
// A query is analysed as merino-py's `plain_search_<lang>` analyzer would, looked up in the
// completion table of the request's language (the heaviest titles whose analysed form starts
// with it, max_suggestions of them), and each title is rendered field for field as
// merino-py's WikipediaSuggestion: `Wikipedia - <title>` (`Wikipédia - ` for fr), the URL
// with Python's quote, the fixed icon, advertiser, block_id, categories and full_keyword.
//
// Each language's index is swapped in whole by the loader (hot reload). The completion table
// is plain memory, so lookups need nothing but an atomic load; the Bleve index behind the
// optional full-text fallback is reference-counted so that a replaced index is closed only
// after the queries using it have finished.
package wikipedia

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/index/fulltext"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/pystr"
	"github.com/mozilla-services/merino-go/suggest"
)

// The fixed parts of merino-py's WikipediaSuggestion.
const (
	Icon       = "https://prod-images.merino.prod.webservices.mozgcp.net/favicons/4c8bf96d667fa2e9f072bdd8e9f25c8ba6ba2ad55df1af7d9ea0dd575c12abee_1313.png"
	Advertiser = "dynamic-wikipedia"
	// CategoryEducation is Category.Education, the one category of every suggestion.
	CategoryEducation = 6
)

// DefaultLanguages is merino-py's suggest_supported_languages.
var DefaultLanguages = []string{"en", "fr", "de", "it", "pl"}

// Settings are the provider's configuration, read once at startup ([providers.<id>] with
// type "wikipedia"; kit.go reads them).
type Settings struct {
	suggest.Base
	// Backend is "bleve", the only one: indexes built by `merino index wikipedia`.
	Backend string
	// IndexDir holds one index per language, <index_dir>/<lang>wiki.
	IndexDir string
	// ResyncInterval is how often index_dir is checked for a newly built index.
	ResyncInterval time.Duration
	// Languages are the supported language codes, lower case; each is served from its own
	// index, <index_dir>/<code>wiki.
	Languages []string
	// MaxSuggestions is merino-py's es_max_suggestions (the completion size), 1 to 32.
	MaxSuggestions int
	// TitleBlocklist entries block an article whose bare title equals them, case-insensitively,
	// with '_' read as a space.
	TitleBlocklist []string
	// Fallback turns on the full-text fallback: when the completion finds nothing and the
	// query has at least 4 characters, the best full-text match is served. Off by default:
	// merino-py has no such thing.
	Fallback bool
	// FailureThreshold and RecoverTimeout configure the circuit breaker the provider is
	// wrapped in (breaker.Wrap).
	FailureThreshold int
	RecoverTimeout   time.Duration
}

// Provider answers from the current index of each language. It is safe for concurrent use.
type Provider struct {
	Settings
	langs   []*language
	en      int // index of "en" in langs (merino-py's fallback language), or -1
	blocked map[string]bool
	tail    []byte
	rest    []byte
}

// language is one configured language and its current index.
type language struct {
	code      string
	urlPrefix string // https://<code>.wikipedia.org/wiki/
	prefix    string // "Wikipedia - " or "Wikipédia - "
	snap      atomic.Pointer[snapshot]
}

// snapshot is one opened index. refs counts the owner (the provider, until the snapshot is
// replaced) plus the queries using its Bleve index; the index is closed when it drops to 0.
type snapshot struct {
	ix   *fulltext.Index
	refs atomic.Int64
}

// New returns a provider with no index: every language answers nothing until Swap.
func New(s Settings) *Provider {
	if s.MaxSuggestions <= 0 {
		s.MaxSuggestions = 1
	}
	p := &Provider{Settings: s, en: -1, blocked: map[string]bool{}}
	for i, code := range s.Languages {
		title := "Wikipedia - "
		if code == "fr" {
			title = "Wikipédia - "
		}
		p.langs = append(p.langs, &language{code: code, urlPrefix: "https://" + code + ".wikipedia.org/wiki/", prefix: title})
		if code == "en" {
			p.en = i
		}
	}
	for _, t := range s.TitleBlocklist {
		p.blocked[blockKey(nil, t)] = true
	}
	p.tail = append(p.tail, `,"icon":`...)
	p.tail = jsonw.AppendString(p.tail, Icon)
	p.tail = append(p.tail, `,"categories":[6],"full_keyword":`...)
	p.rest = append(p.rest, `,"advertiser":`...)
	p.rest = jsonw.AppendString(p.rest, Advertiser)
	p.rest = append(p.rest, `,"block_id":0}`...)
	return p
}

// ErrUnknownLanguage is returned by Swap for a language that is not configured.
var ErrUnknownLanguage = errors.New("language not configured")

// Swap makes ix the index of language code. Queries in flight finish on the index they
// loaded; the previous index is closed once the last of them is done. The provider owns ix
// from now on.
func (p *Provider) Swap(code string, ix *fulltext.Index) error {
	for _, l := range p.langs {
		if l.code == code {
			s := &snapshot{ix: ix}
			s.refs.Store(1)
			if old := l.snap.Swap(s); old != nil {
				old.release()
			}
			return nil
		}
	}
	return ErrUnknownLanguage
}

// Current returns the index language code is served from, nil when it has none.
func (p *Provider) Current(code string) *fulltext.Index {
	for _, l := range p.langs {
		if l.code == code {
			if s := l.snap.Load(); s != nil {
				return s.ix
			}
		}
	}
	return nil
}

// Close drops every index; they close once in-flight queries are done.
func (p *Provider) Close() {
	for _, l := range p.langs {
		if old := l.snap.Swap(nil); old != nil {
			old.release()
		}
	}
}

// acquire returns the language's snapshot with a reference held, or nil. A snapshot whose
// count reached 0 has already been replaced, so loading again finds its successor.
func (l *language) acquire() *snapshot {
	for {
		s := l.snap.Load()
		if s == nil {
			return nil
		}
		n := s.refs.Load()
		if n <= 0 {
			continue
		}
		if s.refs.CompareAndSwap(n, n+1) {
			return s
		}
	}
}

func (s *snapshot) release() {
	if s.refs.Add(-1) == 0 {
		_ = s.ix.Close()
	}
}

// Inline implements suggest.Provider. Without the fallback a query is an analysis, two binary
// searches and a segment-tree walk over a table held in memory: no I/O, no lock, no channel,
// a few microseconds at worst, so it runs on the request goroutine like top_picks. The
// fallback searches Bleve, whose memory-mapped segments can fault pages in from disk; with it
// on, the provider runs concurrently under its timeout.
func (p *Provider) Inline() bool { return !p.Fallback }

// keyBuffer bounds the stack buffer a query is analysed into; longer analyses spill to the
// heap (a 500-character query of exotic characters).
const keyBuffer = 1024

// Query implements suggest.Provider. The circuit breaker merino-py puts around it is a
// decorator (package breaker), added where the provider is configured.
func (p *Provider) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	li := p.pick(req.Languages)
	if li < 0 {
		return dst, nil
	}
	l := p.langs[li]
	snap := l.snap.Load()
	if snap == nil {
		return dst, nil // no index for this language: logged once by the loader
	}
	// merino-py sends the raw query to Elasticsearch, which analyses it with the language's
	// search analyzer: the one the index's keys were built with. A query that analyses to no
	// token ("", "-", "''") has an empty key and finds nothing.
	var kb [keyBuffer]byte
	key := snap.ix.Analyzer.AppendKey(kb[:0], req.Query)
	if len(key) == 0 {
		return dst, nil
	}
	var ib [32]int
	ids := snap.ix.Completion.Top(ib[:0], key, p.MaxSuggestions)
	for _, id := range ids {
		title := snap.ix.Completion.Title(id)
		if !p.isBlocked(title) {
			dst = append(dst, p.render(l, req.Query, title))
		}
	}
	if len(ids) > 0 || !p.Fallback || utf8.RuneCountInString(pystr.TrimSpace(req.Query)) < fulltext.MinFallbackRunes {
		return dst, nil
	}
	return p.fallback(ctx, l, req.Query, dst)
}

// fallback serves the best full-text matches when the completion found nothing.
func (p *Provider) fallback(ctx context.Context, l *language, q string, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	s := l.acquire()
	if s == nil {
		return dst, nil
	}
	defer s.release()
	var tb [32]string
	titles, err := s.ix.Search(ctx, tb[:0], pystr.TrimSpace(q), p.MaxSuggestions)
	if err != nil {
		return dst, err
	}
	for _, t := range titles {
		if !p.isBlocked(t) {
			dst = append(dst, p.render(l, q, t))
		}
	}
	return dst, nil
}

// pick is merino-py's get_language_code: the first Accept-Language tag whose base (lower
// case, before the first '-') is supported, else "en".
func (p *Provider) pick(tags []string) int {
	for _, tag := range tags {
		base, _, _ := strings.Cut(tag, "-")
		for i, l := range p.langs {
			if lowerEquals(base, l.code) {
				return i
			}
		}
	}
	return p.en
}

// lowerEquals reports whether Python's s.lower() == code, for a lower-case code, without
// allocating.
func lowerEquals(s, code string) bool {
	var buf [64]byte
	if len(s) > len(buf)/2 {
		return false
	}
	return string(pystr.AppendLower(buf[:0], s)) == code
}

// isBlocked applies title_blocklist to a bare title.
func (p *Provider) isBlocked(title string) bool {
	if len(p.blocked) == 0 {
		return false
	}
	var buf [1024]byte
	return p.blocked[blockKey(buf[:0], title)]
}

// blockKey is the comparison form of a title: Python lower case, '_' read as a space.
func blockKey(dst []byte, title string) string {
	dst = pystr.AppendLower(dst, title)
	for i, c := range dst {
		if c == '_' {
			dst[i] = ' '
		}
	}
	return unsafe.String(unsafe.SliceData(dst), len(dst))
}

// render writes one suggestion in merino-py's field order: BaseSuggestion's title, url,
// provider, is_sponsored, score, icon, categories, then WikipediaSuggestion's full_keyword,
// advertiser and block_id (impression_url and click_url are None, left out).
//
// The head and the lower-cased title that full_keyword is cut from share one allocation,
// owned by the returned suggestion.
func (p *Provider) render(l *language, q, title string) suggest.Suggestion {
	buf := make([]byte, 0, 96+len(p.Name)+len(l.urlPrefix)+len(l.prefix)+6*len(title))
	buf = append(buf, `{"title":"`...)
	buf = append(buf, l.prefix...) // nothing to escape in "Wikipedia - "
	t := len(buf)
	buf = jsonw.AppendString(buf, title)
	buf = append(buf[:t], buf[t+1:]...) // drop the opening quote AppendString wrote
	buf = append(buf, `,"url":`...)
	urlStart := len(buf)
	buf = append(buf, '"')
	buf = append(buf, l.urlPrefix...)
	pathStart := len(buf)
	buf = appendQuoted(buf, title)
	if hasDotSegment(buf[pathStart:]) {
		// pydantic resolves "." and ".." segments; rare enough (MediaWiki forbids them in
		// titles) to normalise on the slow path.
		if u, err := httpurl.Normalize(string(buf[urlStart+1:])); err == nil {
			buf = append(buf[:urlStart], '"')
			buf = append(buf, u...)
		}
	}
	buf = append(buf, `","provider":`...)
	buf = jsonw.AppendString(buf, p.Name)
	buf = append(buf, `,"is_sponsored":false,"score":`...)
	head := buf[:len(buf):len(buf)]
	lowerStart := len(buf)
	buf = pystr.AppendLower(buf, title)
	lowered := unsafe.String(unsafe.SliceData(buf[lowerStart:]), len(buf)-lowerStart)
	return suggest.Suggestion{
		Provider:   p.Name,
		Score:      p.Score,
		Head:       head,
		Tail:       p.tail,
		HasKeyword: true,
		Keyword:    bestKeyword(q, lowered),
		Rest:       p.rest,
	}
}

// bestKeyword is merino-py's get_best_keyword(q, title) given the title already lower-cased:
// the word of the title the query completes, trailing ASCII punctuation removed; the whole
// title when the query is not in it. The result is a substring of tl.
func bestKeyword(q, tl string) string {
	var buf [keyBuffer]byte
	qb := pystr.AppendLower(buf[:0], pystr.TrimSpace(q))
	ql := unsafe.String(unsafe.SliceData(qb), len(qb))
	s := strings.Index(tl, ql)
	if s < 0 {
		return tl
	}
	var e int
	if ql == "" {
		// Python's find(" ", -1) looks at the last character only.
		e = -1
		if strings.HasSuffix(tl, " ") {
			e = len(tl) - 1
		}
	} else {
		// find(" ", s+len(ql)-1) starts at the query's last character, which is not a space
		// (the query is stripped), so searching from its end is the same.
		e = strings.IndexByte(tl[s+len(ql):], ' ')
		if e >= 0 {
			e += s + len(ql)
		}
	}
	if e < s {
		return tl[s:]
	}
	return strings.TrimRight(tl[s:e], asciiPunctuation)
}

// asciiPunctuation is Python's string.punctuation.
const asciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// appendQuoted appends urllib.parse.quote(title.replace(" ", "_")): UTF-8 bytes other than
// ASCII letters, digits and "_.-~/" are percent-encoded with upper-case hex.
func appendQuoted(dst []byte, title string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(title); i++ {
		c := title[i]
		switch {
		case c == ' ':
			dst = append(dst, '_')
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '_', c == '.', c == '-', c == '~', c == '/':
			dst = append(dst, c)
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}

// hasDotSegment reports whether a quoted path has a "." or ".." segment.
func hasDotSegment(path []byte) bool {
	for len(path) > 0 {
		seg := path
		if i := indexByte(path, '/'); i >= 0 {
			seg, path = path[:i], path[i+1:]
		} else {
			path = nil
		}
		if string(seg) == "." || string(seg) == ".." {
			return true
		}
	}
	return false
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
