// Package toppicks is the top_picks provider: one navigational suggestion for a prefix of a
// popular site's domain label, as merino-py's top_picks provider answers it.
package toppicks

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/mozilla-services/merino-go/index/domains"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/pystr"
	"github.com/mozilla-services/merino-go/suggest"
)

// ProviderName is what the `provider` field of every top_picks suggestion says, whatever the
// configured id: merino-py hard-codes it.
const ProviderName = "top_picks"

// Entry is one domain record of a top picks source, checked and normalised by the loader.
type Entry struct {
	// Domain is the second-level label, stripped and lower-cased.
	Domain string
	// Similars are misspellings that also find the domain, used as given (merino-py does not
	// normalise them).
	Similars []string
	Title    string
	// URL is already in pydantic HttpUrl form (see package httpurl).
	URL string
	// Icon is served verbatim; HasIcon false means the record's icon was null.
	Icon    string
	HasIcon bool
	// Categories are serp_categories; HasCategories false means the record had none, and the
	// key is then left out of the JSON (exclude_none).
	Categories    []int64
	HasCategories bool
	// Servable is false for a record merino-py indexes but fails to serialise (a null title,
	// an invalid URL, a removed category): it takes its keys, and answers nothing for them.
	Servable bool
}

// Snapshot is one immutable generation of the provider's data: the index and the rendered
// suggestions it points to.
type Snapshot struct {
	index *domains.Index
	heads [][]byte
	tails [][]byte
	// Blocked counts entries dropped by the domain blocklist.
	Blocked int
}

// NewSnapshot builds the index and renders every suggestion's JSON once. Blocked domains
// (compared lower-cased) are skipped entirely, their similars too, as merino-py does.
func NewSnapshot(entries []Entry, opts domains.Options, blocklist []string) *Snapshot {
	blocked := make(map[string]bool, len(blocklist))
	for _, d := range blocklist {
		blocked[NormalizeQuery(d)] = true
	}
	b := domains.NewBuilder(opts)
	s := &Snapshot{}
	for i := range entries {
		e := &entries[i]
		if blocked[e.Domain] {
			s.Blocked++
			continue
		}
		b.Add(e.Domain, e.Similars)
		var head, tail []byte
		if e.Servable {
			head, tail = render(e)
		}
		s.heads = append(s.heads, head)
		s.tails = append(s.tails, tail)
	}
	s.index = b.Build()
	return s
}

// Len is the number of domains served.
func (s *Snapshot) Len() int { return s.index.Len() }

// Keys is the number of index keys, for metrics and readiness details.
func (s *Snapshot) Keys() int { return s.index.Keys() }

// render writes the suggestion as merino-py serialises it: BaseSuggestion's field order
// (title, url, provider, is_sponsored, score, icon, categories, is_top_pick) then block_id,
// None fields left out.
func render(e *Entry) (head, tail []byte) {
	head = suggest.AppendHead(nil, e.Title, e.URL, ProviderName, false)
	if e.HasIcon {
		tail = jsonw.AppendMember(tail, "icon", e.Icon)
	}
	if e.HasCategories {
		tail = append(tail, `,"categories":`...)
		tail = jsonw.AppendIntList(tail, e.Categories)
	}
	tail = append(tail, `,"is_top_pick":true,"block_id":0}`...)
	return head, tail
}

// Settings are the provider's configuration, read once at startup ([providers.<id>] with
// type "top_picks"; kit.go reads them).
type Settings struct {
	suggest.Base
	// FilePath is top_picks_file_path: a file path, an http(s):// URL or gs://bucket/object
	// of a merino-py top_picks.json.
	FilePath string
	// Index holds query_char_limit and firefox_char_limit.
	Index           domains.Options
	ResyncInterval  time.Duration
	DomainBlocklist []string
}

// Blocklist is merino-py's TOP_PICKS_BLOCKLIST, the default of domain_blocklist.
var Blocklist = []string{
	"4channel", "draftkings", "furaffinity", "internalfb", "megapersonals", "myvidster",
	"rt", "sniffies", "thegatewaypundit", "urbandictionary", "winloot", "worldstarhiphop",
}

// Provider answers from the current snapshot, swapped in whole by the loader.
type Provider struct {
	Settings
	snap atomic.Pointer[Snapshot]
}

// New returns a provider with no data: it answers nothing until Store is called.
func New(s Settings) *Provider { return &Provider{Settings: s} }

// Store makes snap the snapshot every later request reads. Requests in flight finish on the
// snapshot they loaded.
func (p *Provider) Store(snap *Snapshot) { p.snap.Store(snap) }

// Snapshot returns the current snapshot, nil before the first load.
func (p *Provider) Snapshot() *Snapshot { return p.snap.Load() }

// Inline implements suggest.Provider: a lookup is a few map reads.
func (p *Provider) Inline() bool { return true }

// AppendKey implements suggest.Keyer: the answer depends on the query alone.
func (p *Provider) AppendKey(dst []byte, req *suggest.Request) []byte {
	return suggest.AppendKeyString(dst, req.Query)
}

// maxQuery bounds the stack buffer a query is lower-cased into. No domain or similar is near
// this long, so a longer query cannot match and is not looked at.
const maxQuery = 256

// Query implements suggest.Provider: normalise as merino-py does (strip, lower-case), ignore
// queries that start with "http", look the query up by its length and answer the first match
// with the configured score. It does not allocate.
func (p *Provider) Query(_ context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	snap := p.snap.Load()
	if snap == nil {
		return dst, nil
	}
	q := pystr.TrimSpace(req.Query)
	if len(q) > maxQuery {
		return dst, nil
	}
	var buf [2 * maxQuery]byte
	lq := pystr.AppendLower(buf[:0], q)
	if len(lq) >= 4 && string(lq[:4]) == "http" {
		return dst, nil
	}
	id, ok := snap.index.Lookup(lq)
	if !ok || snap.heads[id] == nil {
		return dst, nil
	}
	return append(dst, p.Suggestion(snap.heads[id], snap.tails[id])), nil
}

// NormalizeQuery is merino-py's normalize_query (strip, then lower-case), for cold paths: the
// loader applies it to domain labels.
func NormalizeQuery(s string) string { return string(pystr.AppendLower(nil, pystr.TrimSpace(s))) }
