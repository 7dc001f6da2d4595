package ranking

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/curated/engagement"
	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/curated/surface"
)

// stories are candidates a..z with the given topics (merino-py's generate_recommendations:
// one publisher per story), ranked in order.
func stories(ids string, topics ...surface.Topic) []Candidate {
	out := make([]Candidate, len(ids))
	for i := range ids {
		id := ids[i : i+1]
		out[i] = Candidate{ID: id, Publisher: "publisher:" + id, Topic: topics[i%len(topics)], Ref: int32(i)}
	}
	return out
}

func fresh(c []Candidate, which string, remaining int) []Candidate {
	for i := range c {
		if strings.Contains(which, c[i].ID) {
			c[i].Fresh, c[i].Remaining = true, remaining
		}
	}
	return c
}

// merino-py's TestFilterFreshItemsWithProbability, with every draw pinned to u.
func TestThrottleFresh(t *testing.T) {
	f := func(items []Candidate, p float64, max int, u float64, wantOut, wantBacklog string) {
		t.Helper()
		out, backlog := ThrottleFresh(nil, nil, items, p, max, sampler.Fixed(u))
		if ids(out) != wantOut || ids(backlog) != wantBacklog {
			t.Errorf("p=%v max=%d u=%v: %s / %s, want %s / %s", p, max, u, ids(out), ids(backlog), wantOut, wantBacklog)
		}
		if n := len(out) + len(backlog); ids(items[:n]) != sortedIDs(out, backlog) {
			t.Errorf("examined %s, not the first %d stories", sortedIDs(out, backlog), n)
		}
	}
	// p = 0: the first max, no backlog (all fresh).
	f(fresh(stories("abc", surface.Arts), "abc", 0), 0, 2, 0.9, "a b", "")
	// Draws never below p: fresh stories wait, then fill the room left in order.
	f(fresh(stories("wxyz", surface.Arts), "wyz", 0), 0.5, 3, 0.9, "x w y", "z")
	f(fresh(stories("abc", surface.Arts), "abc", 0), 0.1, 1, 0.9, "a", "b c")
	// Draws below p: a waiting story goes out before each next one (and z is never examined
	// once the list is full).
	f(fresh(stories("wxyz", surface.Arts), "wyz", 0), 0.5, 3, 0.2, "w x y", "")
	f(fresh(stories("wxyz", surface.Arts), "wyz", 0), 0.5, 4, 0.2, "w x y z", "")
	f(fresh(stories("abcdef", surface.Arts), "ac", 0), 0.5, 3, 0.2, "a b c", "")
	// No fresh story: the first max, whatever p.
	f(stories("abcde", surface.Arts), 0.5, 3, 0.2, "a b c", "")
	f(stories("abc", surface.Arts), 0.5, 0, 0.2, "", "")
	f(nil, 0.5, 3, 0.2, "", "")
}

func sortedIDs(lists ...[]Candidate) string {
	var all []string
	for _, l := range lists {
		for _, c := range l {
			all = append(all, c.ID)
		}
	}
	slices.Sort(all)
	return strings.Join(all, " ")
}

