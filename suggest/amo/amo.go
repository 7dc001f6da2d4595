// Package amo is the amo provider: one Firefox add-on suggestion when the query is one of the
// add-on's keyword phrases or a prefix of one, as merino-py's amo provider answers it
// (reference/merino-py.md §3.4).
//
// The add-ons, their texts and keywords are fixed (Addons). What varies is each add-on's
// icon, rating and number of ratings (Details): the static backend serves the values merino-py
// hard-codes; the dynamic backend refreshes them from the AMO API (dynamic.go) and an
// add-on without details answers nothing, as in merino-py.
package amo

import (
	"context"
	"fmt"
	"maps"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/pystr"
	"github.com/mozilla-services/merino-go/suggest"
)

// Addon is one supported add-on.
type Addon struct {
	// Slug is the AMO slug (merino-py's SupportedAddon value), the key of the AMO API.
	Slug        string
	Name        string
	Description string
	URL         string
	GUID        string
	// Keywords are the phrases that find the add-on, as product wrote them.
	Keywords []string
	// Static are the static backend's details.
	Static Details
}

// Details are the parts of a suggestion the dynamic backend refreshes.
type Details struct {
	Icon string
	// Rating is served as a string: merino-py's static backend has "4.7452", its dynamic one
	// formats the AMO average with one decimal ("4.7").
	Rating          string
	NumberOfRatings int64
}

// Index is merino-py's invert_and_expand_index_keywords: every phrase, lower-cased, maps its
// first word and each of its prefixes at least as long as that word to the add-on (an index
// into addons). Add-ons are taken in order, so a later one takes a key an earlier one had (the
// one such key of the real list is "online"/"online ", Online movies then Online reader).
func Index(addons []Addon) map[string]int {
	idx := map[string]int{}
	for i, a := range addons {
		for _, phrase := range a.Keywords {
			phrase = pystr.Lower(phrase)
			first := firstWord(phrase)
			if first == "" {
				// merino-py's phrase.split()[0] raises on a blank phrase; the list has none.
				continue
			}
			idx[first] = i
			// Prefixes are cut at code points, as Python slices a str.
			runes := []rune(phrase)
			for n := utf8.RuneCountInString(first); n <= len(runes); n++ {
				idx[string(runes[:n])] = i
			}
		}
	}
	return idx
}

// firstWord is Python's s.split()[0]: leading white space skipped, up to the next white space.
func firstWord(s string) string {
	start := -1
	for i, r := range s {
		switch {
		case pystr.IsSpace(r) && start >= 0:
			return s[start:i]
		case !pystr.IsSpace(r) && start < 0:
			start = i
		}
	}
	if start < 0 {
		return ""
	}
	return s[start:]
}

// Settings are the provider's configuration, read once at startup ([providers.<id>] with
// type "amo"; kit.go reads them).
type Settings struct {
	suggest.Base
	// Backend is "static" (merino-py's hard-coded icons and ratings) or "dynamic" (icons and
	// ratings refreshed from the AMO API every ResyncInterval).
	Backend string
	// MinChars is min_chars: shorter normalised queries answer nothing.
	MinChars int
	// APIURL is the AMO add-on detail endpoint; each add-on's slug is appended to it. ""
	// means [amo.dynamic] api_url.
	APIURL         string
	ResyncInterval time.Duration
}

// snapshot is one generation of rendered suggestions, indexed like Addons. A nil head is an
// add-on without details.
type snapshot struct {
	details map[string]Details // by slug
	heads   [][]byte
	tails   [][]byte
}

// Provider answers from the current snapshot. Its keyword index never changes.
type Provider struct {
	Settings
	addons   []Addon
	urls     []string // in pydantic HttpUrl form
	keywords map[string]int
	snap     atomic.Pointer[snapshot]
}

// New returns a provider for addons (normally Addons) with no details: it answers nothing
// until Merge is called. An add-on URL that is not a valid http(s) URL is an error.
func New(s Settings, addons []Addon) (*Provider, error) {
	p := &Provider{Settings: s, addons: addons, keywords: Index(addons)}
	for _, a := range addons {
		u, err := httpurl.Normalize(a.URL)
		if err != nil {
			return nil, fmt.Errorf("cannot use the URL of add-on %q: %w", a.Slug, err)
		}
		p.urls = append(p.urls, u)
	}
	p.snap.Store(p.build(nil))
	return p, nil
}

