package sections

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/curated/corpus"
	"github.com/mozilla-services/merino-go/curated/engagement"
	"github.com/mozilla-services/merino-go/curated/layout"
	"github.com/mozilla-services/merino-go/curated/ranking"
	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/curated/surface"
)

// corpusSection is a corpus section with n stories "<id>-0" … (topic: the id's, if it is one).
func corpusSection(id string, n int) *corpus.Section {
	s := &corpus.Section{ID: id, Title: "Title " + id, Followable: true, AllowAds: true}
	topic := surface.TopicOf(id)
	if topic == surface.NoTopic {
		topic = surface.Arts
	}
	for i := 0; i < n; i++ {
		sid := fmt.Sprintf("%s-%d", id, i)
		s.Items = append(s.Items, corpus.Item{ID: sid, Publisher: "pub " + sid, Topic: topic})
	}
	return s
}

func withItems(s *corpus.Section, ids ...string) *corpus.Section {
	s.Items = nil
	for _, id := range ids {
		s.Items = append(s.Items, corpus.Item{ID: id, Publisher: "pub " + id, Topic: surface.Business})
	}
	return s
}

func slateItems(f *Feed, sl int32) string {
	var ids []string
	for i := f.Slates[sl].Start; i < f.Slates[sl].End; i++ {
		ids = append(ids, f.Items[i].Cand.ID)
	}
	return strings.Join(ids, " ")
}

// The dict of sections: a repeated id keeps its first place and its last content; a 50/50
// alternate attaches to its base; the last daily-briefing is kept aside; stories repeated in a
// section go; the flags say where a story comes from.
func TestBuild(t *testing.T) {
	food2 := withItems(corpusSection("food", 0), "f3", "f1", "f3")
	gov := withItems(corpusSection("government", 0), "g1")
	gov.Alternate = withItems(corpusSection("government", 0), "g2", "g3")
	gov.Alternate.Variant = 5050
	sports := withItems(corpusSection("sports", 0), "s1")
	sports.Alternate = withItems(corpusSection("sports", 0), "s2")
	sports.Alternate.Variant = 9999
	manual := withItems(corpusSection("d532b687", 0), "m1")
	manual.Manual = true
	f := Build(&corpus.Sections{List: []*corpus.Section{
		withItems(corpusSection("food", 0), "f1", "f2"),
		withItems(corpusSection(BriefingID, 0), "b1"),
		gov, sports,
		withItems(corpusSection("nfl", 0), "n1", "f1"),
		food2,
		withItems(corpusSection(BriefingID, 0), "b2"),
		withItems(corpusSection(headlinesID, 0), "h1"),
		withItems(corpusSection("worldcup-2026", 0), "w1"),
		manual,
	}})
	var dict []string
	for _, e := range f.Dict {
		s := fmt.Sprintf("%s[%s]", f.Slates[e.Base].ID, slateItems(f, e.Base))
		if e.Alt >= 0 {
			s += fmt.Sprintf("/[%s]", slateItems(f, e.Alt))
		}
		dict = append(dict, s)
	}
	want := []string{"food[f3 f1]", "government[g1]/[g2 g3]", "sports[s1]", "nfl[n1 f1]", "headlines[h1]", "worldcup-2026[w1]", "d532b687[m1]"}
	if !slices.Equal(dict, want) {
		t.Errorf("dict %v\nwant %v", dict, want)
	}
	if got := slateItems(f, f.Briefing.Base); got != "b2" {
		t.Errorf("briefing %s, want the last one", got)
	}
	flags := map[string]ranking.Flags{}
	ordinals := map[string]int32{}
	for _, it := range f.Items {
		flags[it.Cand.ID] = it.Cand.Flags
		if o, ok := ordinals[it.Cand.ID]; ok && o != it.Cand.Ordinal {
			t.Errorf("%s: ordinals %d and %d", it.Cand.ID, o, it.Cand.Ordinal)
		}
		ordinals[it.Cand.ID] = it.Cand.Ordinal
		if f.IDs[it.Cand.Ordinal] != it.Cand.ID || f.Items[it.Cand.Ref].Cand.ID != it.Cand.ID {
			t.Errorf("%s: ordinal or ref", it.Cand.ID)
		}
	}
	for id, want := range map[string]ranking.Flags{"f1": 0, "n1": ranking.Subtopic, "h1": ranking.Headlines,
		"w1": ranking.WorldCup, "m1": 0, "b1": ranking.Subtopic} {
		if flags[id] != want {
			t.Errorf("%s: flags %v, want %v", id, flags[id], want)
		}
	}
	if p, ok := f.Lookup("nfl"); !ok || p != 3 {
		t.Errorf("Lookup(nfl) = %d %v", p, ok)
	}
	if _, ok := f.Lookup(BriefingID); ok {
		t.Error("the briefing is in the dict")
	}
}

