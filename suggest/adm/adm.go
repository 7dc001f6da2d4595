// Package adm is the adm provider: sponsored and non-sponsored AMP suggestions matched on the
// keywords a user types, as merino-py's adm provider answers them (reference/merino-py.md
// §3.1). Each segment (country × form factor) has its own keyword index; a request is matched
// against the segment of its country and form factor, exactly first, then (in the
// `amp-fuzzy-matching-treatment` experiment branch) with one typo forgiven.
package adm

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/index/keywords"
	"github.com/mozilla-services/merino-go/pystr"
	"github.com/mozilla-services/merino-go/suggest"
)

// FuzzyVariant is the client variant that opts a request into fuzzy matching
// (merino-py's AMP_FUZZY_VARIANT).
const FuzzyVariant = "amp-fuzzy-matching-treatment"

// FallbackCountry is the segment country of a request without geolocation.
const FallbackCountry = "US"

// FormFactor is a MARS segment's form factor; the values are merino-py's FormFactor enum.
type FormFactor uint8

// The form factors MARS segments data by.
const (
	Desktop FormFactor = 0
	Phone   FormFactor = 1
)

// String returns the MARS name of the form factor.
func (f FormFactor) String() string {
	if f == Phone {
		return "phone"
	}
	return "desktop"
}

// ParseFormFactor reads a MARS form factor name ("desktop" or "phone"), as merino-py's
// FormFactor[name.upper()] does: anything else is an error.
func ParseFormFactor(s string) (FormFactor, error) {
	switch s {
	case "desktop", "DESKTOP", "Desktop":
		return Desktop, nil
	case "phone", "PHONE", "Phone":
		return Phone, nil
	}
	return 0, fmt.Errorf("unknown form factor %q (want desktop or phone)", s)
}

// RequestFormFactor maps a User-Agent form factor to the segment merino-py queries:
// other→desktop, tablet→phone, and anything unknown (or empty) → desktop.
func RequestFormFactor(uaFormFactor string) FormFactor {
	switch uaFormFactor {
	case "phone", "tablet":
		return Phone
	}
	return Desktop
}

// Segment names one index: merino-py's `"<country>/(<form factor>,)"`.
type Segment struct {
	Country    string
	FormFactor FormFactor
}

// String returns the segment as merino-py's index id, e.g. `US/(0,)`.
func (s Segment) String() string { return fmt.Sprintf("%s/(%d,)", s.Country, s.FormFactor) }

// Settings are the provider's configuration, read once at startup ([providers.<id>] with
// type "adm"; kit.go reads them).
type Settings struct {
	suggest.Base
	// Backend is mars, remote_settings or file.
	Backend string
	// FilePath is the file backend's MARS response body, served for every segment.
	FilePath       string
	ResyncInterval time.Duration
	// Fuzzy is fuzzy.enabled: the kill switch of the fuzzy fallback.
	Fuzzy bool
	// MinSubstitutionLen is fuzzy.min_substitution_len.
	MinSubstitutionLen int
}

// segments is one immutable generation of the provider's indexes.
type segments map[Segment]*Snapshot

// Provider answers from the current segments, each swapped in whole by a loader.
type Provider struct {
	Settings
	segs atomic.Pointer[segments]
	mu   sync.Mutex // serialises writers (one syncer per segment may store concurrently)

	topPick       *metrics.Counter
	fuzzyFound    *metrics.Counter
	fuzzyServed   *metrics.Counter
	fuzzyMiss     *metrics.Counter
	fuzzyRejected [numReasons]*metrics.Counter
}

// New returns a provider with no data: it answers nothing until a snapshot is stored.
func New(s Settings) *Provider {
	p := &Provider{Settings: s}
	label := fmt.Sprintf(`provider=%q`, s.Name)
	p.topPick = metrics.GetOrCreateCounter(`merino_adm_top_pick_promotions_total{` + label + `}`)
	p.fuzzyFound = metrics.GetOrCreateCounter(`merino_adm_fuzzy_total{` + label + `,outcome="candidate_found"}`)
	p.fuzzyServed = metrics.GetOrCreateCounter(`merino_adm_fuzzy_total{` + label + `,outcome="served"}`)
	p.fuzzyMiss = metrics.GetOrCreateCounter(`merino_adm_fuzzy_total{` + label + `,outcome="miss"}`)
	for r := Reason(1); r < numReasons; r++ {
		p.fuzzyRejected[r] = metrics.GetOrCreateCounter(fmt.Sprintf(`merino_adm_fuzzy_rejected_total{%s,reason=%q}`, label, r))
	}
	return p
}

// StoreSegment makes snap the index of one segment; other segments are untouched. Requests
// in flight finish on the generation they loaded.
func (p *Provider) StoreSegment(seg Segment, snap *Snapshot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	next := segments{}
	if cur := p.segs.Load(); cur != nil {
		for k, v := range *cur {
			next[k] = v
		}
	}
	next[seg] = snap
	p.segs.Store(&next)
}