// merino-py's TestPickRandomFreshStory.
func TestPickFresh(t *testing.T) {
	f := func(items []Candidate, perCycle int, u float64, want int) {
		t.Helper()
		if got := PickFresh(items, perCycle, sampler.Fixed(u)); got != want {
			t.Errorf("perCycle=%d u=%v: picked %d, want %d", perCycle, u, got, want)
		}
	}
	f(nil, 100, 0.5, -1)
	f(stories("ab", surface.Sports), 100, 0.5, -1) // nothing fresh
	sub := fresh(stories("abc", surface.Sports), "abc", 10)
	for i := range sub {
		sub[i].Flags = Subtopic
	}
	f(sub, 100, 0.99, -1) // subtopic stories stay out of Popular Today
	f(fresh(stories("abc", surface.Hobbies), "abc", 10), 100, 0.99, -1)
	// No leftover impressions: always a pick, no draw consulted.
	f(fresh(stories("a", surface.Sports), "a", 10), 10, 0.0, 0)
	// Leftover 90 of 100: no pick with a draw below 0.9, a pick above.
	f(fresh(stories("a", surface.Sports), "a", 10), 100, 0.5, -1)
	f(fresh(stories("a", surface.Sports), "a", 10), 100, 0.95, 0)
	// 8 of 10 needed: skipped below 0.2.
	f(fresh(stories("a", surface.Sports), "a", 8), 10, 0.99, 0)
	f(fresh(stories("a", surface.Sports), "a", 8), 10, 0.5, 0)
	f(fresh(stories("a", surface.Sports), "a", 8), 10, 0.15, -1)
	// The pick is weighted by remaining impressions: b needs 30 of 40, so u·40 in [10, 40) is b.
	w := fresh(stories("xab", surface.Sports), "ab", 0)
	w[1].Remaining, w[2].Remaining = 10, 30
	f(w, 40, 0.2, 1)
	f(w, 40, 0.3, 2)
	f(w, 40, 0.99, 2)
	// Every weight zero: random.choices would raise; nothing is picked.
	f(fresh(stories("ab", surface.Sports), "ab", 0), 0, 0.5, -1)
}

// topStories runs Popular Today and returns its ids.
func topStories(items []Candidate, p TopStoriesParams, u float64) (string, []float64) {
	var t TopStories
	t.Build(items, &p, sampler.Fixed(u))
	return ids(t.Stories), t.Scores
}

var businessArtsFood = []surface.Topic{surface.Arts, surface.Business, surface.Food, surface.Government, surface.Food}

// merino-py's TestGetTopStoryList.
func TestTopStories(t *testing.T) {
	f := func(items []Candidate, p TopStoriesParams, u float64, want string) {
		t.Helper()
		if got, _ := topStories(items, p, u); got != want {
			t.Errorf("%+v: %s, want %s", p, got, want)
		}
	}
	f(stories("abcde", businessArtsFood...), TopStoriesParams{Top: 3, Depth: 10}, 0.5, "a b c")
	// Two arts stories at most among 4 (max(2, ⌈0.2·4⌉)).
	f(stories("abcdef", surface.Arts, surface.Arts, surface.Arts, surface.Business, surface.Food, surface.Government),
		TopStoriesParams{Top: 4}, 0.5, "a b d e")
	// One story per publisher when enforcement is drawn.
	pub := stories("abcd", surface.Arts, surface.Business, surface.Food, surface.Government)
	pub[1].Publisher = pub[0].Publisher
	onePerPublisher := *DefaultBalancer
	onePerPublisher.MaxPerPublisher, onePerPublisher.PublisherLikelihood = 1, 1
	f(pub, TopStoriesParams{Top: 3, Balancer: &onePerPublisher}, 0.5, "a c d")
	// Extra stories: a second business story fits in 5 (max 2), a third does not.
	f(stories("abcdef", surface.Business, surface.Arts, surface.Business, surface.Business, surface.Food, surface.Government),
		TopStoriesParams{Top: 2, Extra: 3}, 0.5, "a b c e f")
	// Too few distinct topics: filled up regardless of the limits.
	f(stories("abcde", surface.Business, surface.Arts, surface.Food, surface.Business, surface.Arts),
		TopStoriesParams{Top: 3, Extra: 3}, 0.5, "a b c d e")
	f(stories("abc", surface.Career, surface.Government, surface.Finance), TopStoriesParams{Top: 5}, 0.5, "a b c")
	// The extra stories skip Depth stories when there are more than 2·Depth candidates.
	f(stories("abcde", surface.Business, surface.Career, surface.Arts, surface.Food, surface.Health),
		TopStoriesParams{Top: 2, Extra: 2, Depth: 1}, 0.5, "a b d e")
	// Rescalers: nothing fresh, the first stories; fresh stories throttled by draws (0.1 < 0.5
	// lets each through before the next), or held back and then filled in (0.9).
	crawledHalf := *Crawled
	crawledHalf.TopStoriesFreshPct = 0.5
	f(stories("abcde", surface.Career, surface.Government, surface.Finance, surface.Arts, surface.Arts),
		TopStoriesParams{Top: 3, Rescaler: &crawledHalf}, 0.5, "a b c")
	f(fresh(stories("abcd", surface.Career, surface.Government, surface.Finance, surface.Arts), "abcd", 0),
		TopStoriesParams{Top: 3}, 0.5, "a b c")
	f(fresh(stories("abcd", surface.Career, surface.Government, surface.Finance, surface.Arts), "abcd", 0),
		TopStoriesParams{Top: 3, Rescaler: &crawledHalf}, 0.1, "a b c")
	f(fresh(stories("abcd", surface.Career, surface.Government, surface.Finance, surface.Arts), "abcd", 0),
		TopStoriesParams{Top: 2, Rescaler: &crawledHalf}, 0.9, "a b")
	// Subtopic and games stories are kept out by the balancer (0 allowed), unless nothing else
	// fills the list.
	blocked := stories("abcd", surface.Hobbies, surface.Arts, surface.Business, surface.Food)
	blocked[1].Flags = Subtopic
	f(blocked, TopStoriesParams{Top: 2}, 0.5, "c d")
	f(blocked, TopStoriesParams{Top: 4}, 0.5, "c d a b")
}

