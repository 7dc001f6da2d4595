package ranking

import (
	"math"
	"strconv"
	"time"
	"unsafe"

	"github.com/mozilla-services/merino-go/curated/engagement"
	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/curated/surface"
)

// BalancerConfig is merino-py's ArticleBalancerConfig: how Popular Today limits topics,
// evergreen content, subtopics, stories kept out of it, and publishers. Ratios apply to the
// number of stories expected.
type BalancerConfig struct {
	MaxTopical, MaxEvergreen, MaxPerTopic, MaxSubtopic, MaxBlocked float64
	MinPerTopic, MinSubtopic, BlockedMultiplier                    int
	// MaxPerPublisher applies when publisher enforcement is on, which it is with probability
	// PublisherLikelihood per request.
	MaxPerPublisher     int
	PublisherLikelihood float64
	// GovernmentMax replaces the per-topic limit of politics when positive.
	GovernmentMax int
}

// DefaultBalancer is DEFAULT_TOP_STORIES_ARTICLE_BALANCER_CONFIG: for 9 stories 7 topical, 4
// evergreen, 2 per topic, 1 subtopic and no story kept out of Popular Today; for 14, 11, 6, 3, 2.
var DefaultBalancer = &BalancerConfig{MaxTopical: 0.75, MaxEvergreen: 0.4, MaxPerTopic: 0.2, MaxSubtopic: 0.1,
	MaxBlocked: 0, MinPerTopic: 2, MinSubtopic: 1, BlockedMultiplier: 3, MaxPerPublisher: 100}

// GermanBalancer is NEW_TAB_DE_DE's: one story per publisher in 85 % of requests, and up to 3
// politics stories.
var GermanBalancer = func() *BalancerConfig {
	c := *DefaultBalancer
	c.GovernmentMax, c.MaxPerPublisher, c.PublisherLikelihood = 3, 1, 0.85
	return &c
}()

// evergreen reports merino-py's EVERGREEN_TOPICS.
func evergreen(t surface.Topic) bool {
	switch t {
	case surface.Food, surface.Society, surface.Finance, surface.SocietyParenting, surface.Home:
		return true
	}
	return false
}

// balanceCounts are the balancer's counters (merino-py's feature_counts).
type balanceCounts struct {
	topics                                [32]int16
	evergreen, topical, subtopic, blocked int
}

type publisherCount struct {
	name string
	n    int
}

// Balancer is merino-py's ArticleBalancer: it accepts stories while the list stays within its
// limits. The zero value is ready for Reset.
type Balancer struct {
	cfg                                              *BalancerConfig
	expected                                         int
	maxTopical, maxEvergreen, maxPerTopic, maxSubtop int
	maxBlocked                                       int
	enforcePublisher                                 bool
	counts                                           balanceCounts
	publishers                                       []publisherCount
	// Accepted are the stories taken, in order.
	Accepted []Candidate
}

// Reset starts a list of expected stories; enforcePublisher turns the publisher limit on.
func (b *Balancer) Reset(cfg *BalancerConfig, expected int, enforcePublisher bool) {
	*b = Balancer{cfg: cfg, enforcePublisher: enforcePublisher, publishers: b.publishers[:0], Accepted: b.Accepted[:0]}
	b.Raise(expected)
}

// Raise sets the limits for more expected stories (set_limits_for_expected_articles; limits
// only grow: a smaller number is ignored, where merino-py raises).
func (b *Balancer) Raise(expected int) {
	if expected <= b.expected {
		return
	}
	c := b.cfg
	n := float64(expected)
	b.expected = expected
	b.maxTopical = int(math.Ceil(c.MaxTopical * n))
	b.maxEvergreen = int(math.Ceil(c.MaxEvergreen * n))
	b.maxPerTopic = max(c.MinPerTopic, int(math.Ceil(c.MaxPerTopic*n)))
	b.maxSubtop = max(c.MinSubtopic, int(math.Ceil(c.MaxSubtopic*n)))
	// Rounded down: conservative on the first list, relaxed for the extra stories.
	b.maxBlocked = c.BlockedMultiplier * int(math.Floor(c.MaxBlocked*n))
}

// Add takes c if the list stays within the limits with it, and reports whether it did.
func (b *Balancer) Add(c *Candidate) bool {
	next := b.counts
	if c.Topic != surface.NoTopic {
		next.topics[c.Topic]++
	}
	if evergreen(c.Topic) {
		next.evergreen++
	} else {
		next.topical++
	}
	if c.Flags&Subtopic != 0 {
		next.subtopic++
	}
	if c.BlockedFromPopularToday() {
		next.blocked++
	}
	if next.evergreen > b.maxEvergreen || next.topical > b.maxTopical || next.subtopic > b.maxSubtop || next.blocked > b.maxBlocked {
		return false
	}
	for t, n := range next.topics {
		if int(n) > b.topicMax(surface.Topic(t)) {
			return false
		}
	}
	p := -1
	for i := range b.publishers {
		if b.publishers[i].name == c.Publisher {
			p = i
			break
		}
	}
	if b.enforcePublisher {
		// The most common publisher is the only one whose count can newly exceed the limit.
		n := 1
		if p >= 0 {
			n = b.publishers[p].n + 1
		}
		if n > b.cfg.MaxPerPublisher {
			return false
		}
	}
	if p >= 0 {
		b.publishers[p].n++
	} else {
		b.publishers = append(b.publishers, publisherCount{c.Publisher, 1})
	}
	b.counts = next
	b.Accepted = append(b.Accepted, *c)
	return true
}

