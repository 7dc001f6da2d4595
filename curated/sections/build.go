package sections

import (
	"math"
	"slices"

	"github.com/mozilla-services/merino-go/curated/layout"
	"github.com/mozilla-services/merino-go/curated/ranking"
	"github.com/mozilla-services/merino-go/curated/surface"
)

// Builder builds sections feeds; its buffers are reused from one request to the next, so it
// must not be used concurrently (pool one per request).
type Builder struct {
	res      Result
	arena    []int32
	cands    []ranking.Candidate
	fresh    []bool  // by item index: the story is fresh after ranking
	alive    []bool  // by item index: survived the takedown
	grank    []int32 // by ordinal: position in the global ranking (the last occurrence)
	seen     []uint32
	local    []uint32
	stamp    uint32
	top      ranking.TopStories
	stories  []ranking.SectionStories
	storyBuf []ranking.Candidate
	scores   []float64
	ts       thompson
	find     finder
	// in and secIn are the ranking inputs of the stories and of the sections, kept here so
	// that handing them to a Ranker does not allocate them per request.
	in, secIn ranking.Inputs
}

// Build answers one request from feed f.
func (b *Builder) Build(f *Feed, r *Request, env *Env) *Result {
	res := &b.res
	res.Sections, res.Picker, res.scores, res.HasPicker, res.PickerRank = res.Sections[:0], res.Picker[:0], res.scores[:0], false, 0
	b.arena = slices.Grow(b.arena[:0], len(f.Items)+popularTop+popularExtra+1)
	ranker := env.Ranker
	if ranker == nil {
		ranker = &b.ts
	}
	exp := r.Experiment
	sid := r.Surface.ID
	rescaler := RescalerFor(exp, sid, r.InferredInterests)
	inBriefing, withPopular := briefingBranch(exp)

	// 50/50 slates, the dict, the German editorial gate.
	noEditorial := excludeEditorial(exp, sid)
	for _, e := range f.Dict {
		sl := e.Pick(env.Sampler)
		s := &f.Slates[sl]
		if noEditorial && s.Manual {
			continue
		}
		res.Sections = append(res.Sections, Section{ID: s.ID, Kind: Corpus, Slate: sl, Layout: layout.SixTiles,
			Followable: s.Followable, AllowAds: s.AllowAds, Visible: true})
	}
	var blocked [32]bool
	anyBlocked := false
	for _, c := range r.Configs {
		if t := surface.TopicOf(c.ID); c.Blocked && t != surface.NoTopic {
			blocked[t], anyBlocked = true, true
		}
	}
	// Each section's stories without blocked topics (blocking food removes food stories
	// everywhere; blocking nfl removes nothing).
	for i := range res.Sections {
		sec := &res.Sections[i]
		sl := &f.Slates[sec.Slate]
		start := len(b.arena)
		for ref := sl.Start; ref < sl.End; ref++ {
			if anyBlocked && blocked[f.Items[ref].Cand.Topic] {
				continue
			}
			b.arena = append(b.arena, ref)
		}
		sec.Items = b.arena[start:len(b.arena):len(b.arena)]
	}

	// Reported stories go from every section.
	b.in = ranking.Inputs{Engagement: env.Engagement, View: env.View, Priors: env.Priors, Region: r.Region,
		EngagementRegion: r.EngagementRegion, Rescaler: rescaler, Interests: r.Interests, Sampler: env.Sampler}
	in := &b.in
	b.cands = b.cands[:0]
	for i := range res.Sections {
		for _, ref := range res.Sections[i].Items {
			b.cands = append(b.cands, f.Items[ref].Cand)
		}
	}
	b.cands = b.takedown(f, b.cands, in, r.Region, env, res.Sections)

	// Rank every story, repeats across sections included.
	ranker.RankItems(b.cands, in)
	b.fresh = resize(b.fresh, len(f.Items))
	clear(b.fresh)
	b.grank = resize(b.grank, len(f.IDs))
	for i := range b.cands {
		c := &b.cands[i]
		b.fresh[c.Ref] = c.Fresh
		b.grank[c.Ordinal] = int32(i)
	}

	// Popular Today, from the global ranking.
	popLayout := layout.EightTwoAds
	if contextualAds(exp) {
		popLayout = layout.FourLarge
	}
	prior, hasPrior := in.RegionalPrior()
	b.top.Build(b.cands, &ranking.TopStoriesParams{Top: popularTop, Extra: popularExtra, Depth: popularDepth,
		Rescaler: rescaler, Prior: prior, HasPrior: hasPrior, Now: r.Now, Balancer: BalancerFor(exp, sid)}, env.Sampler)
	start := len(b.arena)
	for i := range b.top.Stories {
		ref := b.top.Stories[i].Ref
		b.arena = append(b.arena, ref)
		if len(b.top.Scores) > 0 {
			res.scores = append(res.scores, refScore{ref, b.top.Scores[i]})
		}
	}
	popular := Section{ID: PopularTodayID, Kind: PopularToday, Slate: -1, Items: b.arena[start:len(b.arena):len(b.arena)],
		Layout: popLayout, Followable: true, AllowAds: true, Visible: true}

	// Each section's stories in the global ranking's order.
	for i := range res.Sections {
		b.sortByGlobalRank(f, res.Sections[i].Items)
	}

	// The feed: Popular Today, the daily briefing, then the corpus sections.
	var head [2]Section
	n := 0
	includeBriefing := inBriefing && f.Briefing.Base >= 0
	if !includeBriefing || withPopular {
		if includeBriefing {
			popular.Layout = layout.FourMedium
		}
		head[n] = popular
		n++
	}
	if includeBriefing {
		head[n] = b.briefing(f, r, env, in, blocked, anyBlocked)
		n++
	}
	// dict.update: a corpus section named like Popular Today would take its content.
	if n > 0 && head[0].Kind == PopularToday {
		for i := range res.Sections {
			if res.Sections[i].ID == PopularTodayID {
				head[0] = res.Sections[i]
				res.Sections = slices.Delete(res.Sections, i, i+1)
				break
			}
		}
	}
	res.Sections = slices.Insert(res.Sections, 0, head[:n]...)

	// Prune, rank, de-duplicate, lay out.
	res.Sections = pruneSmall(res.Sections)
	b.rankSections(f, r, env, ranker, rescaler, includeBriefing)
	res.Sections = b.dedupe(f, res.Sections)
	cycleLayouts(res.Sections)
	adjustAds(res.Sections)
	if r.Picker && len(res.Sections) > 0 {
		b.interestPicker(env.Sampler)
	}
	// The pooled builder must not keep an old engagement snapshot alive.
	b.in, b.secIn = ranking.Inputs{}, ranking.Inputs{}
	return res
}

