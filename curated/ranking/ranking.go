// Package ranking holds the primitives New Tab orders stories with (merino-py's rankers and
// prior_backends): Thompson sampling of a candidate list with regional blending and the
// engagement rescalers, the publisher spread, the preferred-topic boost and the takedown of
// heavily reported stories. They work in place on slices of Candidate, so a request reuses its
// buffers; the caller keeps whatever it renders indexed by Candidate.Ref.
package ranking

import (
	"math"
	"math/bits"
	"sort"
	"sync"

	"github.com/mozilla-services/merino-go/curated/engagement"
	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/curated/surface"
)

// Flags mark where a candidate came from (merino-py's experiment_flags).
type Flags uint8

// The flags.
const (
	// Subtopic: from an ML section that is not a legacy topic (kept out of Popular Today).
	Subtopic Flags = 1 << iota
	// Headlines: from the headlines section.
	Headlines
	// WorldCup: from a worldcup* section.
	WorldCup
)

// Candidate is one story being ranked.
type Candidate struct {
	ID            string
	Publisher     string
	Topic         surface.Topic
	TimeSensitive bool
	Flags         Flags
	// Ref is the caller's reference to the story (an index into its rendered items).
	Ref int32
	// Ordinal is the story's index in Inputs.View (its feed's number for the corpus id),
	// read only when a view is set.
	Ordinal int32

	// Set by ThompsonSampling.
	Score, Alpha, Beta float64
	Fresh              bool
	Remaining          int // impressions still needed to stop being fresh
}

// BlockedFromPopularToday is merino-py's is_story_blocked_for_top_stories: a subtopic story
// or a hobbies (gaming) one.
func (c *Candidate) BlockedFromPopularToday() bool {
	return c.Flags&Subtopic != 0 || c.Topic == surface.Hobbies
}

// RegionWeight is how much regional engagement weighs against global engagement (0.95).
const RegionWeight = 0.95

// boost is the Thompson-sampling interest boost of a story's topic (merino-py's
// boost_interest): its normalised interest score, or that of "other", scaled.
func (in *Interests) boost(t surface.Topic) float64 {
	if in == nil || t == surface.NoTopic {
		return 0
	}
	if v, ok := in.normalized(t.String()); ok {
		return v * inferredScoreWeight * topicWeight(t)
	}
	v, _ := in.normalized(otherInterest)
	return v * inferredScoreWeight
}

// Inputs are the data one ranking pass reads.
type Inputs struct {
	Engagement *engagement.Snapshot
	// Priors is the prior backend (engagement.ConstantPriors when none is configured).
	Priors *engagement.Priors
	// Region is the request's region and EngagementRegion the region of its engagement rows
	// (a synthetic one for some experiments); "" is none.
	Region, EngagementRegion string
	Rescaler                 *Rescaler // nil: none
	Interests                *Interests
	Sampler                  *sampler.Sampler
	// View, when set, is a view of Engagement over the candidates' feed: engagement is read
	// by Candidate.Ordinal instead of hashing ids.
	View  *engagement.View
	views [3]viewRows // the regions read so far
}

type viewRows struct {
	region string
	rows   []engagement.Row
	set    bool
}

// Counts returns a candidate's engagement in a region ("" = all regions).
func (in *Inputs) Counts(c *Candidate, region string) (engagement.Counts, bool) {
	if in.View == nil {
		return in.Engagement.Get(c.ID, region)
	}
	rows := in.viewRegion(region)
	if int(c.Ordinal) >= len(rows) || c.Ordinal < 0 {
		if rows == nil {
			return engagement.Counts{}, false // the snapshot has no row in this region
		}
		return in.Engagement.Get(c.ID, region)
	}
	r := &rows[c.Ordinal]
	return r.Counts, r.OK
}

// viewRegion returns the view's rows of a region, remembering a few per pass.
func (in *Inputs) viewRegion(region string) []engagement.Row {
	for i := range in.views {
		if v := &in.views[i]; v.set && v.region == region {
			return v.rows
		}
	}
	rows := in.View.Region(region)
	for i := range in.views {
		if v := &in.views[i]; !v.set {
			*v = viewRows{region, rows, true}
			break
		}
	}
	return rows
}

