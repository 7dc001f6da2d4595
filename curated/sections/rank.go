package sections

import (
	"slices"
	"time"

	"github.com/mozilla-services/merino-go/curated/ranking"
)

// rankSections is merino-py's rank_sections: passes in increasing priority, each renumbering.
func (b *Builder) rankSections(f *Feed, r *Request, env *Env, ranker Ranker, rescaler *ranking.Rescaler, includeBriefing bool) {
	secs := b.res.Sections
	// Sections are ranked on global engagement: the region goes in only with the German
	// branch's engagement region.
	b.secIn = ranking.Inputs{Engagement: env.Engagement, View: env.View, Priors: env.Priors, Rescaler: rescaler, Sampler: env.Sampler}
	in := &b.secIn
	if r.EngagementRegion != r.Region {
		in.Region, in.EngagementRegion = r.Region, r.EngagementRegion
	}
	b.stories = b.stories[:0]
	b.storyBuf = b.storyBuf[:0]
	for i := range secs {
		for _, ref := range secs[i].Items {
			c := f.Items[ref].Cand
			c.Fresh = b.fresh[ref]
			b.storyBuf = append(b.storyBuf, c)
		}
	}
	// Slice storyBuf once it has stopped growing (an append may have moved it).
	off := 0
	for i := range secs {
		n := len(secs[i].Items)
		b.stories = append(b.stories, ranking.SectionStories{ID: secs[i].ID, Stories: b.storyBuf[off : off+n : off+n]})
		off += n
	}
	b.scores = resize(b.scores, len(secs))
	ranker.ScoreSections(b.stories, in, b.scores)
	rankByScore(secs, b.scores)
	if ranker.Personalizes() && r.Interests != nil {
		personalize(secs, r.Interests)
	}
	if len(r.Configs) > 0 {
		b.find.reset(f, secs)
		boostFollowed(secs, r.Configs, r.Now, &b.find)
	}
	putPopularFirst(secs)
	if includeBriefing {
		putBriefingFirst(secs)
	}
	sortByRank(secs)
	if len(secs) > maxSections {
		b.res.Sections = secs[:maxSections]
	}
}

// rankByScore sorts sections by score, highest first, ties in their order, and renumbers them
// (the ranker's rank_sections and renumber_sections).
func rankByScore(secs []Section, scores []float64) {
	// Sort in place, moving each score with its section (scores[i] belongs to secs[i]).
	for i := 1; i < len(secs); i++ {
		s, sc := secs[i], scores[i]
		j := i
		for ; j > 0 && scores[j-1] < sc; j-- {
			secs[j], scores[j] = secs[j-1], scores[j-1]
		}
		secs[j], scores[j] = s, sc
	}
	renumber(secs)
}

// personalize is greedy_personalized_section_rank: the sections named by interests whose raw
// score is at least 0.8 go first, strongest first; the rest keep their order.
func personalize(secs []Section, in *ranking.Interests) {
	sortByRank(secs)
	next := 0
	for {
		// The strongest remaining preference (ties: the first in the request).
		best := -1
		for i, s := range in.Scores {
			if s.Value < personalThreshold {
				continue
			}
			at := indexOf(secs[next:], s.Key)
			if at < 0 {
				continue
			}
			if best < 0 || s.Value > in.Scores[best].Value {
				best = i
			}
		}
		if best < 0 {
			break
		}
		moveUp(secs, next+indexOf(secs[next:], in.Scores[best].Key), next)
		next++
	}
	renumber(secs)
}

// moveUp moves secs[from] to position to (≤ from), the ones between down by one.
func moveUp(secs []Section, from, to int) {
	s := secs[from]
	copy(secs[to+1:from+1], secs[to:from])
	secs[to] = s
}

// renumber ranks the sections in slice order.
func renumber(secs []Section) {
	for i := range secs {
		secs[i].Rank = i
	}
}

func indexOf(secs []Section, id string) int {
	for i := range secs {
		if secs[i].ID == id {
			return i
		}
	}
	return -1
}

