package ranking

import (
	"math"

	"github.com/mozilla-services/merino-go/curated/engagement"
)

// SectionStories are one section's stories, best first, as ranked sections read them.
type SectionStories struct {
	ID      string
	Stories []Candidate
}

// SectionScratch holds the buffers of ThompsonSamplingSections between requests.
type SectionScratch struct {
	top, backlog []Candidate
}

// ThompsonSamplingSections is merino-py's ThompsonSamplingRanker.rank_sections' scores: each
// section's first topN stories (fresh ones throttled by the rescaler's section percentage)
// are summed, clicks and no-opens blended as for stories, with merino-py's constant prior per
// story (rescaled, not the prior data); the score is a Beta(max(C+A, 1), max(N−C+B, 1)) draw
// plus the rescaler's section boost. The clicks C are subtracted from the no-opens N once more,
// as merino-py does. scores[i] is section i's.
func ThompsonSamplingSections(secs []SectionStories, in *Inputs, topN int, scores []float64, scratch *SectionScratch) {
	regional, hasRegional := in.RegionalPrior()
	er := in.EngagementRegion
	if er != "" && er != in.Region {
		er = in.Region
		for _, sec := range secs {
			if r := in.resolveEngagementRegion(sec.Stories); r == in.EngagementRegion {
				er = r
				break
			}
		}
	}
	freshPct := 0.0
	if in.Rescaler != nil {
		freshPct = in.Rescaler.SectionFreshPct
	}
	for i, sec := range secs {
		scratch.top, scratch.backlog = ThrottleFresh(scratch.top[:0], scratch.backlog, sec.Stories, freshPct, topN, in.Sampler)
		var clicks, noOpens, a, b float64
		for j := range scratch.top {
			c := &scratch.top[j]
			opens, no, _, _, _ := in.Interactions(c, er, regional, hasRegional, RegionWeight)
			clicks += opens
			noOpens += no
			pa, pb := engagement.Constant.Alpha, engagement.Constant.Beta
			if in.Rescaler != nil {
				pa, pb = in.Rescaler.RescalePrior(c, pa, pb)
			}
			a += pa
			b += pb
		}
		alpha := math.Max(clicks+a, 1)
		beta := math.Max(noOpens-clicks+b, 1)
		boost := 0.0
		if in.Rescaler != nil {
			boost = in.Rescaler.BoostSection(sec.ID)
		}
		scores[i] = in.Sampler.Beta(alpha, beta) + boost
	}
}