// opensNoOpens returns clicks and impressions−clicks of a story in a region.
func (in *Inputs) opensNoOpens(cand *Candidate, region string) (float64, float64) {
	c, ok := in.Counts(cand, region)
	if !ok {
		return 0, 0
	}
	return float64(c.Clicks), float64(c.Impressions - c.Clicks)
}

// RegionalPrior is merino-py's get_regional_prior: the engagement region's prior when it
// differs from the region and exists, else the region's.
func (in *Inputs) RegionalPrior() (engagement.Prior, bool) {
	if in.EngagementRegion != "" && in.EngagementRegion != in.Region {
		if p, ok := in.Priors.Get(in.EngagementRegion); ok {
			return p, true
		}
	}
	return in.Priors.Get(in.Region)
}

// resolveEngagementRegion is merino-py's resolve_engagement_region: a synthetic engagement
// region is used for the whole pass if any candidate has a row in it, else the region.
func (in *Inputs) resolveEngagementRegion(cands []Candidate) string {
	er := in.EngagementRegion
	if er == "" || er == in.Region {
		return er
	}
	for i := range cands {
		if _, ok := in.Counts(&cands[i], er); ok {
			return er
		}
	}
	return in.Region
}

// Interactions is merino-py's compute_interactions: opens, no-opens and the prior (a, b) of a
// story, blended with regional data, then rescaled; b0 is the prior b before rescaling.
func (in *Inputs) Interactions(c *Candidate, engagementRegion string, regional engagement.Prior, hasRegional bool, regionWeight float64) (opens, noOpens, a, b, b0 float64) {
	opens, noOpens = in.opensNoOpens(c, "")
	q := engagementRegion
	if q == "" {
		q = in.Region
	}
	rOpens, rNoOpens := in.opensNoOpens(c, q)
	global := in.Priors.Global()
	a, b = global.Alpha, global.Beta
	if rNoOpens != 0 && hasRegional {
		// float64() forces each product to be rounded, as Python does: Go may otherwise fuse
		// a multiply and an add, and orders must match merino-py's bit for bit.
		rest := 1 - regionWeight
		opens = float64(rOpens*regionWeight) + float64(opens*rest)
		noOpens = float64(rNoOpens*regionWeight) + float64(noOpens*rest)
		a = float64(regionWeight*regional.Alpha) + float64(rest*a)
		b = float64(regionWeight*regional.Beta) + float64(rest*b)
	}
	if r := in.Rescaler; r != nil {
		opens, noOpens = r.Rescale(c, opens, noOpens)
	}
	b0 = b
	if r := in.Rescaler; r != nil {
		a, b = r.RescalePrior(c, a, b)
	}
	return opens, noOpens, a, b, b0
}

// ThompsonSampling is merino-py's ThompsonSamplingRanker.rank_items: each candidate's score is
// a Beta(opens + a, no-opens + b) draw plus its interest boost; fresh candidates are flagged
// (and, past the rescaler's fresh_items_max, a random excess has its score halved); then
// cands is sorted by score, highest first, ties in their original order.
func ThompsonSampling(cands []Candidate, in *Inputs) {
	regional, hasRegional := in.RegionalPrior()
	er := in.resolveEngagementRegion(cands)
	var mult float64
	freshMax := 0
	if in.Rescaler != nil {
		mult, freshMax = in.Rescaler.FreshMultiplier, in.Rescaler.FreshMax
	}
	fresh := 0
	for i := range cands {
		c := &cands[i]
		opens, noOpens, a, b, b0 := in.Interactions(c, er, regional, hasRegional, RegionWeight)
		c.Alpha = opens + math.Max(a, 1e-18)
		c.Beta = noOpens + math.Max(b, 1e-18)
		c.Score = in.Sampler.Beta(c.Alpha, c.Beta) + in.Interests.boost(c.Topic)
		c.Fresh, c.Remaining = false, 0
		if mult > 0 && !c.TimeSensitive {
			if target := b0 * mult; noOpens < target {
				c.Fresh, c.Remaining = true, int(target-noOpens)
				fresh++
			}
		}
	}
	if freshMax > 0 && fresh > freshMax {
		suppressFresh(cands, fresh-freshMax, in.Sampler)
	}
	SortByScore(cands)
}