// report passes a taken-down story to the Reporter.
func (env *Env) report(r ranking.Reported) {
	if env.Reporter != nil {
		env.Reporter.Report(r)
	}
}

// takedown removes the reported stories from cands and from every section.
func (b *Builder) takedown(f *Feed, cands []ranking.Candidate, in *ranking.Inputs, region string, env *Env, secs []Section) []ranking.Candidate {
	n := len(cands)
	cands = ranking.Takedown(cands, in, region, env.report)
	if len(cands) == n {
		return cands
	}
	b.alive = resize(b.alive, len(f.Items))
	clear(b.alive)
	for i := range cands {
		b.alive[cands[i].Ref] = true
	}
	for i := range secs {
		items := secs[i].Items[:0]
		for _, ref := range secs[i].Items {
			if b.alive[ref] {
				items = append(items, ref)
			}
		}
		secs[i].Items = items
	}
	return cands
}

// briefing maps the daily-briefing section: not ranked (the corpus's order stands), but
// reported stories and blocked topics go, in that order.
func (b *Builder) briefing(f *Feed, r *Request, env *Env, in *ranking.Inputs, blocked [32]bool, anyBlocked bool) Section {
	sl := f.Briefing.Pick(env.Sampler)
	s := &f.Slates[sl]
	mark := len(b.cands)
	for ref := s.Start; ref < s.End; ref++ {
		b.cands = append(b.cands, f.Items[ref].Cand)
	}
	kept := ranking.Takedown(b.cands[mark:], in, r.Region, env.report)
	start := len(b.arena)
	for i := range kept {
		if anyBlocked && blocked[kept[i].Topic] {
			continue
		}
		b.arena = append(b.arena, kept[i].Ref)
	}
	b.cands = b.cands[:mark]
	return Section{ID: BriefingID, Kind: Briefing, Slate: sl, Items: b.arena[start:len(b.arena):len(b.arena)],
		Layout: layout.FourMedium, Followable: s.Followable, AllowAds: s.AllowAds, Visible: true}
}

