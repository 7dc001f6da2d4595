// Package curated is Firefox New Tab's story feed, merino-py's curated recommendations:
// POST /api/v1/curated-recommendations and the two legacy GET endpoints, answered from the
// curated corpus (package corpus), engagement and priors (package engagement), ranked with
// Thompson sampling (package ranking), every random draw from one sampler (package sampler).
//
// Flow: a request is validated (request.go) into a Request; its locale, region and experiment
// pick a surface (package surface); the surface's corpus response comes from a
// stale-while-revalidate cache whose values are feeds rendered once per refresh (feed.go); the
// request ranks candidates drawn from the feed and writes the pre-rendered stories in order.
//
// A request for the sections feed (feeds: ["sections"] on a surface with sections) is built by
// package sections from the same cached response, and written here (sectionspath.go).
package curated

import (
	"context"
	"iter"
	"log/slog"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/curated/corpus"
	"github.com/mozilla-services/merino-go/curated/engagement"
	"github.com/mozilla-services/merino-go/curated/ranking"
	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/curated/sections"
	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/pydantic"
	"github.com/mozilla-services/merino-go/pyjson"
)

// Options configure a Provider.
type Options struct {
	Client *corpus.Client
	// TTLMin and TTLMax bound the corpus cache's randomised TTL.
	TTLMin, TTLMax time.Duration
	Engagement     *engagement.Holder
	// Priors is the loaded prior data; nil means none is configured (merino-py's constant
	// prior for every region).
	Priors  *engagement.PriorHolder
	Sampler *sampler.Sampler
	// SectionsRanker chooses the ranker of a sections request (the ML tier's seam: merino-py
	// picks its LinTS or contextual ranker here when their data is fresh); nil, or a nil
	// result, is Thompson sampling.
	SectionsRanker func(s *surface.Surface, interests *ranking.Interests) sections.Ranker
	// Now is the clock (recommendedAt, the local model); nil is time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// Provider answers New Tab's requests. It is safe for concurrent use.
type Provider struct {
	opts      Options
	scheduled *corpus.Cache[*scheduledFeed]
	sections  *corpus.Cache[*sectionsFeed]
	pool      sync.Pool // *exchange
	log       *slog.Logger
}

// Metrics of the request path (HTTP counts and latencies are the server's).
var (
	requestsInvalid  = metrics.NewCounter(`merino_curated_requests_total{result="invalid"}`)
	requestsOK       = metrics.NewCounter(`merino_curated_requests_total{result="ok"}`)
	requestsFailed   = metrics.NewCounter(`merino_curated_requests_total{result="error"}`)
	takedowns        = metrics.NewCounter("merino_curated_takedowns_total")
	storiesPerAnswer = metrics.NewHistogram("merino_curated_stories_per_response")
)

// New returns a provider.
func New(opts Options) *Provider {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Engagement == nil {
		opts.Engagement = &engagement.Holder{}
	}
	p := &Provider{opts: opts, log: opts.Log}
	p.scheduled = corpus.NewCache("scheduled_surface", p.loadScheduled, opts.TTLMin, opts.TTLMax, opts.Sampler.Uniform, nil, opts.Log)
	p.sections = corpus.NewCache("get_sections", p.loadSections, opts.TTLMin, opts.TTLMax, opts.Sampler.Uniform, nil, opts.Log)
	p.pool.New = func() any { return &exchange{dec: decoder{warn: p.warnTopic}} }
	return p
}

// exchange is one request's scratch space, pooled.
type exchange struct {
	dec         decoder
	builder     sections.Builder
	interestBuf ranking.Interests
	reporter    takedownLog
	members     []int
	values      []string
	cands       []ranking.Candidate
	spread      []ranking.Candidate
	bools       []bool
	seen        []bool
}

func (p *Provider) get() *exchange {
	return p.pool.Get().(*exchange)
}

func (p *Provider) put(x *exchange) {
	if cap(x.cands) > 1<<14 {
		x.cands, x.spread, x.bools, x.seen = nil, nil, nil, nil
	}
	x.dec.reset()
	x.reporter = takedownLog{} // no old feed kept alive by the pool
	p.pool.Put(x)
}

// warnTopic logs merino-py's topic warnings (logger merino.curated_recommendations.protocol);
// the value is the client's, so the line is marked sensitive.
func (p *Provider) warnTopic(msg, value string) {
	p.log.Warn(msg+value, "logger", "merino.curated_recommendations.protocol", "sensitive", true)
}

func (p *Provider) priors() *engagement.Priors {
	if p.opts.Priors == nil {
		return engagement.ConstantPriors
	}
	return p.opts.Priors.Load()
}

// Recommend answers POST /api/v1/curated-recommendations: it appends the response body to dst
// and returns it with the status (200, or 400 with pydantic's errors or FastAPI's detail). An
// error means the corpus could not be read on a cold cache: merino-py's plain-text 500.
func (p *Provider) Recommend(dst []byte, contentType, body []byte) ([]byte, int, error) {
	x := p.get()
	defer p.put(x)
	if !x.dec.decode(contentType, body) {
		requestsInvalid.Inc()
		if x.dec.detail != "" {
			return pydantic.AppendDetail(dst, x.dec.detail), 400, nil
		}
		p.log.Warn("HTTP 400: request validation error for path: /api/v1/curated-recommendations")
		return pydantic.AppendBody(dst, x.dec.errs), 400, nil
	}
	r := &x.dec.req
	s := surface.Select(r.Locale, r.Region, &r.Experiment)
	start := len(dst)
	dst = append(dst, `{"recommendedAt":`...)
	dst = jsonw.AppendInt(dst, p.opts.Now().UnixMilli())
	dst = append(dst, `,"surfaceId":`...)
	dst = jsonw.AppendString(dst, string(s.ID))
	dst = append(dst, `,"data":`...)
	region := surface.Region(r.Locale, r.Region)
	var err error
	switch {
	case r.WantsSections() && s.HasSections():
		dst, err = p.sectionsPath(dst, x, s, region, r)
	case s.RolledOut:
		dst, err = p.flattened(dst, x, s, region, r.Count, appendRecommendations)
		dst = append(dst, `,"feeds":null,"interestPicker":null`...)
	default:
		er := surface.EngagementRegion(r.Locale, r.Region, r.Experiment)
		dst, err = p.scheduledPath(dst, x, s, region, er, r.Topics, r.Count, appendRecommendations)
		dst = append(dst, `,"feeds":null,"interestPicker":null`...)
	}
	if err != nil {
		requestsFailed.Inc()
		p.log.Error("cannot read the curated corpus", "surface", string(s.ID), "error", err.Error())
		return dst[:start], 500, err
	}
	dst = append(dst, `,"inferredLocalModel":`...)
	if r.InferredInterests >= 0 {
		dst = appendLocalModel(dst, s.ID, r.Experiment, p.opts.Now())
	} else {
		dst = append(dst, "null"...)
	}
	requestsOK.Inc()
	return append(dst, '}'), 200, nil
}

// writer appends a ranked list of flat items in one of the response shapes.
type writer func(dst []byte, items []flatItem, ranked []ranking.Candidate) []byte

// appendRecommendations writes CuratedRecommendation objects with receivedRank = position.
func appendRecommendations(dst []byte, items []flatItem, ranked []ranking.Candidate) []byte {
	dst = append(dst, '[')
	for i := range ranked {
		if i > 0 {
			dst = append(dst, ',')
		}
		it := &items[ranked[i].Ref]
		dst = append(dst, it.head...)
		dst = jsonw.AppendInt(dst, int64(i))
		dst = append(dst, it.tail...)
	}
	storiesPerAnswer.Update(float64(len(ranked)))
	return append(dst, ']')
}

func appendLegacy115(dst []byte, items []flatItem, ranked []ranking.Candidate) []byte {
	return appendEach(dst, items, ranked, func(it *flatItem) []byte { return it.legacy115 })
}

func appendLegacy114(dst []byte, items []flatItem, ranked []ranking.Candidate) []byte {
	return appendEach(dst, items, ranked, func(it *flatItem) []byte { return it.legacy114 })
}

// appendEach writes a JSON list of one pre-rendered shape of the ranked items.
func appendEach(dst []byte, items []flatItem, ranked []ranking.Candidate, shape func(*flatItem) []byte) []byte {
	dst = append(dst, '[')
	for i := range ranked {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, shape(&items[ranked[i].Ref])...)
	}
	return append(dst, ']')
}