// merino-py's test_get_ranking_rescaler_for_branch and the balancer configuration.
func TestRescalerFor(t *testing.T) {
	f := func(exp surface.Experiment, id surface.ID, interests bool, want *ranking.Rescaler) {
		t.Helper()
		if got := RescalerFor(exp, id, interests); got != want {
			t.Errorf("%v %s %v: %s, want %s", exp, id, interests, got.Name, want.Name)
		}
	}
	none := surface.Experiment{}
	f(surface.Experiment{Name: holdbackExp, Branch: "control"}, surface.EnUS, false, ranking.SchedulerHoldback)
	f(surface.Experiment{Name: "optin-" + holdbackExp, Branch: "control"}, surface.EnGB, false, ranking.SchedulerHoldback)
	f(surface.Experiment{Name: holdbackExp, Branch: "treatment"}, surface.EnUS, false, ranking.CrawledPinnedFresh)
	f(surface.Experiment{Name: "other", Branch: "treatment"}, surface.EnUS, false, ranking.CrawledPinnedFresh)
	f(none, surface.EnGB, false, ranking.Crawled)
	f(none, surface.EnIE, false, ranking.Crawled)
	f(none, surface.DeDE, true, ranking.Crawled)
	f(none, surface.EnCA, false, ranking.Crawled)
	f(none, surface.EnCA, true, ranking.CrawledPinnedFresh)
	f(none, surface.PlPL, false, ranking.CrawledPinnedFresh)
	f(none, surface.EsXA, false, ranking.CrawledPinnedFresh)

	if BalancerFor(none, surface.DeDE) != ranking.GermanBalancer || BalancerFor(none, surface.DeAT) != ranking.DefaultBalancer ||
		BalancerFor(surface.Experiment{Name: publisherGermanyExp, Branch: "treatment"}, surface.DeDE) != ranking.DefaultBalancer ||
		BalancerFor(surface.Experiment{Name: publisherGermanyExp, Branch: "control"}, surface.DeDE) != ranking.GermanBalancer {
		t.Error("BalancerFor")
	}
}

// merino-py's TestDailyBriefingExperiment and TestEditorialSectionsExperiment.
func TestExperimentSwitches(t *testing.T) {
	br := func(name, branch string, enrolled, with bool) {
		t.Helper()
		e, w := briefingBranch(surface.Experiment{Name: name, Branch: branch})
		if e != enrolled || w != with {
			t.Errorf("%s/%s: %v %v", name, branch, e, w)
		}
	}
	br(dailyBriefingExp, briefingWithPopular, true, true)
	br("optin-"+dailyBriefingExp, briefingWithoutPopular, true, false)
	br(dailyBriefingExp, "control", false, false)
	br("other", briefingWithPopular, false, false)
	br("", "", false, false)

	ed := func(name, branch string, id surface.ID, want bool) {
		t.Helper()
		if got := excludeEditorial(surface.Experiment{Name: name, Branch: branch}, id); got != want {
			t.Errorf("%s/%s %s: %v", name, branch, id, got)
		}
	}
	ed(editorialGermanyExp, "treatment", surface.DeDE, false)
	ed("optin-"+editorialGermanyExp, "treatment", surface.DeDE, false)
	ed(editorialGermanyExp, "control", surface.DeDE, true)
	ed("", "", surface.DeDE, true)
	ed("", "", surface.DeAT, false)
	ed("", "", surface.DeCH, false)
	ed(editorialGermanyExp, "control", surface.EnUS, false)

	for _, name := range contextualAdsExps {
		if !contextualAds(surface.Experiment{Name: name, Branch: "treatment"}) || contextualAds(surface.Experiment{Name: name, Branch: "control"}) {
			t.Errorf("contextual ads %s", name)
		}
	}
}

