package sections

import (
	"math"
	"slices"
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
		sl := b.pick(e, env.Sampler)
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
	return res
}

// report passes a taken-down story to the Reporter.
func (env *Env) report(r ranking.Reported) {
	if env.Reporter != nil {
		env.Reporter.Report(r)
	}
}

// pick resolves a section's 50/50 alternate slate (resolve_5050: either, with equal odds).
func (b *Builder) pick(e Entry, s *sampler.Sampler) int32 {
	if e.Alt >= 0 && s.IntN(2) == 1 {
		return e.Alt
	}
	return e.Base
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
	sl := b.pick(f.Briefing, env.Sampler)
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
		start := len(b.storyBuf)
		for _, ref := range secs[i].Items {
			c := f.Items[ref].Cand
			c.Fresh = b.fresh[ref]
			b.storyBuf = append(b.storyBuf, c)
		}
		b.stories = append(b.stories, ranking.SectionStories{ID: secs[i].ID})
		b.stories[i].Stories = b.storyBuf[start:len(b.storyBuf):len(b.storyBuf)]
	}
	// storyBuf may have moved while growing: point every section at its final array.
	off := 0
	for i := range b.stories {
		n := len(b.stories[i].Stories)
		b.stories[i].Stories = b.storyBuf[off : off+n : off+n]
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

// The interest picker's rules (interest_picker.py).
const (
	minVisible = 5
	minPicker  = 8
	pickerRank = 2
)

// interestPicker is create_interest_picker: the first five sections (and every followed one)
// stay visible; when at least eight hidden ones can be followed, the picker offers them, at
// rank 2 when something is followed and else at 1 or 2, and the sections are renumbered around
// it. With fewer, everything is visible and there is no picker.
func (b *Builder) interestPicker(s *sampler.Sampler) {
	res := &b.res
	secs := res.Sections // in rank order
	if !setVisibility(secs, minVisible, minPicker) {
		return
	}
	followed := false
	for i := range secs {
		followed = followed || secs[i].Followed
		if !secs[i].Visible && secs[i].Followable {
			res.Picker = append(res.Picker, i)
		}
	}
	res.HasPicker = true
	res.PickerRank = pickerRank
	if !followed {
		res.PickerRank = 1 + s.IntN(2)
	}
	renumberAround(secs, res.PickerRank)
}

// setVisibility is _set_section_initial_visibility: in rank order, a section is visible if it
// is followed or fewer than minVisible are so far; when fewer than minPicker hidden sections
// can be followed, all are made visible. It reports whether a picker is due.
func setVisibility(secs []Section, minVisible, minPicker int) bool {
	sortByRank(secs)
	visible, hidden := 0, 0
	for i := range secs {
		secs[i].Visible = secs[i].Followed || visible < minVisible
		if secs[i].Visible {
			visible++
		} else if secs[i].Followable {
			hidden++
		}
	}
	if hidden >= minPicker {
		return true
	}
	for i := range secs {
		secs[i].Visible = true
	}
	return false
}

// renumberAround renumbers the sections in rank order, skipping the picker's rank.
func renumberAround(secs []Section, skip int) {
	sortByRank(secs)
	rank := 0
	for i := range secs {
		if rank == skip {
			rank++
		}
		secs[i].Rank = rank
		rank++
	}
}

// resize returns s with length n, reusing its array when it can.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