// merino-py's test_random_situations: whatever the topics, the list is full and has no repeats.
func TestTopStoriesRandomSituations(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	for n := 0; n < 40; n++ {
		items := make([]Candidate, n)
		for i := range items {
			items[i] = Candidate{ID: string(rune('A' + i)), Publisher: "p" + string(rune('A'+i)), Topic: surface.Topic(1 + rng.IntN(16)), Ref: int32(i)}
		}
		var ts TopStories
		ts.Build(items, &TopStoriesParams{Top: 10, Extra: 3, Depth: 4}, sampler.Fixed(0.5))
		if len(ts.Stories) != min(n, 13) {
			t.Fatalf("%d items: %d stories", n, len(ts.Stories))
		}
		seen := map[string]bool{}
		for _, c := range ts.Stories {
			if seen[c.ID] {
				t.Fatalf("%d items: %s twice", n, c.ID)
			}
			seen[c.ID] = true
		}
		if len(ts.Scores) != 0 {
			t.Fatalf("serverScores without a rescaler")
		}
	}
}

// merino-py's TestGetTopStoryListWithPinnedFreshRescaler: one fresh story takes position 4 and
// the list keeps its length, when a prior says how many impressions a cycle has.
func TestTopStoriesPinnedFresh(t *testing.T) {
	items := func(remaining int) []Candidate {
		c := stories("abcdefz", surface.Career, surface.Government, surface.Finance, surface.Arts, surface.Business, surface.Education, surface.Sports)
		c[6].Fresh, c[6].Remaining, c[6].Score = true, remaining, 0.5
		return c
	}
	prior := engagement.Prior{TotalImpressionsPerDay: 100_000_000}
	noon := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	p := TopStoriesParams{Top: 5, Rescaler: CrawledPinnedFresh, Prior: prior, HasPrior: true, Now: noon}
	f := func(c []Candidate, p TopStoriesParams, want string) {
		t.Helper()
		if got, _ := topStories(c, p, 0.5); got != want {
			t.Errorf("%s, want %s", got, want)
		}
	}
	f(items(4_000_000), p, "a b c d z")
	noPrior := p
	noPrior.HasPrior = false
	f(items(4_000_000), noPrior, "a b c d e")
	// Remaining 0: the leftover share is 1, the fresh story is never picked.
	f(items(0), p, "a b c d e")
	// Fewer stories than the slot: the fresh story is appended.
	short := items(4_000_000)[4:]
	f(short, p, "e f z")
}