// feedOf is merino-py's generate_sections_feed: Popular Today then n-1 topic sections, ranks
// in that order, no stories.
func feedOf(n int) []Section {
	secs := []Section{{ID: PopularTodayID, Kind: PopularToday, Layout: layout.FourMedium, Followable: true, AllowAds: true}}
	for i := 1; i < n; i++ {
		id := fmt.Sprintf("section-%d", i)
		if i <= 16 {
			id = surface.Topic(i).String()
		}
		secs = append(secs, Section{ID: id, Rank: i, Layout: layout.FourMedium, Followable: true, AllowAds: true})
	}
	return secs
}

func ranks(secs []Section) string {
	var out []string
	for _, s := range secs {
		out = append(out, fmt.Sprintf("%s=%d", s.ID, s.Rank))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

func order(secs []Section) string {
	s := slices.Clone(secs)
	sortByRank(s)
	var ids []string
	for _, x := range s {
		ids = append(ids, x.ID)
	}
	return strings.Join(ids, " ")
}

// merino-py's TestAdjustAdsInSections.
func TestAdjustAds(t *testing.T) {
	for _, n := range []int{20, 4} {
		secs := feedOf(n)
		adjustAds(secs)
		for _, s := range secs {
			want := s.Rank <= 2 || s.Rank%2 == 0 && s.Rank <= 18
			if s.Ads != want {
				t.Errorf("%d sections, rank %d: ads %v", n, s.Rank, s.Ads)
			}
		}
	}
	secs := feedOf(4)
	secs[0].AllowAds = false
	adjustAds(secs)
	if secs[0].Ads {
		t.Error("allowAds false at rank 0 kept its ads")
	}
}

// merino-py's test_prunes_undersized_sections.
func TestPruneSmall(t *testing.T) {
	secs := []Section{{ID: "keep", Layout: layout.FourMedium, Items: make([]int32, 5)},
		{ID: "drop", Layout: layout.FourMedium, Items: make([]int32, 4)},
		{ID: "six", Layout: layout.SixTiles, Items: make([]int32, 6)}}
	if got := pruneSmall(secs); len(got) != 1 || got[0].ID != "keep" {
		t.Errorf("kept %v", got)
	}
}

// merino-py's TestCycleLayoutsForRankedSections: Popular Today and the daily briefing keep
// theirs; the others take 6, 4-large, 4-medium in turn.
func TestCycleLayouts(t *testing.T) {
	secs := feedOf(6)
	secs = append(secs[:2], append([]Section{{ID: BriefingID, Kind: Briefing, Layout: layout.FourMedium}}, secs[2:]...)...)
	cycleLayouts(secs)
	var names []string
	for _, s := range secs {
		names = append(names, s.Layout.Name)
	}
	want := []string{"4-medium-small-1-ad", "6-small-medium-1-ad", "4-medium-small-1-ad", "4-large-small-medium-1-ad",
		"4-medium-small-1-ad", "6-small-medium-1-ad", "4-large-small-medium-1-ad"}
	if !slices.Equal(names, want) {
		t.Errorf("layouts %v\nwant %v", names, want)
	}
}

// merino-py's TestPutTopStoriesFirst and TestPutDailyBriefingFirstThenTopStories.
func TestPinning(t *testing.T) {
	secs := feedOf(4)
	secs[0].Rank, secs[2].Rank = 2, 0 // swap Popular Today with the section at 2
	putPopularFirst(secs)
	if got := order(secs); got != "top_stories_section career business arts" {
		t.Errorf("popular first: %s", got)
	}
	secs = feedOf(3)
	putPopularFirst(secs)
	if got := ranks(secs); got != "business=1 career=2 top_stories_section=0" {
		t.Errorf("already first: %s", got)
	}
	secs = feedOf(3)[1:]
	putPopularFirst(secs)
	if got := ranks(secs); got != "business=1 career=2" {
		t.Errorf("no Popular Today: %s", got)
	}

	secs = feedOf(4)
	putBriefingFirst(secs) // no briefing: nothing moves
	if got := order(secs); got != "top_stories_section business career arts" {
		t.Errorf("no briefing: %s", got)
	}
	secs = append(feedOf(4), Section{ID: BriefingID, Kind: Briefing, Rank: 2})
	secs[2].Rank = 4
	putBriefingFirst(secs)
	if got := order(secs); got != "daily-briefing top_stories_section business arts career" {
		t.Errorf("briefing and Popular Today: %s", got)
	}
	secs = append(feedOf(4)[1:], Section{ID: BriefingID, Kind: Briefing, Rank: 3})
	putBriefingFirst(secs)
	if got := ranks(secs); got != "arts=3 business=1 career=2 daily-briefing=0" {
		t.Errorf("briefing without Popular Today: %s", got)
	}
}

// merino-py's TestGreedyPersonalizedSectionRanker.
func TestPersonalize(t *testing.T) {
	secs := feedOf(16)
	// Sections 4, 10, 13, 15 with scores 0, 1, 2, 3: the three at least 0.8 go first,
	// strongest first; the rest keep their order.
	in := &ranking.Interests{}
	for i, k := range []int{4, 10, 13, 15} {
		in.Scores = append(in.Scores, ranking.Score{Key: secs[k].ID, Value: float64(i)})
	}
	personalize(secs, in)
	want := []string{feedOf(16)[15].ID, feedOf(16)[13].ID, feedOf(16)[10].ID}
	for _, s := range feedOf(16) {
		if !slices.Contains(want, s.ID) {
			want = append(want, s.ID)
		}
	}
	if got := order(secs); got != strings.Join(want, " ") {
		t.Errorf("order %s\nwant %s", got, strings.Join(want, " "))
	}
	for _, scores := range [][]ranking.Score{nil, {{Key: "food", Value: 0.3}, {Key: "arts", Value: 0.0003}}, {{Key: "asflkjdfoij", Value: 1}}} {
		secs := feedOf(16)
		personalize(secs, &ranking.Interests{Scores: scores})
		if got := ranks(secs); got != ranks(feedOf(16)) {
			t.Errorf("%v changed the ranks: %s", scores, got)
		}
	}
	// Equal scores keep the request's order; Popular Today can be named too.
	secs = feedOf(5)
	personalize(secs, &ranking.Interests{Scores: []ranking.Score{{Key: "arts", Value: 0.9}, {Key: PopularTodayID, Value: 2}, {Key: "career", Value: 0.9}}})
	if got := order(secs); got != "top_stories_section arts career business food" {
		t.Errorf("ties: %s", got)
	}
}

var march20 = time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)

func follows(secs []Section, configs ...Config) {
	var fd finder
	fd.secs = secs
	boostFollowed(secs, configs, march20, &fd)
}

// merino-py's TestCuratedRecommendationsProviderBoostFollowedSections.
func TestBoostFollowed(t *testing.T) {
	// Each section, followed, goes to rank 0 (above Popular Today, which is pinned later).
	for i := 1; i < 17; i++ {
		secs := feedOf(17)
		id := secs[i].ID
		follows(secs, Config{ID: id, Followed: true})
		for _, s := range secs {
			if s.ID == id && (s.Rank != 0 || !s.Followed) {
				t.Errorf("%s: rank %d followed %v", id, s.Rank, s.Followed)
			}
		}
	}
	mk := func(ids string, rs ...int) []Section {
		var secs []Section
		for i, id := range strings.Fields(ids) {
			secs = append(secs, Section{ID: id, Rank: rs[i], Followable: true})
		}
		return secs
	}
	// The more recent follow first; then the rest in order; blocked sections stay put.
	secs := mk("top_stories_section hobbies food tech travel", 0, 5, 3, 2, 6)
	follows(secs,
		Config{ID: "hobbies", Followed: true, FollowedAt: time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC), HasFollowedAt: true},
		Config{ID: "tech", Followed: true, FollowedAt: time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC), HasFollowedAt: true},
		Config{ID: "travel", Blocked: true})
	if got := ranks(secs); got != "food=3 hobbies=0 tech=1 top_stories_section=2 travel=4" {
		t.Errorf("followedAt: %s", got)
	}
	for _, s := range secs {
		if s.Followed != (s.ID == "hobbies" || s.ID == "tech") || s.Blocked != (s.ID == "travel") {
			t.Errorf("%s: followed %v blocked %v", s.ID, s.Followed, s.Blocked)
		}
	}
	// Only blocks: flags set, order kept.
	secs = mk("top_stories_section arts food business travel", 0, 5, 3, 2, 6)
	follows(secs, Config{ID: "arts"}, Config{ID: "business", Blocked: true}, Config{ID: "travel", Blocked: true})
	if got := order(secs); got != "top_stories_section business food arts travel" {
		t.Errorf("blocks only: %s", got)
	}
	// A section that cannot be followed is not.
	secs = mk("top_stories_section business arts food", 0, 1, 2, 3)
	secs[1].Followable = false
	follows(secs, Config{ID: "business", Followed: true, FollowedAt: march20.Add(-24 * time.Hour), HasFollowedAt: true})
	if secs[1].Followed || ranks(secs) != "arts=2 business=1 food=3 top_stories_section=0" {
		t.Errorf("not followable: %s followed=%v", ranks(secs), secs[1].Followed)
	}
	// Recency: within 7 days beats older follows; among older ones the latest first; no
	// followedAt counts as the epoch, so it comes after any later date but before 1960.
	secs = mk("a b c d e f", 0, 1, 2, 3, 4, 5)
	at := func(d time.Duration) Config {
		return Config{Followed: true, FollowedAt: march20.Add(-d), HasFollowedAt: true}
	}
	cfg := []Config{at(30 * 24 * time.Hour), at(7 * 24 * time.Hour), {Followed: true}, at(400 * 24 * time.Hour),
		{Followed: true, FollowedAt: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), HasFollowedAt: true}}
	for i, id := range []string{"a", "b", "c", "d", "e"} {
		cfg[i].ID = id
	}
	follows(secs, cfg...)
	if got := order(secs); got != "b a d c e f" {
		t.Errorf("recency: %s", got)
	}
	// Listed twice: followed and blocked (both flags), the last follow's followedAt stands,
	// unknown ids are ignored.
	secs = mk("a b c", 0, 1, 2)
	follows(secs, Config{ID: "c", Followed: true, FollowedAt: march20, HasFollowedAt: true}, Config{ID: "zz", Followed: true, Blocked: true},
		Config{ID: "c", Blocked: true}, Config{ID: "c", Followed: true})
	if c := secs[0]; c.ID != "c" || !c.Followed || !c.Blocked || c.HasFollowedAt {
		t.Errorf("c: %+v", c)
	}
}