// pySlice is list[:count] in Python: a negative count drops that many from the end.
func pySlice(n int, count int64) int {
	switch {
	case count >= int64(n):
		return n
	case count >= 0:
		return int(count)
	case -count >= int64(n):
		return 0
	}
	return n + int(count)
}

// loadScheduled fetches and renders a surface's ScheduledSurface items (the cache's loader).
func (p *Provider) loadScheduled(ctx context.Context, id string) (*scheduledFeed, error) {
	sched, err := p.opts.Client.ScheduledSurface(ctx, surface.Get(surface.ID(id)))
	if err != nil {
		return nil, err
	}
	return newScheduledFeed(sched), nil
}

// loadSections fetches and renders a surface's sections (the cache's loader).
func (p *Provider) loadSections(ctx context.Context, id string) (*sectionsFeed, error) {
	secs, err := p.opts.Client.Sections(ctx, surface.Get(surface.ID(id)))
	if err != nil {
		return nil, err
	}
	return newSectionsFeed(secs), nil
}

func (p *Provider) scheduledFeed(s *surface.Surface) (*scheduledFeed, error) {
	return p.scheduled.Get(context.Background(), string(s.ID))
}

func (p *Provider) sectionsFeed(s *surface.Surface) (*sectionsFeed, error) {
	return p.sections.Get(context.Background(), string(s.ID))
}