// finder finds a section of the feed being built by id.
type finder struct {
	f     *Feed
	secs  []Section
	byPos []int32 // Feed.Dict position → index in secs, -1 for none
}

func (fd *finder) reset(f *Feed, secs []Section) {
	fd.f, fd.secs = f, secs
	fd.byPos = resize(fd.byPos, len(f.Dict))
	for i := range fd.byPos {
		fd.byPos[i] = -1
	}
	for i := range secs {
		if secs[i].Kind != Corpus {
			continue
		}
		if p, ok := f.Lookup(secs[i].ID); ok {
			fd.byPos[p] = int32(i)
		}
	}
}

func (fd *finder) find(id string) int {
	if fd.f == nil {
		return indexOf(fd.secs, id)
	}
	if p, ok := fd.f.Lookup(id); ok {
		return int(fd.byPos[p])
	}
	for i := range fd.secs {
		if fd.secs[i].Kind != Corpus && fd.secs[i].ID == id {
			return i
		}
	}
	return -1
}

// boostFollowed is boost_followed_sections: the request's follows (of followable sections)
// and blocks are set on the sections, then followed sections go first — followed within the
// last seven days first, most recently followed first — and everything else keeps its order;
// blocked sections are flagged, not moved. When a section is listed more than once, the last
// follow's followedAt stands.
func boostFollowed(secs []Section, configs []Config, now time.Time, fd *finder) {
	for _, c := range configs {
		if !c.Followed && !c.Blocked {
			continue
		}
		i := fd.find(c.ID)
		if i < 0 {
			continue
		}
		s := &secs[i]
		if c.Followed && s.Followable {
			s.Followed, s.FollowedAt, s.HasFollowedAt = true, c.FollowedAt, c.HasFollowedAt
		}
		if c.Blocked {
			s.Blocked = true
		}
	}
	// The keys are distinct (ranks are), so sorting the slice gives merino-py's order; only
	// ranks matter to the passes after this one.
	notRecent := func(s *Section) bool { return !s.HasFollowedAt || now.Sub(s.FollowedAt) > recentFollow }
	slices.SortFunc(secs, func(a, b Section) int {
		switch {
		case a.Followed != b.Followed:
			return cmpBool(a.Followed)
		case notRecent(&a) != notRecent(&b):
			return -cmpBool(notRecent(&a))
		}
		// Most recent first; no followedAt counts as the epoch.
		if ta, tb := followedMicros(&a), followedMicros(&b); ta != tb {
			if ta > tb {
				return -1
			}
			return 1
		}
		return a.Rank - b.Rank
	})
	renumber(secs)
}

// cmpBool orders true first.
func cmpBool(first bool) int {
	if first {
		return -1
	}
	return 1
}

func followedMicros(s *Section) int64 {
	if !s.HasFollowedAt {
		return 0
	}
	return s.FollowedAt.UnixMicro()
}

// putPopularFirst moves Popular Today to rank 0; the sections above it move down one.
func putPopularFirst(secs []Section) {
	p := indexOf(secs, PopularTodayID)
	if p < 0 || secs[p].Rank == 0 {
		return
	}
	was := secs[p].Rank
	secs[p].Rank = 0
	for i := range secs {
		if i != p && secs[i].Rank < was {
			secs[i].Rank++
		}
	}
}

// putBriefingFirst is put_daily_briefing_first_then_top_stories: the daily briefing at 0,
// Popular Today (when shown) at 1, the rest after in their order.
func putBriefingFirst(secs []Section) {
	d := indexOf(secs, BriefingID)
	if d < 0 {
		return
	}
	p := indexOf(secs, PopularTodayID)
	sortByRank(secs)
	next := 0
	for _, id := range [...]string{BriefingID, PopularTodayID} {
		if id == PopularTodayID && p < 0 {
			continue
		}
		moveUp(secs, indexOf(secs, id), next)
		next++
	}
	renumber(secs)
}

// sortByRank orders the sections by Rank (distinct after every pass).
func sortByRank(secs []Section) {
	slices.SortStableFunc(secs, func(a, b Section) int { return a.Rank - b.Rank })
}