// merino-py's test_dedupes_and_drops_underfilled_sections, on a feed's stories.
func TestDedupe(t *testing.T) {
	f := Build(&corpus.Sections{List: []*corpus.Section{
		withItems(corpusSection("top", 0), "a", "b", "c", "d", "e"),
		withItems(corpusSection("mid", 0), "b", "c", "f", "g", "h", "i", "j"),
		withItems(corpusSection("low", 0), "b", "k"),
	}})
	var secs []Section
	for i, e := range f.Dict {
		sl := &f.Slates[e.Base]
		var items []int32
		for r := sl.Start; r < sl.End; r++ {
			items = append(items, r)
		}
		secs = append(secs, Section{ID: sl.ID, Rank: i, Layout: layout.FourMedium, Items: items})
	}
	var b Builder
	out := b.dedupe(f, secs)
	var got []string
	for _, s := range out {
		var ids []string
		for _, r := range s.Items {
			ids = append(ids, f.Items[r].Cand.ID)
		}
		got = append(got, fmt.Sprintf("%s=%d[%s]", s.ID, s.Rank, strings.Join(ids, " ")))
	}
	if want := []string{"top=0[a b c d e]", "mid=1[f g h i j]"}; !slices.Equal(got, want) {
		t.Errorf("dedupe %v, want %v", got, want)
	}
	// A second run reuses the stamps without mixing requests.
	if out := b.dedupe(f, slices.Clone(secs[:1])); len(out) != 1 || len(out[0].Items) != 5 {
		t.Errorf("second run: %+v", out)
	}
}