// scheduledPath is merino-py's rank_recommendations on the ScheduledSurface items: Thompson
// sampling (no rescaler), publisher spread, the preferred-topic boost, the first count.
func (p *Provider) scheduledPath(dst []byte, x *exchange, s *surface.Surface, region, er string, topics []surface.Topic, count int64, w writer) ([]byte, error) {
	f, err := p.scheduledFeed(s)
	if err != nil {
		return dst, err
	}
	x.cands = x.cands[:0]
	for i := range f.items {
		x.cands = append(x.cands, f.items[i].cand)
	}
	in := ranking.Inputs{Engagement: p.opts.Engagement.Load(), Priors: p.priors(), Region: region, EngagementRegion: er, Sampler: p.opts.Sampler}
	ranking.ThompsonSampling(x.cands, &in)
	x.spread = ranking.SpreadPublishers(x.spread[:0], x.cands, 3, &x.bools)
	ranked := x.spread
	if len(topics) > 0 {
		x.cands = ranking.BoostTopics(x.cands[:0], x.spread, topics, &x.bools)
		ranked = x.cands
	}
	return w(dst, f.items, ranked[:pySlice(len(ranked), count)]), nil
}

// flattened is merino-py's get_legacy_recommendations_from_sections: the legacy-topic
// sections (50/50 slates resolved, later duplicates' content at the first one's place),
// flattened without repeats, games left out, reported stories taken down, Thompson sampling
// with the crawled-content rescaler, publisher spread, the first count.
func (p *Provider) flattened(dst []byte, x *exchange, s *surface.Surface, region string, count int64, w writer) ([]byte, error) {
	f, err := p.sectionsFeed(s)
	if err != nil {
		return dst, err
	}
	x.seen = x.seen[:0]
	for range f.feed.IDs {
		x.seen = append(x.seen, false)
	}
	x.cands = x.cands[:0]
	for _, e := range f.feed.Dict {
		if !f.feed.Slates[e.Base].Legacy {
			continue
		}
		sl := &f.feed.Slates[e.Pick(p.opts.Sampler)]
		for i := sl.Start; i < sl.End; i++ {
			it := &f.items[i]
			if x.seen[it.cand.Ordinal] {
				continue
			}
			x.seen[it.cand.Ordinal] = true
			if it.cand.Topic == surface.Hobbies {
				continue // games update hourly and would flood an unpersonalised feed
			}
			x.cands = append(x.cands, it.cand)
		}
	}
	eng := p.opts.Engagement.Load()
	in := ranking.Inputs{Engagement: eng, View: f.engagementView(eng), Priors: p.priors(), Region: region,
		Rescaler: ranking.Crawled, Sampler: p.opts.Sampler}
	x.cands = ranking.Takedown(x.cands, &in, region, func(r ranking.Reported) {
		p.logTakedown(f.items[r.Candidate.Ref].title, f.items[r.Candidate.Ref].url, region, r)
	})
	ranking.ThompsonSampling(x.cands, &in)
	x.spread = ranking.SpreadPublishers(x.spread[:0], x.cands, 3, &x.bools)
	n := pySlice(len(x.spread), count)
	if n == 0 {
		p.log.Error("No recommendations available after filtering for surface_id=" + string(s.ID) + ", region=" + pyRegion(region))
	}
	return w(dst, f.items, x.spread[:n]), nil
}

// logTakedown counts a story taken down for its reports and logs merino-py's WARNING.
func (p *Provider) logTakedown(title, url, region string, r ranking.Reported) {
	takedowns.Inc()
	p.log.Warn("Excluding reported recommendation: '"+title+"' ("+url+") was excluded due to high reports",
		"corpus_item_id", r.Candidate.ID, "report_ratio", r.Ratio, "reports", r.Reports,
		"impressions", r.Impressions, "threshold", 0.001, "region", pyRegion(region))
}

// pyRegion writes a region as Python's f-string does (None for none).
func pyRegion(r string) string {
	if r == "" {
		return "None"
	}
	return r
}