// serverScores fall strictly: round(score·scalar, 3), or the previous one minus 0.00001.
func TestTopStoriesServerScores(t *testing.T) {
	c := stories("abcde", surface.Career, surface.Government, surface.Finance, surface.Arts, surface.Business)
	for i, s := range []float64{0.5, 0.0125, 0.0125, 0.3, 0} {
		c[i].Score = s
	}
	_, scores := topStories(c, TopStoriesParams{Top: 5, Rescaler: Crawled}, 0.5)
	// 40.0; 0.0125·80 = 1.0; 1.0 again → 0.99999; 24.0 → 0.99998 (float arithmetic, as in
	// Python: 0.9999800000000001); no score → 0.
	step := 0.00001
	want := []float64{40, 1, 1 - step, 1 - step - step, 0}
	if !slices.Equal(scores, want) {
		t.Errorf("scores %v, want %v", scores, want)
	}
	// The holdback's scalar is 0: 0.0, -1e-05, -2e-05, -3.0000000000000004e-05, -4e-05.
	_, scores = topStories(c, TopStoriesParams{Top: 5, Rescaler: SchedulerHoldback}, 0.5)
	if want := []float64{0, -1e-05, -2e-05, -3.0000000000000004e-05, -4e-05}; !slices.Equal(scores, want) {
		t.Errorf("holdback scores %v, want %v", scores, want)
	}
}

// RoundPy rounds the exact binary value, ties to even, as Python's round.
func TestRoundPy(t *testing.T) {
	f := func(x float64, digits int, want float64) {
		t.Helper()
		if got := RoundPy(x, digits); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("round(%v, %d) = %v, want %v", x, digits, got, want)
		}
	}
	f(2.675, 2, 2.67) // 2.67499999999999982236431605997495353221893310546875
	f(0.0125, 3, 0.013)
	f(1.0005, 3, 1.0)
	f(0.5, 0, 0)
	f(1.5, 0, 2)
	f(2.5, 0, 2)
	f(-0.0004, 3, 0) // -0.0, equal to 0
	f(1.2345678, 3, 1.235)
	f(math.Inf(1), 3, math.Inf(1))
	f(math.NaN(), 3, math.NaN())
}