// merino-py's test_interest_picker.py.
func TestInterestPicker(t *testing.T) {
	var b Builder
	b.res.Sections = nil
	b.interestPicker(sampler.Fixed(0.5))
	if b.res.HasPicker {
		t.Error("a picker without sections")
	}
	// 12 sections: 7 hidden, fewer than 8: no picker, all visible.
	b.res = Result{Sections: feedOf(minPicker + minVisible - 1)}
	b.interestPicker(sampler.Fixed(0.5))
	for _, s := range b.res.Sections {
		if !s.Visible {
			t.Errorf("%s hidden without a picker", s.ID)
		}
	}
	if b.res.HasPicker {
		t.Error("a picker for 7 hidden sections")
	}
	for followed := 0; followed < 7; followed++ {
		for _, u := range []float64{0.2, 0.7} {
			b.res = Result{Sections: feedOf(15)}
			for i := 0; i < followed; i++ {
				b.res.Sections[i+1].Followed = true
			}
			b.interestPicker(sampler.Fixed(u))
			res := &b.res
			wantRank := 2
			if followed == 0 {
				wantRank = 1 + int(u*2)
			}
			if !res.HasPicker || res.PickerRank != wantRank {
				t.Fatalf("%d followed, u=%v: picker %v at %d", followed, u, res.HasPicker, res.PickerRank)
			}
			visible := 0
			var hidden, picked []string
			for i, s := range res.Sections {
				if s.Visible {
					visible++
				} else {
					hidden = append(hidden, s.ID)
				}
				if s.Followed && !s.Visible {
					t.Errorf("followed %s hidden", s.ID)
				}
				wantRank := i
				if i >= res.PickerRank {
					wantRank++
				}
				if s.Rank != wantRank || s.ID != feedOf(15)[i].ID {
					t.Errorf("section %d: %s at %d, want %s at %d", i, s.ID, s.Rank, feedOf(15)[i].ID, wantRank)
				}
			}
			for _, i := range res.Picker {
				picked = append(picked, res.Sections[i].ID)
			}
			if visible != max(minVisible, 1+followed) || !slices.Equal(hidden, picked) {
				t.Errorf("%d followed: %d visible, hidden %v, picker %v", followed, visible, hidden, picked)
			}
		}
	}
	// Not followable: never in the picker, and not counted towards one.
	b.res = Result{Sections: feedOf(20)}
	for i := 17; i < 20; i++ {
		b.res.Sections[i].Followable = false
	}
	b.interestPicker(sampler.Fixed(0.5))
	if !b.res.HasPicker || len(b.res.Picker) != 12 {
		t.Errorf("picker %v with %d sections, want 12", b.res.HasPicker, len(b.res.Picker))
	}
	b.res = Result{Sections: feedOf(minVisible + minPicker + 1)}
	for i := minVisible + 2; i < len(b.res.Sections); i++ {
		b.res.Sections[i].Followable = false
	}
	b.interestPicker(sampler.Fixed(0.5))
	if b.res.HasPicker {
		t.Error("a picker for 2 followable hidden sections")
	}
	// Followed sections count as visible; ranks, not slice order, decide.
	secs := feedOf(15)
	slices.Reverse(secs)
	for i := range secs {
		secs[i].Followed = secs[i].Rank == 2 || secs[i].Rank == 7
	}
	if !setVisibility(secs, 3, 8) {
		t.Fatal("no picker")
	}
	var vis []int
	for _, s := range secs {
		if s.Visible {
			vis = append(vis, s.Rank)
		}
	}
	if !slices.Equal(vis, []int{0, 1, 2, 7}) {
		t.Errorf("visible ranks %v, want 0 1 2 7", vis)
	}
	renumberAround(secs, 2)
	if got := []int{secs[0].Rank, secs[1].Rank, secs[2].Rank, secs[3].Rank}; !slices.Equal(got, []int{0, 1, 3, 4}) {
		t.Errorf("renumbered %v", got)
	}
}