// sortByGlobalRank orders a section's stories by their place in the global ranking (stable;
// sections hold at most a few dozen stories).
func (b *Builder) sortByGlobalRank(f *Feed, items []int32) {
	for i := 1; i < len(items); i++ {
		v := items[i]
		k := b.grank[f.Items[v].Cand.Ordinal]
		j := i
		for ; j > 0 && b.grank[f.Items[items[j-1]].Cand.Ordinal] > k; j-- {
			items[j] = items[j-1]
		}
		items[j] = v
	}
}

// pruneSmall drops the sections with fewer stories than their layout's tiles plus one
// (get_sections_with_enough_items).
func pruneSmall(secs []Section) []Section {
	return slices.DeleteFunc(secs, func(s Section) bool { return len(s.Items) < s.Layout.Tiles+fallbackBuffer })
}

// dedupe is dedupe_recommendations_across_sections: in rank order, stories already shown in a
// section above (or earlier in the same one) go; a section left with fewer stories than its
// tiles plus one goes too, and its stories do not count as shown; ranks are renumbered.
func (b *Builder) dedupe(f *Feed, secs []Section) []Section {
	b.seen = resize(b.seen, len(f.IDs))
	b.local = resize(b.local, len(f.IDs))
	b.stamp++
	if b.stamp > math.MaxUint32-uint32(len(secs))-1 { // about to wrap: forget every old stamp
		clear(b.seen)
		clear(b.local)
		b.stamp = 1
	}
	shown := b.stamp
	out := secs[:0]
	for _, s := range secs {
		b.stamp++
		mine := b.stamp
		items := s.Items[:0]
		for _, ref := range s.Items {
			o := f.Items[ref].Cand.Ordinal
			if b.seen[o] == shown || b.local[o] == mine {
				continue
			}
			b.local[o] = mine
			items = append(items, ref)
		}
		if len(items) < s.Layout.Tiles+fallbackBuffer {
			continue
		}
		for _, ref := range items {
			b.seen[f.Items[ref].Cand.Ordinal] = shown
		}
		s.Items = items
		s.Rank = len(out)
		out = append(out, s)
	}
	return out
}

// cycleLayouts gives the ranked corpus sections their layouts: 6 tiles, 4 with a large one, 4
// medium, repeating (Popular Today and the daily briefing keep theirs).
func cycleLayouts(secs []Section) {
	n := 0
	for i := range secs {
		if secs[i].ID == PopularTodayID || secs[i].ID == BriefingID {
			continue
		}
		secs[i].Layout = layout.Cycle[n%len(layout.Cycle)]
		n++
	}
}

// adjustAds keeps ads only in sections that allow them, at ranks 0, 1, 2, 4, 6, … 18.
func adjustAds(secs []Section) {
	for i := range secs {
		r := secs[i].Rank
		secs[i].Ads = secs[i].AllowAds && (r == 0 || r == 1 || r == 2 || (r <= 18 && r%2 == 0))
	}
}

// resize returns s with length n, reusing its array when it can.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