// merino-py's TestTopStoriesArticleBalancer.
func TestBalancer(t *testing.T) {
	story := func(id string, topic surface.Topic, flags Flags) *Candidate {
		return &Candidate{ID: id, Publisher: "publisher:" + id, Topic: topic, Flags: flags}
	}
	add := func(b *Balancer, c *Candidate, want bool) {
		t.Helper()
		if got := b.Add(c); got != want {
			t.Errorf("Add(%s %s) = %v", c.ID, c.Topic, got)
		}
	}
	if !story("1", surface.Hobbies, 0).BlockedFromPopularToday() || !story("1", surface.Arts, Subtopic).BlockedFromPopularToday() ||
		story("1", surface.Business, Headlines).BlockedFromPopularToday() || story("2", surface.Sports, 0).BlockedFromPopularToday() {
		t.Error("BlockedFromPopularToday")
	}
	var b Balancer
	b.Reset(DefaultBalancer, 9, false)
	add(&b, story("0", surface.Sports, Subtopic), false)
	add(&b, story("1", surface.Sports, 0), true)
	add(&b, story("2", surface.Hobbies, 0), false)

	b.Reset(DefaultBalancer, 10, false)
	add(&b, story("0", surface.Business, 0), true)
	add(&b, story("1", surface.Business, 0), true)
	add(&b, story("2", surface.Business, 0), false)

	onePerPublisher := *DefaultBalancer
	onePerPublisher.MaxPerPublisher = 1
	b.Reset(&onePerPublisher, 9, true)
	s0, s1 := story("0", surface.Business, 0), story("1", surface.Arts, 0)
	s1.Publisher = s0.Publisher
	add(&b, s0, true)
	add(&b, s1, false)
	b.Reset(&onePerPublisher, 9, false) // enforcement not drawn
	add(&b, s0, true)
	add(&b, s1, true)

	b.Reset(DefaultBalancer, 5, false) // evergreen ⌈0.4·5⌉ = 2
	add(&b, story("0", surface.Food, 0), true)
	add(&b, story("1", surface.Society, 0), true)
	add(&b, story("2", surface.SocietyParenting, 0), false)
	add(&b, story("3", surface.Home, 0), false)

	b.Reset(DefaultBalancer, 3, false) // topical ⌈0.75·3⌉ = 3
	add(&b, story("0", surface.Business, 0), true)
	add(&b, story("1", surface.Arts, 0), true)
	add(&b, story("2", surface.Tech, 0), true)
	add(&b, story("3", surface.Government, 0), false)

	b.Reset(DefaultBalancer, 9, false)
	add(&b, story("0", surface.Business, 0), true)
	add(&b, story("1", surface.Hobbies, 0), false)
	b.Raise(15)
	add(&b, story("1", surface.Hobbies, 0), false)
	if len(b.Accepted) != 1 {
		t.Errorf("%d accepted", len(b.Accepted))
	}

	// Raising the limits lets a second batch in.
	b.Reset(DefaultBalancer, 3, false)
	batch := []Candidate{*story("0", surface.Business, 0), *story("1", surface.Business, 0), *story("2", surface.Business, 0),
		*story("3", surface.Business, 0), *story("4", surface.Business, 0)}
	discarded, rest := b.AddStories(batch, 3, nil)
	if len(b.Accepted) != 2 || ids(discarded) != "2 3 4" || len(rest) != 0 {
		t.Errorf("first batch: %d accepted, discarded %s, rest %s", len(b.Accepted), ids(discarded), ids(rest))
	}
	b.Raise(100)
	discarded, rest = b.AddStories(batch[2:], 4, nil)
	if len(discarded) != 0 || ids(rest) != "4" || len(b.Accepted) != 4 {
		t.Errorf("second batch: discarded %s, rest %s, %d accepted", ids(discarded), ids(rest), len(b.Accepted))
	}

	// Germany: politics up to 3 (not 2), one story per publisher.
	b.Reset(GermanBalancer, 9, true)
	for i, want := range []bool{true, true, true, false} {
		add(&b, story(string(rune('a'+i)), surface.Government, 0), want)
	}
}

// ThompsonSamplingSections: the summed engagement of the first four stories, merino-py's
// constant prior per story (rescaled), clicks subtracted from the no-opens a second time, the
// world-cup boost; fresh stories throttled by the rescaler's section percentage.
func TestThompsonSamplingSections(t *testing.T) {
	e := snapshot(t, "a||10|110", "b||20|220", "c||1|11", "d||5|55", "e||100|1100", "w||4|44")
	in := &Inputs{Engagement: e, Priors: engagement.ConstantPriors, Rescaler: Crawled, Sampler: sampler.Fixed(0.9)}
	secs := []SectionStories{
		{ID: "news", Stories: fresh(stories("abcde", surface.Business), "c", 0)},
		{ID: "worldcup-2026", Stories: stories("w", surface.Sports)},
		{ID: "empty"},
	}
	scores := make([]float64, len(secs))
	var scratch SectionScratch
	ThompsonSamplingSections(secs, in, 4, scores, &scratch)
	// news: c is fresh and waits (draws 0.9 ≥ 0.15), so a b d e count: clicks 135, no-opens
	// 1350; each story's prior 188·0.4 / 12500.
	a, b := 135+4*188*0.4, 1350-135+4*12500.0
	if want := a / (a + b); !approx(scores[0], want) {
		t.Errorf("news: %v, want %v", scores[0], want)
	}
	a, b = 4+188*0.4, 40-4+12500
	if want := a/(a+b) + 0.0018; !approx(scores[1], want) {
		t.Errorf("worldcup: %v, want %v", scores[1], want)
	}
	if want := 1.0 / 2; scores[2] != want { // max(0, 1) / (max(0, 1) + max(0, 1))
		t.Errorf("empty: %v, want %v", scores[2], want)
	}
	// With draws below 0.15 the fresh story c counts instead of e.
	in.Sampler = sampler.Fixed(0.1)
	ThompsonSamplingSections(secs, in, 4, scores, &scratch)
	a, b = 36+4*188*0.4, 360-36+4*12500.0
	if want := a / (a + b); !approx(scores[0], want) {
		t.Errorf("news with c: %v, want %v", scores[0], want)
	}
}

