package sections

import (
	"time"

	"github.com/mozilla-services/merino-go/curated/engagement"
	"github.com/mozilla-services/merino-go/curated/layout"
	"github.com/mozilla-services/merino-go/curated/ranking"
	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/curated/surface"
)

// Config is one entry of a request's sections: a follow or a block (merino-py's
// SectionConfiguration).
type Config struct {
	ID                string
	Followed, Blocked bool
	// FollowedAt is set when HasFollowedAt (a timezone-aware timestamp, its offset kept).
	FollowedAt    time.Time
	HasFollowedAt bool
}

// Request is what the sections feed reads from a request.
type Request struct {
	Surface *surface.Surface
	// Region is the request's region, EngagementRegion the region of its engagement rows
	// (they differ only in the German publisher experiment); "" is none.
	Region, EngagementRegion string
	Experiment               surface.Experiment
	Configs                  []Config
	// Interests are the processed inferredInterests; nil when the request has none usable.
	Interests *ranking.Interests
	// InferredInterests is whether inferredInterests was sent at all (even {}): it picks
	// the rescaler on NEW_TAB_EN_CA.
	InferredInterests bool
	// Picker is enableInterestPicker.
	Picker bool
	Now    time.Time
}

// Env is the data and services one build reads.
type Env struct {
	Engagement *engagement.Snapshot
	// View, when set, is a view of Engagement over the feed's IDs (faster lookups).
	View *engagement.View
	// Priors is the prior backend (engagement.ConstantPriors when none is configured).
	Priors  *engagement.Priors
	Sampler *sampler.Sampler
	// Ranker orders stories and sections; nil is Thompson sampling.
	Ranker Ranker
	// Reporter is told of each story taken down for its reports (for the log line); nil:
	// nobody.
	Reporter Reporter
}

// Reporter hears of the stories taken down for their reports.
type Reporter interface {
	Report(ranking.Reported)
}

// Ranker orders a request's stories and sections (merino-py's Ranker classes). Thompson
// sampling is the default; the ML tier's contextual and LinTS rankers plug in here, chosen
// per request by the caller.
type Ranker interface {
	// RankItems scores every story (Score, Alpha, Beta, Fresh, Remaining) and sorts them best
	// first.
	RankItems(cands []ranking.Candidate, in *ranking.Inputs)
	// ScoreSections scores each section from its stories (best first, Fresh set): scores[i]
	// is secs[i]'s; higher ranks first.
	ScoreSections(secs []ranking.SectionStories, in *ranking.Inputs, scores []float64)
	// Personalizes reports whether the interest pass reorders the sections after it (plain
	// Thompson sampling: yes; the ML rankers already account for interests).
	Personalizes() bool
}

// thompson is the default Ranker.
type thompson struct{ scratch ranking.SectionScratch }

func (t *thompson) RankItems(cands []ranking.Candidate, in *ranking.Inputs) {
	ranking.ThompsonSampling(cands, in)
}

func (t *thompson) ScoreSections(secs []ranking.SectionStories, in *ranking.Inputs, scores []float64) {
	ranking.ThompsonSamplingSections(secs, in, sectionTopN, scores, &t.scratch)
}

func (t *thompson) Personalizes() bool { return true }

// Kind is what a section of the response is.
type Kind uint8

// The kinds.
const (
	Corpus Kind = iota
	PopularToday
	Briefing
)

// Section is a section of the response.
type Section struct {
	ID   string
	Kind Kind
	// Slate is the Feed slate the section shows (-1 for Popular Today).
	Slate int32
	// Rank is receivedFeedRank.
	Rank int
	// Items are the stories as Feed.Items indices, in order (receivedRank = position).
	Items                []int32
	Layout               *layout.Layout
	Followable, AllowAds bool
	// Ads is whether the layout's ad tiles keep their ads.
	Ads               bool
	Followed, Blocked bool
	// FollowedAt echoes the request's followedAt of a followed section (HasFollowedAt).
	FollowedAt    time.Time
	HasFollowedAt bool
	// Visible is isInitiallyVisible.
	Visible bool
}