// Legacy is one of the two legacy endpoints.
type Legacy struct {
	localeParam string
	path        string // under /api/v1/curated-recommendations/, for the 400 log line
	max, def    int64
	head, tail  string
	write       writer
}

// The legacy endpoints: legacy-115-129 (Firefox 115 to 129) and legacy-114.
var (
	Legacy115 = &Legacy{localeParam: "locale", path: "legacy-115-129", max: 30, def: 30, head: `{"data":`, tail: "}", write: appendLegacy115}
	Legacy114 = &Legacy{localeParam: "locale_lang", path: "legacy-114", max: 50, def: 20,
		head: `{"status":1,"spocs":[],"settings":{"domainAffinityParameterSets":{},"timeSegments":[{"id":"week","startTime":604800,"endTime":0,"weightPosition":1},{"id":"month","startTime":2592000,"endTime":604800,"weightPosition":0.5}],"recsExpireTime":5400,"spocsPerNewTabs":0.5,"version":"6f605b0212069b4b8d3d040faf55742061a25c16"},"recommendations":`,
		tail: "}", write: appendLegacy114}
)

// Legacy115 answers GET /api/v1/curated-recommendations/legacy-115-129.
func (p *Provider) Legacy115(dst []byte, query iter.Seq2[[]byte, []byte]) ([]byte, int, error) {
	return p.legacy(dst, Legacy115, query)
}

// Legacy114 answers GET /api/v1/curated-recommendations/legacy-114.
func (p *Provider) Legacy114(dst []byte, query iter.Seq2[[]byte, []byte]) ([]byte, int, error) {
	return p.legacy(dst, Legacy114, query)
}

// legacy validates the query (locale, region, count; the last of repeated parameters) and
// answers with the flat feed of the surface the locale and region pick, without experiments.
func (p *Provider) legacy(dst []byte, l *Legacy, query iter.Seq2[[]byte, []byte]) ([]byte, int, error) {
	var locale, region, count string
	var hasLocale, hasCount bool
	for k, v := range query {
		switch string(k) {
		case l.localeParam:
			locale, hasLocale = string(v), true
		case "region":
			region = string(v)
		case "count":
			count, hasCount = string(v), true
		}
	}
	var errs []pydantic.Error
	switch {
	case !hasLocale:
		errs = append(errs, pydantic.Missing(pydantic.JSON(queryDict(query))).In("query", l.localeParam))
	case !surface.IsLocale(locale):
		errs = append(errs, pydantic.Enum(pydantic.Str(locale), localeExpected).In("query", l.localeParam))
	}
	n := l.def
	if hasCount {
		v, fail := laxInt(&pyjson.Node{Kind: pyjson.String, Text: count})
		switch {
		case fail != nil:
			errs = append(errs, fail(pydantic.Str(count)).In("query", "count"))
		case v < 1:
			errs = append(errs, pydantic.GreaterEqual(pydantic.Str(count), 1).In("query", "count"))
		case v > l.max:
			errs = append(errs, pydantic.LessEqual(pydantic.Str(count), l.max).In("query", "count"))
		default:
			n = v
		}
	}
	if len(errs) > 0 {
		requestsInvalid.Inc()
		p.log.Warn("HTTP 400: request validation error for path: /api/v1/curated-recommendations/" + l.path)
		return pydantic.AppendBody(dst, errs), 400, nil
	}
	x := p.get()
	defer p.put(x)
	s := surface.Select(locale, region, nil)
	r := surface.Region(locale, region)
	start := len(dst)
	dst = append(dst, l.head...)
	var err error
	if s.RolledOut {
		dst, err = p.flattened(dst, x, s, r, n, l.write)
	} else {
		dst, err = p.scheduledPath(dst, x, s, r, r, nil, n, l.write)
	}
	if err != nil {
		requestsFailed.Inc()
		p.log.Error("cannot read the curated corpus", "surface", string(s.ID), "error", err.Error())
		return dst[:start], 500, err
	}
	requestsOK.Inc()
	return append(dst, l.tail...), 200, nil
}

// queryDict renders the query parameters as the dict FastAPI shows as a missing field's input
// (the error path reads the query a second time, so a valid request copies none of it).
func queryDict(query iter.Seq2[[]byte, []byte]) string {
	var keys, vals []string
	for k, v := range query {
		keys, vals = append(keys, string(k)), append(vals, string(v))
	}
	b := []byte{'{'}
	first := true
	for i, k := range keys {
		last := i
		dup := false
		for j := range keys {
			if keys[j] == k {
				if j < i {
					dup = true
				}
				last = j
			}
		}
		if dup {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsonw.AppendString(b, k)
		b = append(b, ':')
		b = jsonw.AppendString(b, vals[last])
	}
	return string(append(b, '}'))
}
