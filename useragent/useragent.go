// Package useragent reduces a User-Agent header to the three fields merino
// uses for suggestions and metrics: browser, OS family and form factor.
//
// It reproduces merino-py's merino/utils/user_agent_parsing.py, which runs
// the uap-core regexes through ua-parser 1.0 (the pure-Python resolver,
// since merino-py installs neither google-re2 nor ua-parser-rs) and maps
// the result. The regexes come from github.com/ua-parser/uap-go's embedded
// copy, but matching and replacement follow ua-parser's Python rules, not
// uap-go's, where the two differ (see rules.go).
//
// Even with the literal prefilter of prefilter.go, a first sight of a
// User-Agent costs 25-250 µs of regex matching, while real traffic repeats
// a few thousand distinct User-Agents, so a Parser keeps a bounded cache
// in front of the regexes (see cache.go); a hit costs under 100 ns.
package useragent

import (
	"fmt"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/ua-parser/uap-go/uaparser"
)

// Info is what merino-py's UserAgent model holds.
type Info struct {
	// Browser is "Firefox(<version>)" or "Firefox" for Firefox family
	// browsers (desktop, Android, iOS, alpha builds) and the ua-parser
	// family verbatim otherwise ("Chrome", "Safari", "curl", "Other").
	Browser string
	// OSFamily is one of "windows", "macos", "linux", "ios", "android",
	// "chromeos" or "other".
	OSFamily string
	// FormFactor is one of "desktop", "phone", "tablet" or "other".
	FormFactor string
}

// MaxCachedLen is the longest User-Agent, in bytes, that a Parser caches.
// Longer ones are parsed every time, so that hostile clients sending huge
// or random headers cannot fill the cache with entries nobody repeats.
// Real browser User-Agents are 70-250 bytes.
const MaxCachedLen = 512

// Parser parses User-Agent headers. It is safe for concurrent use.
type Parser struct {
	rules *rules
	cache *cache // nil when caching is disabled
	empty Info
}

var defaultRules = sync.OnceValues(func() (*rules, error) {
	return compileRules(uaparser.DefinitionYaml, true)
})

// NewParser returns a Parser using the uap-core regexes embedded in uap-go,
// caching up to about cacheSize distinct User-Agents (0 disables the
// cache). The regexes are compiled once per process, on the first call,
// which takes a fraction of a second.
func NewParser(cacheSize int) (*Parser, error) {
	r, err := defaultRules()
	if err != nil {
		return nil, fmt.Errorf("cannot load the uap-go regexes: %w", err)
	}
	return newParser(r, cacheSize)
}

// NewParserFromYAML is NewParser with the regexes read from regexesYAML,
// a file in uap-core's regexes.yaml format. It exists so that a newer
// uap-core release than the one uap-go embeds can be used.
func NewParserFromYAML(regexesYAML []byte, cacheSize int) (*Parser, error) {
	r, err := compileRules(regexesYAML, true)
	if err != nil {
		return nil, err
	}
	return newParser(r, cacheSize)
}

func newParser(r *rules, cacheSize int) (*Parser, error) {
	if cacheSize < 0 {
		return nil, fmt.Errorf("cannot create a user agent cache of size %d: must be >= 0", cacheSize)
	}
	p := &Parser{rules: r}
	if cacheSize > 0 {
		p.cache = newCache(cacheSize)
	}
	// merino-py passes "" for a missing header; parse it once here so that
	// the common "no header" case costs nothing and still follows the rules.
	p.empty = r.parse("")
	return p, nil
}

// Parse returns the Info for the User-Agent header value ua (nil or empty
// for a missing header). It never panics, whatever ua holds, and does not
// retain ua. A hit in the cache's current generation neither allocates nor
// locks; a hit in the previous one copies the entry forward (one map
// insertion).
//
// ua is taken as raw header bytes, which merino-py sees latin-1 decoded:
// non-ASCII bytes are matched as the latin-1 characters they stand for, and
// a browser family copied out of the header comes back as UTF-8 text.
func (p *Parser) Parse(ua []byte) Info {
	if len(ua) == 0 {
		return p.empty
	}
	if p.cache == nil || len(ua) > MaxCachedLen {
		return p.rules.parse(latin1(string(ua)))
	}
	// The lookup reads ua through a string header without copying it;
	// the cache never keeps the key it is asked for, only keys it stored.
	if info, ok := p.cache.get(unsafe.String(unsafe.SliceData(ua), len(ua))); ok {
		return info
	}
	key := string(ua)
	info := p.rules.parse(latin1(key))
	p.cache.put(key, info)
	return info
}

// latin1 returns s decoded as latin-1 and re-encoded as UTF-8, the way
// Starlette hands headers to merino-py. ASCII input is returned as is.
func latin1(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = utf8.AppendRune(b, rune(s[i]))
	}
	return string(b)
}