// Result is a request's sections feed. It belongs to the Builder and is valid until its next
// Build.
type Result struct {
	// Sections in rank order.
	Sections []Section
	// HasPicker says whether there is an interest picker: at PickerRank, offering
	// Sections[i] for each i in Picker.
	HasPicker  bool
	PickerRank int
	Picker     []int
	scores     []refScore
}

type refScore struct {
	ref   int32
	score float64
}

// ServerScore returns the serverScore of a story (set on Popular Today's stories, and shown
// wherever the story ends up).
func (r *Result) ServerScore(ref int32) (float64, bool) {
	for _, s := range r.scores {
		if s.ref == ref {
			return s.score, true
		}
	}
	return 0, false
}

// merino-py's constants.
const (
	popularTop, popularExtra, popularDepth = 9, 5, 10
	// sectionTopN stories score a section: typically only 4 are shown (fewer than 6 explore
	// less, in a live test).
	sectionTopN = 4
	// maxSections is MAX_SECTIONS_PER_RESPONSE.
	maxSections = 20
	// fallbackBuffer: a section needs one story more than its layout's tiles.
	fallbackBuffer = 1
	// personalThreshold is the raw interest score that moves a section up (client noise is
	// below it).
	personalThreshold = 0.8
	recentFollow      = 7 * 24 * time.Hour
)

// The experiments the sections feed reads.
const (
	dailyBriefingExp       = "daily-briefing-v1"
	briefingWithPopular    = "briefing-with-popular"
	briefingWithoutPopular = "briefing-without-popular"
	holdbackExp            = "new-tab-topic-feeds-rollout-holdback"
	editorialGermanyExp    = "editorial-sections-experiment-germany"
	publisherGermanyExp    = "publisher-constraint-in-germany"
)

// contextualAdsExps give Popular Today one row (4-large-small-medium-1-ad) in their treatment.
var contextualAdsExps = [...]string{"new-tab-ad-updates-nightly", "new-tab-contextual-ad-updates-v2-nightly",
	"new-tab-contextual-ad-updates-beta", "new-tab-contextual-ad-updates-v2-beta",
	"new-tab-contextual-ad-updates-release", "new-tab-contextual-ad-updates-v2-release"}

// RescalerFor is merino-py's get_ranking_rescaler_for_branch: the holdback's, the plain
// crawled-content rescaler on EN_GB, EN_IE, DE_DE (and EN_CA without inferredInterests), the
// pinned-fresh one everywhere else.
func RescalerFor(exp surface.Experiment, id surface.ID, inferredInterests bool) *ranking.Rescaler {
	switch {
	case exp.Enrolled(holdbackExp, "control"):
		return ranking.SchedulerHoldback
	case id == surface.EnGB || id == surface.EnIE || id == surface.DeDE:
		return ranking.Crawled
	case id == surface.EnCA && !inferredInterests:
		return ranking.Crawled
	}
	return ranking.CrawledPinnedFresh
}

// BalancerFor is get_top_stories_article_balancer_config: NEW_TAB_DE_DE's publisher rule,
// except in the publisher experiment's treatment.
func BalancerFor(exp surface.Experiment, id surface.ID) *ranking.BalancerConfig {
	if id != surface.DeDE {
		return ranking.DefaultBalancer
	}
	if exp.Enrolled(publisherGermanyExp, "treatment") {
		return ranking.DefaultBalancer
	}
	return ranking.GermanBalancer
}

func contextualAds(exp surface.Experiment) bool {
	for _, name := range contextualAdsExps {
		if exp.Enrolled(name, "treatment") {
			return true
		}
	}
	return false
}

// briefingBranch returns whether the request is in the daily briefing experiment and whether
// Popular Today stays beside the briefing.
func briefingBranch(exp surface.Experiment) (enrolled, withPopular bool) {
	with := exp.Enrolled(dailyBriefingExp, briefingWithPopular)
	return with || exp.Enrolled(dailyBriefingExp, briefingWithoutPopular), with
}

// excludeEditorial is should_exclude_editorial_sections: MANUAL sections are hidden on
// NEW_TAB_DE_DE outside the German editorial experiment's treatment.
func excludeEditorial(exp surface.Experiment, id surface.ID) bool {
	return id == surface.DeDE && !exp.Enrolled(editorialGermanyExp, "treatment")
}