// keyed is a candidate's score and position, what sorting moves instead of whole candidates.
type keyed struct {
	score float64
	i     int32
}

type sortScratch struct {
	keys []keyed
	tmp  []Candidate
}

var sortPool = sync.Pool{New: func() any { return new(sortScratch) }}

// SortByScore sorts candidates by score, highest first, ties in their current order (Python's
// stable sorted(..., reverse=True)). It sorts small keys, then places the candidates once.
func SortByScore(c []Candidate) {
	s := sortPool.Get().(*sortScratch)
	s.keys = s.keys[:0]
	for i := range c {
		s.keys = append(s.keys, keyed{c[i].Score, int32(i)})
	}
	sortKeys(s.keys, 2*bits.Len(uint(len(s.keys))))
	s.tmp = append(s.tmp[:0], c...)
	for j, k := range s.keys {
		c[j] = s.tmp[k.i]
	}
	clear(s.tmp)
	if cap(s.tmp) <= 1<<14 {
		sortPool.Put(s)
	}
}

// before orders keys: higher scores first, ties by position. The order is total, so an
// unstable sort gives Python's stable one.
func (a keyed) before(b keyed) bool {
	return a.score > b.score || a.score == b.score && a.i < b.i
}

// sortKeys is an introsort specialised for keyed: the comparison inlines, where a generic sort
// calls a closure per comparison (it was a quarter of a sections request). Depth-limited
// quicksort with a median of three, heapsort past the limit, insertion sort for short runs.
func sortKeys(k []keyed, depth int) {
	for len(k) > 12 {
		if depth == 0 {
			heapSortKeys(k)
			return
		}
		depth--
		m := len(k) / 2
		// Median of three to k[0], then partition around it.
		if k[m].before(k[0]) {
			k[m], k[0] = k[0], k[m]
		}
		if k[len(k)-1].before(k[0]) {
			k[len(k)-1], k[0] = k[0], k[len(k)-1]
		}
		if k[len(k)-1].before(k[m]) {
			k[len(k)-1], k[m] = k[m], k[len(k)-1]
		}
		k[0], k[m] = k[m], k[0]
		pivot := k[0]
		i, j := 1, len(k)-1
		for {
			for i <= j && k[i].before(pivot) {
				i++
			}
			for i <= j && pivot.before(k[j]) {
				j--
			}
			if i >= j {
				break
			}
			k[i], k[j] = k[j], k[i]
			i++
			j--
		}
		k[0], k[j] = k[j], k[0]
		// Recurse into the smaller side, loop on the larger.
		if j < len(k)-1-j {
			sortKeys(k[:j], depth)
			k = k[j+1:]
		} else {
			sortKeys(k[j+1:], depth)
			k = k[:j]
		}
	}
	for i := 1; i < len(k); i++ {
		for j := i; j > 0 && k[j].before(k[j-1]); j-- {
			k[j], k[j-1] = k[j-1], k[j]
		}
	}
}

func heapSortKeys(k []keyed) {
	down := func(root, n int) {
		for {
			c := 2*root + 1
			if c >= n {
				return
			}
			if c+1 < n && k[c].before(k[c+1]) {
				c++
			}
			if !k[root].before(k[c]) {
				return
			}
			k[root], k[c] = k[c], k[root]
			root = c
		}
	}
	for i := len(k)/2 - 1; i >= 0; i-- {
		down(i, len(k))
	}
	for i := len(k) - 1; i > 0; i-- {
		k[0], k[i] = k[i], k[0]
		down(0, i)
	}
}

// suppressFresh halves the scores of n fresh candidates chosen at random (random.sample).
func suppressFresh(cands []Candidate, n int, s *sampler.Sampler) {
	idx := make([]int, 0, len(cands))
	for i := range cands {
		if cands[i].Fresh {
			idx = append(idx, i)
		}
	}
	for k := 0; k < n; k++ {
		j := k + s.IntN(len(idx)-k)
		idx[k], idx[j] = idx[j], idx[k]
		cands[idx[k]].Score *= 0.5
	}
}