// world is a small en-US corpus with engagement that orders every story: Popular Today,
// sections, de-duplication and layouts can be followed by hand.
func world(t *testing.T) (*Feed, *Env) {
	t.Helper()
	var list []*corpus.Section
	var rows []string
	// Legacy sections of 12 stories; story i of section k has CTR falling with k*12+i, and
	// every story has engagement enough not to be fresh.
	for k, id := range []string{"business", "food", "arts", "tech", "travel", "health"} {
		s := corpusSection(id, 12)
		list = append(list, s)
		for i := range s.Items {
			clicks := 10000 - 100*(k*12+i)
			rows = append(rows, fmt.Sprintf(`{"corpus_item_id":%q,"click_count":%d,"impression_count":1000000}`, s.Items[i].ID, clicks))
		}
	}
	e, err := engagement.ParseEngagement([]byte("[" + strings.Join(rows, ",") + "]"))
	if err != nil {
		t.Fatal(err)
	}
	return Build(&corpus.Sections{List: list}), &Env{Engagement: e, Priors: engagement.ConstantPriors, Sampler: sampler.Fixed(0.5)}
}

func describe(f *Feed, res *Result) []string {
	var out []string
	for _, s := range res.Sections {
		var ids []string
		for _, r := range s.Items {
			ids = append(ids, strings.TrimPrefix(f.Items[r].Cand.ID, ""))
		}
		out = append(out, fmt.Sprintf("%d %s %s ads=%v [%s]", s.Rank, s.ID, s.Layout.Name, s.Ads, strings.Join(ids, " ")))
	}
	return out
}