// Normalize: L2 over the scores but the time zone, the model's missing keys at the mean,
// nothing with fewer than two scores.
func TestNormalize(t *testing.T) {
	in := Interests{Scores: []Score{{"sports", 3}, {TimeZoneKey, 2}, {"arts", 4}}}
	in.Normalize([]string{"sports", "arts", "food", TimeZoneKey})
	n := 5 + 1e-6
	want := []Score{{"sports", 3 / n}, {"arts", 4 / n}, {"food", (3/n + 4/n) / 2}}
	if !slices.Equal(in.Normalized, want) {
		t.Errorf("normalized %v, want %v", in.Normalized, want)
	}
	// The boost: sports weighs 0.8, food (no weight) 1, an unlisted topic uses "other".
	if got := in.boost(surface.Sports); !approx(got, 3/n*0.0006*0.8) {
		t.Errorf("sports boost %v", got)
	}
	if got := in.boost(surface.Travel); got != 0 {
		t.Errorf("travel boost %v without other", got)
	}
	in.Scores = append(in.Scores, Score{"other", 1})
	in.Normalize(nil)
	if got, _ := in.normalized("other"); got == 0 || !approx(in.boost(surface.Travel), got*0.0006) {
		t.Errorf("other boost %v", in.boost(surface.Travel))
	}
	one := Interests{Scores: []Score{{"sports", 1}, {TimeZoneKey, 2}}}
	one.Normalize([]string{"arts"})
	if len(one.Normalized) != 0 {
		t.Errorf("one score normalized: %v", one.Normalized)
	}
}

// A view answers as the snapshot does, by story index.
func TestViewCounts(t *testing.T) {
	e := snapshot(t, "a||10|100|3", "a|US|1|10", "b|US|2|20")
	view := engagement.NewView(e, []string{"a", "b", "c"})
	c := stories("abc", surface.Arts)
	for i := range c {
		c[i].Ordinal = int32(i)
	}
	direct := &Inputs{Engagement: e}
	viewed := &Inputs{Engagement: e, View: view}
	for _, region := range []string{"", "US", "CA", branch} {
		for i := range c {
			w, wok := direct.Counts(&c[i], region)
			g, gok := viewed.Counts(&c[i], region)
			if w != g || wok != gok {
				t.Errorf("%s/%q: %v %v, want %v %v", c[i].ID, region, g, gok, w, wok)
			}
		}
	}
}

// sortKeys gives the stable order (highest score first, ties by position) whatever the input,
// through quicksort, insertion sort and the heapsort fallback.
func TestSortKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 5, 12, 13, 50, 636, 2000} {
		for _, distinct := range []int{1, 3, 1000000} {
			for _, depth := range []int{0, 64} {
				keys := make([]keyed, n)
				for i := range keys {
					keys[i] = keyed{float64(rng.IntN(distinct)) / 7, int32(i)}
				}
				want := slices.Clone(keys)
				slices.SortStableFunc(want, byScore)
				sortKeys(keys, depth)
				if !slices.Equal(keys, want) {
					t.Fatalf("n=%d distinct=%d depth=%d: not the stable order", n, distinct, depth)
				}
			}
		}
	}
}

// byScore orders keys by score, highest first (a reference for the specialised sort).
func byScore(a, b keyed) int {
	switch {
	case a.score > b.score:
		return -1
	case a.score < b.score:
		return 1
	}
	return 0
}
