package ranking

import (
	"math"
	"strings"
	"time"

	"github.com/mozilla-services/merino-go/curated/engagement"
)

// rescalerKind selects a Rescaler's rules.
type rescalerKind uint8

const (
	crawled rescalerKind = iota
	holdback
)

// Rescaler is one of merino-py's EngagementRescalers: how engagement and priors are scaled for
// a kind of content, and the fresh-story parameters of Popular Today and section ranking.
type Rescaler struct {
	Name string
	kind rescalerKind
	// FreshMultiplier (fresh_items_limit_prior_threshold_multiplier): a story is fresh while
	// its no-opens are below the prior's beta times this; 0 turns freshness off.
	FreshMultiplier float64
	// FreshMax (fresh_items_max): more fresh stories than this have a random excess halved.
	FreshMax int
	// TopStoriesFreshPct and SectionFreshPct are the fresh-story throttles of Popular Today and
	// of section ranking.
	TopStoriesFreshPct, SectionFreshPct float64
	// FixedFreshSlot is the Popular Today position reserved for one fresh story; -1 for none.
	FixedFreshSlot int
	// ServerScoreScalar multiplies scores into Popular Today's serverScore (local_rerank_scalar).
	ServerScoreScalar float64
	pinnedEstimate    bool
}

// The rescalers of merino-py.
var (
	// Crawled is CrawledContentRescaler: the flat feed of rolled-out surfaces, and sections on
	// EN_GB, EN_IE, DE_DE (and EN_CA without interests).
	Crawled = &Rescaler{Name: "crawled", kind: crawled, FreshMultiplier: 1, TopStoriesFreshPct: 0.15,
		SectionFreshPct: 0.15, FixedFreshSlot: -1, ServerScoreScalar: 80}
	// CrawledPinnedFresh is CrawledContentPinnedFreshRescaler: sections everywhere else.
	CrawledPinnedFresh = &Rescaler{Name: "crawled_pinned_fresh", kind: crawled, FreshMultiplier: 0.7, TopStoriesFreshPct: 0.03,
		SectionFreshPct: 0.15, FixedFreshSlot: 4, ServerScoreScalar: 80, pinnedEstimate: true}
	// SchedulerHoldback is SchedulerHoldbackRescaler (new-tab-topic-feeds-rollout-holdback control).
	SchedulerHoldback = &Rescaler{Name: "scheduler_holdback", kind: holdback, FixedFreshSlot: -1}
)

// Rescale scales a story's opens and no-opens.
func (r *Rescaler) Rescale(c *Candidate, opens, noOpens float64) (float64, float64) {
	switch r.kind {
	case holdback:
		return opens / 0.1, noOpens / 0.1
	}
	if c.BlockedFromPopularToday() {
		// Stories kept out of Popular Today get about 5x fewer impressions.
		return opens * 5, noOpens * 5
	}
	return opens, noOpens
}

// RescalePrior scales a story's prior: a pessimistic alpha for crawled content (0.35 for
// subtopic and blocked stories, 0.4 otherwise), unchanged for time-sensitive ones.
func (r *Rescaler) RescalePrior(c *Candidate, a, b float64) (float64, float64) {
	if r.kind == holdback || c.TimeSensitive {
		return a, b
	}
	if c.Flags&Subtopic != 0 || c.BlockedFromPopularToday() {
		return a * 0.35, b
	}
	return a * 0.4, b
}

// BoostSection is the section-score boost of special events: +0.0018 for worldcup* sections.
func (r *Rescaler) BoostSection(id string) float64 {
	if r.kind == crawled && strings.HasPrefix(id, "worldcup") {
		return 0.0018
	}
	return 0
}

// utcRelativeImpressions is merino-py's US_UTC_RELATIVE_IMPRESSIONS_NORM, by UTC hour.
var utcRelativeImpressions = [24]float64{1.0, 1.0, 1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 0.9, 1.3,
	1.6, 1.7, 1.7, 1.7, 1.7, 1.7, 1.7, 1.5, 1.3}

// EstimatedFreshPerCycle is compute_estimated_fresh_per_cycle: the impressions one Popular
// Today tile gets in a 10-minute refresh cycle at this hour (pinned rescaler), or the prior's
// daily total (the others).
func (r *Rescaler) EstimatedFreshPerCycle(p engagement.Prior, now time.Time) int {
	if !r.pinnedEstimate {
		return int(p.TotalImpressionsPerDay)
	}
	perTile := p.TotalImpressionsPerDay / 24.0 / 6.0 * 0.1
	return int(math.RoundToEven(perTile * utcRelativeImpressions[now.UTC().Hour()]))
}
