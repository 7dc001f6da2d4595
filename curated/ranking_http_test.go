package curated_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// engagementRows writes an engagement export: id → [clicks, impressions] global rows.
func engagementRows(rows map[string][2]int, extra ...string) string {
	var parts []string
	for id, r := range rows {
		parts = append(parts, fmt.Sprintf(`{"corpus_item_id":%q,"click_count":%d,"impression_count":%d}`, id, r[0], r[1]))
	}
	parts = append(parts, extra...)
	return "[" + strings.Join(parts, ",") + "]"
}

// ordersFixture is testdata/orders with global engagement whose Beta means order the stories
// c1 > c2 > … > c7 (CTR 10 % down to 4 %) and c8 without data, under the constant prior
// (188/12500, merino-py's fallback without prior data).
func ordersFixture(s *setup) {
	s.dir = "testdata/orders"
	s.prior = "-"
	s.engagement = engagementRows(map[string][2]int{
		"c1": {10000, 100000}, "c2": {9000, 100000}, "c3": {8000, 100000}, "c4": {7000, 100000},
		"c5": {6000, 100000}, "c6": {5000, 100000}, "c7": {4000, 100000},
		"t1": {10000, 100000}, "f1": {8000, 100000}, "a1": {6000, 100000},
	})
}

// The scheduled path (pl-PL) with sampler=mean, following merino-py's rank_recommendations
// step by step: Thompson sampling orders c1..c8 by α/(α+β); the publisher spread (distance 3;
// publishers A A B C A D E B) gives c1 c3 c4 c6 c2 c7 c8 c5; the topic boost moves up to two
// stories per preferred topic to the front in list order; count slices.
func TestScheduledPathOrder(t *testing.T) {
	h := start(t, ordersFixture)
	f := func(body, want string) {
		t.Helper()
		r := h.recommend(body)
		if got := strings.Join(r.ids(), " "); got != want {
			t.Errorf("%s: %s, want %s", body, got, want)
		}
		for i, d := range r.Data {
			if d.ReceivedRank != i || d.ServerScore != nil || d.ScheduledCorpusItemID == nil || *d.ScheduledCorpusItemID != "s"+d.CorpusItemID[1:] {
				t.Errorf("%s: item %d: rank %d, serverScore %v, scheduled id %v", body, i, d.ReceivedRank, d.ServerScore, d.ScheduledCorpusItemID)
			}
		}
	}
	f(`{"locale":"pl-PL"}`, "c1 c3 c4 c6 c2 c7 c8 c5")
	f(`{"locale":"pl-PL","topics":["arts"]}`, "c3 c7 c1 c4 c6 c2 c8 c5")
	f(`{"locale":"pl-PL","topics":["food","government"]}`, "c1 c6 c8 c3 c4 c2 c7 c5")
	f(`{"locale":"pl-PL","count":3}`, "c1 c3 c4")
	f(`{"locale":"pl-PL","count":0}`, "")
	f(`{"locale":"pl-PL","count":-2}`, "c1 c3 c4 c6 c2 c7")
	f(`{"locale":"pl-PL","count":-100}`, "")
	// en+IN is NEW_TAB_EN_INTL, also scheduled.
	f(`{"locale":"en","region":"IN","count":2}`, "c1 c3")
	r := h.recommend(`{"locale":"pl-PL","count":1}`)
	d := r.Data[0]
	if d.URL != "https://www.puba.example/c1?ref=a&utm_source=firefox-newtab-pl-pl" || *d.Topic != "food" ||
		len(d.Features) != 1 || d.Features["t_food"] != 1 || *d.TileID != tileID("s1") {
		t.Errorf("c1 = %+v", d)
	}
}

// The flattened sections path (en-US without feeds) with sampler=mean, as merino-py's
// get_legacy_recommendations_from_sections: legacy-topic sections only (nfl, the manual UUID
// section and the inactive career are out, daily-briefing split off), a repeated id keeps its
// first place and its last content (food = f3 f1), items flattened without repeats (f1 once,
// from food), games (g1) dropped; TS with the crawled rescaler: t1, f1, a1, then f3 without
// data; the spread moves f3 before a1 (both PubA stories would be adjacent).
func TestFlattenedPathOrder(t *testing.T) {
	h := start(t, ordersFixture)
	r := h.recommend(`{"locale":"en-US"}`)
	if got := strings.Join(r.ids(), " "); got != "t1 f1 f3 a1" {
		t.Errorf("order %s, want t1 f1 f3 a1", got)
	}
	for i, d := range r.Data {
		if d.ReceivedRank != i || d.ScheduledCorpusItemID == nil || *d.ScheduledCorpusItemID != d.CorpusItemID || *d.TileID != tileID(d.CorpusItemID) {
			t.Errorf("item %d = %+v", i, d)
		}
	}
	want := map[string]string{"t1": `{"t_tech":1}`, "f1": `{"s_food":1,"t_food":1}`, "f3": `{"s_food":1,"t_food":1}`, "a1": `{"s_arts":1,"t_arts":1}`}
	for _, d := range r.Data {
		got, _ := json.Marshal(d.Features)
		if string(got) != want[d.CorpusItemID] {
			t.Errorf("%s features %s, want %s", d.CorpusItemID, got, want[d.CorpusItemID])
		}
	}
	if r.Feeds == nil || string(r.Feeds) != "null" || string(r.InterestPicker) != "null" || string(r.InferredLocalModel) != "null" {
		t.Errorf("feeds %s picker %s model %s", r.Feeds, r.InterestPicker, r.InferredLocalModel)
	}
	// topics are ignored on this path.
	if got := strings.Join(h.recommend(`{"locale":"en-US","topics":["arts"],"count":2}`).ids(), " "); got != "t1 f1" {
		t.Errorf("with topics: %s", got)
	}
}