// SpreadPublishers appends src to dst reordered so that a publisher does not reappear within
// distance stories where it can be avoided: each step takes the first remaining story whose
// publisher is not among the last distance taken, or else the first remaining story.
// taken is scratch space, grown as needed and kept for the next call.
func SpreadPublishers(dst, src []Candidate, distance int, scratch *[]bool) []Candidate {
	taken := (*scratch)[:0]
	for range src {
		taken = append(taken, false)
	}
	*scratch = taken
	start := len(dst)
	for n := 0; n < len(src); n++ {
		pick := -1
		first := -1
		for i := range src {
			if taken[i] {
				continue
			}
			if first < 0 {
				first = i
			}
			if !recentPublisher(dst[start:], src[i].Publisher, distance) {
				pick = i
				break
			}
		}
		if pick < 0 {
			pick = first
		}
		taken[pick] = true
		dst = append(dst, src[pick])
	}
	return dst
}

func recentPublisher(out []Candidate, publisher string, distance int) bool {
	from := len(out) - distance
	if from < 0 {
		from = 0
	}
	for i := from; i < len(out); i++ {
		if out[i].Publisher == publisher {
			return true
		}
	}
	return false
}

// The preferred-topic boost's limits (merino-py's NUM_RECS_PER_TOPIC and MAX_TOP_REC_SLOTS).
const (
	boostsPerTopic = 2
	maxBoosted     = 10
)

// BoostTopics appends src to dst with stories of the preferred topics first: walking the list,
// a story whose topic is preferred is boosted while its topic has fewer than 2 boosted and
// fewer than 10 are boosted in all; boosted stories keep their order, then the rest theirs.
// scratch is grown as needed and kept for the next call.
func BoostTopics(dst, src []Candidate, topics []surface.Topic, scratch *[]bool) []Candidate {
	boosted := (*scratch)[:0]
	defer func() { *scratch = boosted }()
	var left [32]int8
	for _, t := range topics {
		left[t] = boostsPerTopic
	}
	n := 0
	for i := range src {
		t := src[i].Topic
		b := t != surface.NoTopic && n < maxBoosted && left[t] > 0
		if b {
			left[t]--
			n++
			dst = append(dst, src[i])
		}
		boosted = append(boosted, b)
	}
	for i := range src {
		if !boosted[i] {
			dst = append(dst, src[i])
		}
	}
	return dst
}

// The takedown thresholds (merino-py's DEFAULT_REPORT_RECS_RATIO_THRESHOLD,
// DEFAULT_REPORT_COUNT_THRESHOLD and DEFAULT_SAFEGUARD_CAP_TAKEDOWN_FRACTION).
const (
	reportRatioThreshold = 0.001
	reportCountThreshold = 20
	takedownFraction     = 0.5
)

// Reported describes a story taken down, for the caller's log line.
type Reported struct {
	Candidate            Candidate
	Ratio                float64
	Reports, Impressions int64
}

// Takedown is merino-py's takedown_reported_recommendations: stories whose reports in the
// request's region (read through in) exceed 0.1 % of their impressions, with at least 20 reports, are removed,
// the most reported first, at most half of the list (rounded up); every occurrence of a
// removed id goes. It filters cands in place, returns the rest and calls report for each
// removed story.
func Takedown(cands []Candidate, in *Inputs, region string, report func(Reported)) []Candidate {
	var over []Reported
	for i := range cands {
		c, ok := in.Counts(&cands[i], region)
		if !ok || c.Impressions <= 0 {
			continue
		}
		ratio := float64(c.Reports) / float64(c.Impressions)
		if ratio > reportRatioThreshold && c.Reports >= reportCountThreshold {
			over = append(over, Reported{Candidate: cands[i], Ratio: ratio, Reports: c.Reports, Impressions: c.Impressions})
		}
	}
	if len(over) == 0 {
		return cands
	}
	sort.SliceStable(over, func(i, j int) bool { return over[i].Ratio > over[j].Ratio })
	if limit := int(math.Ceil(float64(len(cands)) * takedownFraction)); len(over) > limit {
		over = over[:limit]
	}
	out := cands[:0]
	for _, c := range cands {
		removed := false
		for _, o := range over {
			if o.Candidate.ID == c.ID {
				removed = true
				break
			}
		}
		if !removed {
			out = append(out, c)
		}
	}
	for _, o := range over {
		report(o)
	}
	return out
}