func (b *Balancer) topicMax(t surface.Topic) int {
	if t == surface.Government && b.cfg.GovernmentMax > 0 {
		return b.cfg.GovernmentMax
	}
	return b.maxPerTopic
}

// AddStories offers stories in order until limit are accepted (add_stories). It appends the
// rejected ones to discarded and returns it with the stories never offered.
func (b *Balancer) AddStories(stories []Candidate, limit int, discarded []Candidate) ([]Candidate, []Candidate) {
	consumed := 0
	for i := range stories {
		if len(b.Accepted) >= limit {
			break
		}
		if !b.Add(&stories[i]) {
			discarded = append(discarded, stories[i])
		}
		consumed++
	}
	return discarded, stories[consumed:]
}

// TopStoriesParams are the inputs of Popular Today.
type TopStoriesParams struct {
	// Top stories come first, balanced for Top; Extra more are drawn from up to Depth further
	// down, balanced for Top+Extra (merino-py: 9, 5, 10).
	Top, Extra, Depth int
	Rescaler          *Rescaler // nil: none (no fresh handling, no serverScore)
	// Prior is the request's regional prior (HasPrior false: none), which enables the pinned
	// fresh slot; Now is the time its impressions are estimated for.
	Prior    engagement.Prior
	HasPrior bool
	Now      time.Time
	Balancer *BalancerConfig
}

// TopStories builds Popular Today; its buffers are reused from one request to the next.
type TopStories struct {
	bal                                     Balancer
	rest, throttled, backlog, second, extra []Candidate
	// Stories are the chosen stories in order, and Scores their serverScores (when the
	// request has a rescaler).
	Stories []Candidate
	Scores  []float64
}

// Build is merino-py's get_top_story_list over ranked stories (best first).
func (t *TopStories) Build(ranked []Candidate, p *TopStoriesParams, s *sampler.Sampler) {
	total := p.Top + p.Extra
	freshProb := 0.0
	if p.Rescaler != nil {
		freshProb = p.Rescaler.TopStoriesFreshPct
	}
	items := ranked
	pinned := -1 // the fresh story's index in ranked
	slot := 0
	if r := p.Rescaler; r != nil && r.FixedFreshSlot >= 0 && p.HasPrior {
		slot = r.FixedFreshSlot
		if pinned = PickFresh(ranked, r.EstimatedFreshPerCycle(p.Prior, p.Now), s); pinned >= 0 {
			t.rest = append(append(t.rest[:0], ranked[:pinned]...), ranked[pinned+1:]...)
			items = t.rest
		}
	}
	// The extra 10 help meet the constraints.
	t.throttled, t.backlog = ThrottleFresh(t.throttled[:0], t.backlog, items, freshProb, total+p.Depth+10, s)
	nonThrottled := items[len(t.throttled)+len(t.backlog):]

	cfg := p.Balancer
	if cfg == nil {
		cfg = DefaultBalancer
	}
	// random.random() < likelihood is drawn even when it is 0 in merino-py; here only when
	// it can matter.
	t.bal.Reset(cfg, p.Top, cfg.PublisherLikelihood > 0 && s.Float64() < cfg.PublisherLikelihood)
	var rest []Candidate
	t.second, rest = t.bal.AddStories(t.throttled, p.Top, t.second[:0])
	t.second = append(t.second, rest...)
	second := t.second
	if len(second) > p.Depth*2 {
		second = second[p.Depth:]
	}
	t.bal.Raise(total)
	t.extra, rest = t.bal.AddStories(second, total, t.extra[:0])
	extra := t.extra
	t.Stories = append(t.Stories[:0], t.bal.Accepted...)
	// When the constraints hold back too much, fill up regardless of them.
	for _, more := range [...][]Candidate{extra, rest, nonThrottled, t.backlog} {
		for i := 0; i < len(more) && len(t.Stories) < total; i++ {
			t.Stories = append(t.Stories, more[i])
		}
	}
	if pinned >= 0 {
		// top[:slot] + [fresh] + top[slot:-1], Python slices: the fresh story takes the slot
		// and the last story goes, whatever the balancer said.
		n := len(t.Stories)
		t.Stories = append(t.Stories, Candidate{})
		at := min(slot, n)
		copy(t.Stories[at+1:], t.Stories[at:n])
		t.Stories[at] = ranked[pinned]
		if n > slot {
			t.Stories = t.Stories[:n]
		}
	}
	t.Scores = t.Scores[:0]
	if p.Rescaler != nil {
		// serverScore must fall strictly, so that Firefox's local re-ranking keeps the order
		// absent preferences: a score not below the previous one becomes it minus 0.00001.
		last := 1000.0
		for i := range t.Stories {
			cur := 0.0
			if sc := t.Stories[i].Score; sc != 0 {
				cur = RoundPy(sc*p.Rescaler.ServerScoreScalar, 3)
			}
			if cur >= last {
				cur = last - 0.00001
			}
			last = cur
			t.Scores = append(t.Scores, cur)
		}
	}
}

// RoundPy is Python's round(x, digits): the decimal nearest to x's exact binary value, ties to
// even, read back as the nearest float.
func RoundPy(x float64, digits int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	var buf [64]byte
	b := strconv.AppendFloat(buf[:0], x, 'f', digits, 64)
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	if err != nil {
		return x
	}
	return v
}