// Reported stories are taken down in the request's region, with merino-py's WARNING.
func TestTakedown(t *testing.T) {
	h := start(t, func(s *setup) {
		ordersFixture(s)
		s.engagement = engagementRows(map[string][2]int{"t1": {10000, 100000}},
			`{"corpus_item_id":"f1","region":"US","click_count":10,"impression_count":1000,"report_count":50}`)
	})
	if got := strings.Join(h.recommend(`{"locale":"en-US"}`).ids(), " "); strings.Contains(got, "f1") {
		t.Errorf("US: f1 not taken down: %s", got)
	}
	if !strings.Contains(h.logs.String(), "Excluding reported recommendation: 'Title f1' (https://www.puba.example/f1?ref=a&utm_source=firefox-newtab-en-us) was excluded due to high reports") {
		t.Errorf("no takedown warning:\n%s", h.logs.String())
	}
	if got := strings.Join(h.recommend(`{"locale":"en-GB","region":"GB"}`).ids(), " "); !strings.Contains(got, "f1") {
		t.Errorf("GB: f1 taken down: %s", got)
	}
}

// merino-py's test_provider.py tileId vectors.
func TestTileIDVectors(t *testing.T) {
	for id, want := range map[string]int64{
		"550e8400-e29b-41d4-a716-446655440000": 367820988390657,
		"6ba7b810-9dad-11d1-80b4-00c04fd430c8": 1754091520067902,
		"123e4567-e89b-12d3-a456-426614174000": 1021785982574447,
		"a3bb189e-8bf9-3888-9912-ace4e6543002": 4390412044299399,
		"c1a5fc62-9a4e-43f3-b748-2106a12e8151": 8630494423250594,
	} {
		if got := tileID(id); got != want {
			t.Errorf("TileID(%s) = %d, want %d", id, got, want)
		}
	}
}

// The statistical checks of merino-py's test_thompson_sampling_behavior, with the real
// sampler on the bundled data: 20 requests give 20 distinct orders, and the click-through
// rate falls with the rank (a negative regression slope) every time.
func TestThompsonSamplingStatistics(t *testing.T) {
	h := start(t, func(s *setup) { s.sampler = "beta"; s.seed = 0 })
	eng := map[string][2]float64{} // global clicks, impressions
	var rows []struct {
		ID     string  `json:"corpus_item_id"`
		Region *string `json:"region"`
		Clicks float64 `json:"click_count"`
		Imps   float64 `json:"impression_count"`
	}
	if err := json.Unmarshal([]byte(readFile(t, bundle+"/engagement.json")), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Region == nil {
			eng[r.ID] = [2]float64{r.Clicks, r.Imps}
		}
	}
	for _, body := range []string{`{"locale":"pl-PL"}`, `{"locale":"en-US","region":"US"}`, `{"locale":"fr-FR"}`} {
		seen := map[string]bool{}
		for i := 0; i < 20; i++ {
			r := h.recommend(body)
			order := strings.Join(r.ids(), " ")
			if seen[order] {
				t.Errorf("%s: order repeated at request %d", body, i)
			}
			seen[order] = true
			var xs, ys []float64
			for rank, id := range r.ids() {
				if e, ok := eng[id]; ok {
					xs, ys = append(xs, float64(rank)), append(ys, e[0]/e[1])
				}
			}
			if s := slope(xs, ys); !(s < 0) {
				t.Errorf("%s: request %d: CTR-vs-rank slope %v, want < 0", body, i, s)
			}
		}
	}
}

func slope(xs, ys []float64) float64 {
	n := float64(len(xs))
	var sx, sy, sxy, sxx float64
	for i := range xs {
		sx, sy, sxy, sxx = sx+xs[i], sy+ys[i], sxy+xs[i]*ys[i], sxx+xs[i]*xs[i]
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// A section with a 50/50 alternate slate serves the base or the alternate, drawn per request;
// other variants never show.
func TestAlternateSlates(t *testing.T) {
	h := start(t, func(s *setup) {
		s.dir = "testdata/alternates"
		s.prior = "-"
		s.engagement = engagementRows(map[string][2]int{"a1": {1, 10}})
	})
	seen := map[string]int{}
	for i := 0; i < 40; i++ {
		for _, id := range h.recommend(`{"locale":"en-US"}`).ids() {
			seen[id]++
		}
	}
	if seen["a1"] != 40 || seen["never"] != 0 || seen["base1"] == 0 || seen["alt1"] == 0 || seen["base1"]+seen["alt1"] != 40 {
		t.Errorf("stories served in 40 requests: %v", seen)
	}
}