// StaticDetails are the static backend's details of addons, by slug.
func StaticDetails(addons []Addon) map[string]Details {
	m := make(map[string]Details, len(addons))
	for _, a := range addons {
		m[a.Slug] = a.Static
	}
	return m
}

// Merge adds details (by slug; unknown slugs are ignored) to the ones being served and swaps
// the new snapshot in. An add-on missing from details keeps what it had, as merino-py's
// dynamic backend keeps the last values of an add-on whose refresh failed. It returns the
// number of add-ons that now have details. Merge calls must not run concurrently (the
// syncer serialises them); requests may.
func (p *Provider) Merge(details map[string]Details) int {
	merged := maps.Clone(p.snap.Load().details)
	if merged == nil {
		merged = map[string]Details{}
	}
	for _, a := range p.addons {
		if d, ok := details[a.Slug]; ok {
			merged[a.Slug] = d
		}
	}
	s := p.build(merged)
	p.snap.Store(s)
	return len(merged)
}

// Details returns the details being served, by slug; the caller must not modify the map.
func (p *Provider) Details() map[string]Details { return p.snap.Load().details }

func (p *Provider) build(details map[string]Details) *snapshot {
	s := &snapshot{details: details, heads: make([][]byte, len(p.addons)), tails: make([][]byte, len(p.addons))}
	for i := range p.addons {
		if d, ok := details[p.addons[i].Slug]; ok {
			s.heads[i], s.tails[i] = p.render(i, d)
		}
	}
	return s
}

// render writes merino-py's AddonSuggestion: BaseSuggestion's field order (title, url,
// provider, is_sponsored, score, description, icon, custom_details, is_top_pick; the subclass
// redefines is_sponsored and is_top_pick without moving them), None fields left out.
func (p *Provider) render(i int, d Details) (head, tail []byte) {
	a := &p.addons[i]
	head = suggest.AppendHead(nil, a.Name, p.urls[i], p.Name, false)
	tail = append(tail, `,"description":`...)
	tail = jsonw.AppendString(tail, a.Description)
	tail = append(tail, `,"icon":`...)
	tail = jsonw.AppendString(tail, d.Icon)
	tail = append(tail, `,"custom_details":{"amo":{"rating":`...)
	tail = jsonw.AppendString(tail, d.Rating)
	tail = append(tail, `,"number_of_ratings":`...)
	tail = jsonw.AppendInt(tail, d.NumberOfRatings)
	tail = append(tail, `,"guid":`...)
	tail = jsonw.AppendString(tail, a.GUID)
	tail = append(tail, `}},"is_top_pick":true}`...)
	return head, tail
}

// Inline implements suggest.Provider: a lookup is one map read.
func (p *Provider) Inline() bool { return true }

// AppendKey implements suggest.Keyer: the answer depends on the query alone.
func (p *Provider) AppendKey(dst []byte, req *suggest.Request) []byte {
	return suggest.AppendKeyString(dst, req.Query)
}

// maxQuery bounds the stack buffer a query is lower-cased into; no keyword is near this long.
const maxQuery = 128

// Query implements suggest.Provider: normalise as merino-py does (strip, lower-case), answer
// nothing below min_chars code points, else look the whole query up. It does not allocate.
func (p *Provider) Query(_ context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	q := pystr.TrimSpace(req.Query)
	if len(q) > maxQuery {
		return dst, nil
	}
	var buf [2 * maxQuery]byte
	lq := pystr.AppendLower(buf[:0], q)
	if utf8.RuneCount(lq) < p.MinChars {
		return dst, nil
	}
	i, ok := p.keywords[string(lq)]
	if !ok {
		return dst, nil
	}
	s := p.snap.Load()
	if s.heads[i] == nil {
		// The dynamic backend has no details for it: merino-py logs and answers nothing.
		return dst, nil
	}
	return append(dst, p.Suggestion(s.heads[i], s.tails[i])), nil
}