// A whole build on the small world, as merino-py computes it: Popular Today reads the first 34
// ranked stories (business, food, arts); its first pass takes two per topic (6 of 9), its second
// skips 10 of the 28 rejected and takes a third food and arts story (3 per topic of 14), and the
// list is filled up with the next rejected ones, whatever their topic. Sections follow in the
// order of their first four stories; food, left with 3 stories, goes; layouts cycle; ads only
// at ranks 0, 1, 2, 4.
func TestBuildWorld(t *testing.T) {
	f, env := world(t)
	var b Builder
	req := &Request{Surface: surface.Get(surface.EnGB), Region: "GB", EngagementRegion: "GB", Now: march20}
	check := func(name string, res *Result, want ...string) {
		t.Helper()
		if got := describe(f, res); !slices.Equal(got, want) {
			t.Errorf("%s:\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	res := b.Build(f, req, env)
	check("build", res,
		"0 top_stories_section 8-double-row-2-ad ads=true [business-0 business-1 food-0 food-1 arts-0 arts-1 food-2 arts-2 food-3 food-4 food-5 food-6 food-7 food-8]",
		"1 business 6-small-medium-1-ad ads=true [business-2 business-3 business-4 business-5 business-6 business-7 business-8 business-9 business-10 business-11]",
		"2 arts 4-large-small-medium-1-ad ads=true [arts-3 arts-4 arts-5 arts-6 arts-7 arts-8 arts-9 arts-10 arts-11]",
		"3 tech 4-medium-small-1-ad ads=false [tech-0 tech-1 tech-2 tech-3 tech-4 tech-5 tech-6 tech-7 tech-8 tech-9 tech-10 tech-11]",
		"4 travel 6-small-medium-1-ad ads=true [travel-0 travel-1 travel-2 travel-3 travel-4 travel-5 travel-6 travel-7 travel-8 travel-9 travel-10 travel-11]",
		"5 health 4-large-small-medium-1-ad ads=false [health-0 health-1 health-2 health-3 health-4 health-5 health-6 health-7 health-8 health-9 health-10 health-11]")
	// serverScores: round(score·80, 3), falling.
	last := 1000.0
	for _, r := range res.Sections[0].Items {
		s, ok := res.ServerScore(r)
		c := f.Items[r].Cand
		if !ok || s >= last {
			t.Errorf("%s: serverScore %v %v after %v", c.ID, s, ok, last)
		}
		last = s
	}
	if _, ok := res.ServerScore(res.Sections[1].Items[0]); ok {
		t.Error("a serverScore outside Popular Today")
	}

	// Blocking food removes food stories everywhere (and its section with them); following
	// health moves it right under Popular Today.
	req.Configs = []Config{{ID: "food", Blocked: true}, {ID: "health", Followed: true}}
	res = b.Build(f, req, env)
	check("block food, follow health", res,
		"0 top_stories_section 8-double-row-2-ad ads=true [business-0 business-1 arts-0 arts-1 tech-0 tech-1 arts-2 tech-2 arts-3 arts-4 arts-5 arts-6 arts-7 arts-8]",
		"1 health 6-small-medium-1-ad ads=true [health-0 health-1 health-2 health-3 health-4 health-5 health-6 health-7 health-8 health-9 health-10 health-11]",
		"2 business 4-large-small-medium-1-ad ads=true [business-2 business-3 business-4 business-5 business-6 business-7 business-8 business-9 business-10 business-11]",
		"3 tech 4-medium-small-1-ad ads=false [tech-3 tech-4 tech-5 tech-6 tech-7 tech-8 tech-9 tech-10 tech-11]",
		"4 travel 6-small-medium-1-ad ads=true [travel-0 travel-1 travel-2 travel-3 travel-4 travel-5 travel-6 travel-7 travel-8 travel-9 travel-10 travel-11]")
	if s := res.Sections[1]; !s.Followed || s.Blocked {
		t.Errorf("health: %+v", s)
	}

	// The holdback: serverScores 0, -1e-05, ...
	req.Configs = nil
	req.Experiment = surface.Experiment{Name: holdbackExp, Branch: "control"}
	res = b.Build(f, req, env)
	for i, r := range res.Sections[0].Items[:4] {
		s, _ := res.ServerScore(r)
		if want := []float64{0, -1e-05, -2e-05, -3.0000000000000004e-05}[i]; s != want {
			t.Errorf("holdback score %d: %v, want %v", i, s, want)
		}
	}
}

// The daily briefing's three branches, and the German editorial gate.
func TestBuildExperiments(t *testing.T) {
	f, env := world(t)
	list := []*corpus.Section{}
	for _, e := range f.Dict {
		list = append(list, f.Slates[e.Base].Src)
	}
	brief := corpusSection(BriefingID, 6)
	brief.Followable = false
	manual := corpusSection("editorial", 9)
	manual.Manual = true
	for i := range manual.Items {
		manual.Items[i].Topic = surface.Sports
	}
	f = Build(&corpus.Sections{List: append(list, brief, manual)})
	var b Builder
	build := func(id surface.ID, exp surface.Experiment) []string {
		req := &Request{Surface: surface.Get(id), Region: "US", EngagementRegion: "US", Experiment: exp, Now: march20}
		return describe(f, b.Build(f, req, env))
	}
	head := func(lines []string, n int) string {
		var ids []string
		for _, l := range lines[:n] {
			ids = append(ids, strings.Join(strings.Fields(l)[:3], " "))
		}
		return strings.Join(ids, " | ")
	}
	with := build(surface.EnUS, surface.Experiment{Name: dailyBriefingExp, Branch: briefingWithPopular})
	if got := head(with, 3); got != "0 daily-briefing 4-medium-small-1-ad | 1 top_stories_section 4-medium-small-1-ad | 2 business 6-small-medium-1-ad" {
		t.Errorf("with popular: %s", got)
	}
	if !strings.Contains(with[0], "[daily-briefing-0 daily-briefing-1 daily-briefing-2 daily-briefing-3 daily-briefing-4 daily-briefing-5]") {
		t.Errorf("the briefing keeps the corpus order: %s", with[0])
	}
	without := build(surface.EnUS, surface.Experiment{Name: dailyBriefingExp, Branch: briefingWithoutPopular})
	if got := head(without, 2); got != "0 daily-briefing 4-medium-small-1-ad | 1 business 6-small-medium-1-ad" || strings.Contains(strings.Join(without, ""), PopularTodayID) {
		t.Errorf("without popular: %s", got)
	}
	control := build(surface.EnUS, surface.Experiment{Name: dailyBriefingExp, Branch: "control"})
	if got := head(control, 1); got != "0 top_stories_section 8-double-row-2-ad" || strings.Contains(strings.Join(control, ""), BriefingID) {
		t.Errorf("control: %s", got)
	}
	// Editorial sections: shown everywhere but in Germany outside the treatment.
	has := func(lines []string) bool { return strings.Contains(strings.Join(lines, ""), " editorial ") }
	if !has(build(surface.EnUS, surface.Experiment{})) || has(build(surface.DeDE, surface.Experiment{})) ||
		!has(build(surface.DeDE, surface.Experiment{Name: editorialGermanyExp, Branch: "treatment"})) {
		t.Error("editorial gating")
	}
}

// A request listing thousands of sections, contradictory and unknown ones included, is answered
// in one pass over the list.
func TestBuildManyConfigs(t *testing.T) {
	f, env := world(t)
	var cfg []Config
	for i := 0; i < 10000; i++ {
		cfg = append(cfg, Config{ID: fmt.Sprintf("unknown-%d", i), Followed: i%2 == 0, Blocked: i%3 == 0})
	}
	cfg = append(cfg, Config{ID: "arts", Followed: true, Blocked: true}, Config{ID: PopularTodayID, Followed: true})
	var b Builder
	res := b.Build(f, &Request{Surface: surface.Get(surface.EnUS), Region: "US", EngagementRegion: "US", Configs: cfg, Now: march20}, env)
	if res.Sections[0].ID != PopularTodayID || !res.Sections[0].Followed {
		t.Errorf("first %+v", res.Sections[0])
	}
	for _, s := range res.Sections {
		if s.ID == "arts" {
			t.Error("arts (blocked topic) still has enough stories")
		}
	}
}