// StoreAll replaces every segment at once (the Remote Settings backend builds them together).
func (p *Provider) StoreAll(all map[Segment]*Snapshot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	next := make(segments, len(all))
	for k, v := range all {
		next[k] = v
	}
	p.segs.Store(&next)
}

// Segment returns the current snapshot of a segment, nil if it has none.
func (p *Provider) Segment(seg Segment) *Snapshot {
	if cur := p.segs.Load(); cur != nil {
		return (*cur)[seg]
	}
	return nil
}

// Inline implements suggest.Provider: a lookup is a binary search, and the rare fuzzy
// fallback a few dozen more.
func (p *Provider) Inline() bool { return true }

// maxStackQuery is the normalised query length kept on the stack: an ASCII query at merino-py's
// 500-character limit fits it (a longer one is still answered, from the heap).
const maxStackQuery = 1024

// Query implements suggest.Provider: normalise as merino-py does (lstrip, lower-case), pick the
// segment from the country (US when unknown) and the form factor, look the query up exactly,
// and on a miss in the fuzzy experiment branch try the one-typo neighbours through merino-py's
// guardrails. At most one suggestion. The exact path does not allocate.
func (p *Provider) Query(_ context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	cur := p.segs.Load()
	if cur == nil {
		return dst, nil
	}
	country := req.Location.Country
	if country == "" {
		country = FallbackCountry
	}
	snap := (*cur)[Segment{Country: country, FormFactor: RequestFormFactor(req.UserAgent.FormFactor)}]
	if snap == nil {
		return dst, nil
	}
	var buf [maxStackQuery]byte
	q := NormalizeQuery(buf[:0], req.Query)
	if hit, ok := snap.index.Lookup(q); ok {
		return p.answer(dst, snap, q, hit), nil
	}
	if !p.Fuzzy || !hasVariant(req.ClientVariants) {
		return dst, nil
	}
	return p.fuzzy(dst, snap, q), nil
}

// AppendKey implements suggest.Keyer: the answer depends on the query, the segment (country
// and form factor) and, with fuzzy matching on, the experiment branch.
func (p *Provider) AppendKey(dst []byte, req *suggest.Request) []byte {
	dst = suggest.AppendKeyString(dst, req.Query)
	dst = suggest.AppendKeyString(dst, req.Location.Country)
	fuzzy := byte(0)
	if p.Fuzzy && hasVariant(req.ClientVariants) {
		fuzzy = 1
	}
	return append(dst, byte(RequestFormFactor(req.UserAgent.FormFactor)), fuzzy)
}

func hasVariant(variants []string) bool {
	for _, v := range variants {
		if v == FuzzyVariant {
			return true
		}
	}
	return false
}

// fuzzy is merino-py's _query_index on the fuzzy arm: the extension's candidates (results
// de-duplicated by block id, in keyword order), each kept or dropped by the guardrails, and
// the first kept one served.
func (p *Provider) fuzzy(dst []suggest.Suggestion, snap *Snapshot, q []byte) []suggest.Suggestion {
	var hitBuf [16]keywords.Hit
	hits := snap.index.Fuzzy(q, hitBuf[:0])
	if len(hits) == 0 {
		return dst
	}
	p.fuzzyFound.Inc()
	var seenBuf [16]int32
	seen := seenBuf[:0]
	for _, h := range hits {
		block := snap.sugs[h.Suggestion].blockID
		if slices.Contains(seen, block) {
			continue
		}
		seen = append(seen, block)
		if r := RejectionReason(q, h.FullKeyword, p.MinSubstitutionLen); r != Keep {
			p.fuzzyRejected[r].Inc()
			continue
		}
		p.fuzzyServed.Inc()
		return p.answer(dst, snap, q, h)
	}
	p.fuzzyMiss.Inc()
	return dst
}

func (p *Provider) answer(dst []suggest.Suggestion, snap *Snapshot, q []byte, h keywords.Hit) []suggest.Suggestion {
	r := &snap.sugs[h.Suggestion]
	if !r.servable {
		return dst
	}
	tail := r.tail[0]
	if r.hasTP && hasPrefix(q, r.topPick) {
		tail = r.tail[1]
		p.topPick.Inc()
	}
	return append(dst, suggest.Suggestion{
		Provider:   p.Name,
		Score:      p.Score,
		Head:       r.head,
		Tail:       tail,
		HasKeyword: true,
		Keyword:    h.FullKeyword,
		Rest:       r.rest,
	})
}

func hasPrefix(b, prefix []byte) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == string(prefix)
}

// NormalizeQuery appends merino-py's adm normalize_query(q) — q.lstrip().lower() — to dst:
// leading white space only (trailing kept), Python's full lower-casing.
func NormalizeQuery(dst []byte, q string) []byte {
	return pystr.AppendLower(dst, pystr.TrimLeftSpace(q))
}

// NormalizeString is NormalizeQuery for cold paths.
func NormalizeString(q string) string { return string(NormalizeQuery(nil, q)) }
