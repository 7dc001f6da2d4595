package curated_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// feedsResponse is a sections response as tests read it: the sections in their JSON order.
type feedsResponse struct {
	SurfaceID      string
	Data           []json.RawMessage
	IDs            []string
	Sections       []feedSection
	InterestPicker *struct {
		ReceivedFeedRank int    `json:"receivedFeedRank"`
		Title            string `json:"title"`
		Subtitle         *string
		Sections         []struct{ SectionID string }
	}
}

type feedSection struct {
	ReceivedFeedRank int `json:"receivedFeedRank"`
	Recommendations  []struct {
		CorpusItemID          string             `json:"corpusItemId"`
		ScheduledCorpusItemID *string            `json:"scheduledCorpusItemId"`
		URL                   string             `json:"url"`
		Topic                 *string            `json:"topic"`
		TileID                *int64             `json:"tileId"`
		ReceivedRank          int                `json:"receivedRank"`
		ServerScore           *float64           `json:"serverScore"`
		Features              map[string]float64 `json:"features"`
	} `json:"recommendations"`
	Title string `json:"title"`
	IAB   *struct {
		Taxonomy   string   `json:"taxonomy"`
		Categories []string `json:"categories"`
	} `json:"iab"`
	Subtitle     *string `json:"subtitle"`
	HeroTitle    *string `json:"heroTitle"`
	HeroSubtitle *string `json:"heroSubtitle"`
	Layout       struct {
		Name              string `json:"name"`
		ResponsiveLayouts []struct {
			ColumnCount int `json:"columnCount"`
			Tiles       []struct {
				HasAd bool `json:"hasAd"`
			} `json:"tiles"`
		} `json:"responsiveLayouts"`
	} `json:"layout"`
	IsFollowed         bool    `json:"isFollowed"`
	IsBlocked          bool    `json:"isBlocked"`
	FollowedAt         *string `json:"followedAt"`
	IsInitiallyVisible bool    `json:"isInitiallyVisible"`
	Followable         bool    `json:"followable"`
	AllowAds           bool    `json:"allowAds"`
}

func (s *feedSection) hasAds() bool {
	for _, rl := range s.Layout.ResponsiveLayouts {
		for _, t := range rl.Tiles {
			if t.HasAd {
				return true
			}
		}
	}
	return false
}

func (r *feedsResponse) section(id string) *feedSection {
	for i, sid := range r.IDs {
		if sid == id {
			return &r.Sections[i]
		}
	}
	return nil
}

func (h *harness) sections(body string) *feedsResponse {
	h.t.Helper()
	status, b := h.post(body)
	if status != 200 {
		h.t.Fatalf("POST %.300s: %d %.300s", body, status, b)
	}
	var raw struct {
		SurfaceID      string            `json:"surfaceId"`
		Data           []json.RawMessage `json:"data"`
		Feeds          json.RawMessage   `json:"feeds"`
		InterestPicker json.RawMessage   `json:"interestPicker"`
	}
	if err := json.Unmarshal([]byte(b), &raw); err != nil {
		h.t.Fatalf("%v in %.300s", err, b)
	}
	r := &feedsResponse{SurfaceID: raw.SurfaceID, Data: raw.Data}
	if string(raw.Feeds) == "null" {
		h.t.Fatalf("POST %.300s: feeds null", body)
	}
	ids, secs, err := members(raw.Feeds)
	if err != nil {
		h.t.Fatal(err)
	}
	r.IDs = ids
	for _, s := range secs {
		var fs feedSection
		if err := json.Unmarshal(s, &fs); err != nil {
			h.t.Fatal(err)
		}
		r.Sections = append(r.Sections, fs)
	}
	if string(raw.InterestPicker) != "null" {
		if err := json.Unmarshal(raw.InterestPicker, &r.InterestPicker); err != nil {
			h.t.Fatal(err)
		}
	}
	return r
}

// checkFeed asserts what holds of every sections response (merino-py's integration tests):
// data empty; sections keyed in rank order, ranked 0..n−1 (around the picker), at most 20;
// stories numbered 0..k−1, shown once across the feed, without scheduled or tile ids, with
// serverScores in Popular Today only (when it is shown: else its stories keep theirs in their
// home sections); each section at least its layout's tiles plus one; layouts cycled after
// Popular Today; ads only at ranks 0, 1, 2, 4, … 18.
func checkFeed(t *testing.T, name string, r *feedsResponse) {
	t.Helper()
	if len(r.Data) != 0 || len(r.Sections) == 0 || len(r.Sections) > 20 {
		t.Fatalf("%s: %d stories in data, %d sections", name, len(r.Data), len(r.Sections))
	}
	seen := map[string]string{}
	cycle := []string{"6-small-medium-1-ad", "4-large-small-medium-1-ad", "4-medium-small-1-ad"}
	tiles := map[string]int{"6-small-medium-1-ad": 6, "4-large-small-medium-1-ad": 4, "4-medium-small-1-ad": 4, "8-double-row-2-ad": 8}
	next := 0
	for i, s := range r.Sections {
		id := r.IDs[i]
		want := i
		if r.InterestPicker != nil && i >= r.InterestPicker.ReceivedFeedRank {
			want++
		}
		if s.ReceivedFeedRank != want {
			t.Errorf("%s: %s at rank %d, want %d", name, id, s.ReceivedFeedRank, want)
		}
		if strings.Contains(id, "__") || strings.HasSuffix(id, "_crawl") {
			t.Errorf("%s: section id %q", name, id)
		}
		if len(s.Recommendations) < tiles[s.Layout.Name]+1 {
			t.Errorf("%s: %s has %d stories for %s", name, id, len(s.Recommendations), s.Layout.Name)
		}
		if id != "top_stories_section" && id != "daily-briefing" {
			if s.Layout.Name != cycle[next%3] {
				t.Errorf("%s: %s layout %s, want %s", name, id, s.Layout.Name, cycle[next%3])
			}
			next++
		}
		pre := s.ReceivedFeedRank // ads are decided before the picker renumbers
		if r.InterestPicker != nil && pre > r.InterestPicker.ReceivedFeedRank {
			pre--
		}
		if want := s.AllowAds && (pre <= 2 || pre%2 == 0 && pre <= 18); s.hasAds() != want {
			t.Errorf("%s: %s at %d: ads %v", name, id, pre, s.hasAds())
		}
		for j, rec := range s.Recommendations {
			if prev, ok := seen[rec.CorpusItemID]; ok {
				t.Errorf("%s: %s in %s and %s", name, rec.CorpusItemID, prev, id)
			}
			seen[rec.CorpusItemID] = id
			if rec.ReceivedRank != j || rec.ScheduledCorpusItemID != nil || rec.TileID != nil {
				t.Errorf("%s: %s/%d: rank %d, scheduled id %v, tile id %v", name, id, j, rec.ReceivedRank, rec.ScheduledCorpusItemID, rec.TileID)
			}
			if (rec.ServerScore != nil) != (id == "top_stories_section") && r.section("top_stories_section") != nil {
				t.Errorf("%s: %s/%d: serverScore %v", name, id, j, rec.ServerScore)
			}
		}
	}
}

// A full en-US request on merino-py's recorded sections.json, with real draws: merino-py's
// structure (test_corpus_sections_feed_content, test_sections_feed_content, …).
func TestSectionsFeed(t *testing.T) {
	h := start(t, func(s *setup) { s.sampler = "beta"; s.seed = 0 })
	r := h.sections(`{"locale":"en-US","feeds":["sections"],"region":"US"}`)
	checkFeed(t, "en-US", r)
	if r.SurfaceID != "NEW_TAB_EN_US" || r.IDs[0] != "top_stories_section" || r.InterestPicker != nil {
		t.Fatalf("surface %s, first %s, picker %v", r.SurfaceID, r.IDs[0], r.InterestPicker)
	}
	top := r.Sections[0]
	if top.Title != "Popular Today" || top.Layout.Name != "8-double-row-2-ad" || len(top.Recommendations) < 13 ||
		top.IAB != nil || top.Subtitle != nil || top.HeroTitle != nil || !top.Followable || !top.AllowAds {
		t.Errorf("Popular Today: %+v", top)
	}
	last := 1000.0
	for _, rec := range top.Recommendations {
		if *rec.ServerScore >= last {
			t.Errorf("serverScores do not fall: %v after %v", *rec.ServerScore, last)
		}
		last = *rec.ServerScore
	}
	if len(r.Sections) != 20 || r.section("daily-briefing") != nil {
		t.Errorf("%d sections (%v)", len(r.Sections), r.IDs)
	}
	// IAB codes, titles, the editorial section's hero, features.
	for id, code := range map[string]string{"nfl": "484", "tv": "640", "music": "338", "movies": "324", "nba": "547", "soccer": "533", "mlb": "545", "nhl": "515"} {
		if s := r.section(id); s != nil && (s.IAB == nil || s.IAB.Taxonomy != "IAB-3.0" || s.IAB.Categories[0] != code) {
			t.Errorf("%s: iab %+v", id, s.IAB)
		}
	}
	for id, title := range map[string]string{"arts": "Entertainment", "education": "Education", "sports": "Sports"} {
		if s := r.section(id); s != nil && s.Title != title {
			t.Errorf("%s: title %q", id, s.Title)
		}
	}
	if s := r.section("042b10d6-4fab-4df6-8006-e73ae5fd021d"); s != nil &&
		(s.Title != "Amsterdam Tips" || *s.Subtitle != "Travel tips in Amsterdam" || *s.HeroTitle != "Discover the Best of Amsterdam" ||
			*s.HeroSubtitle != "Insider advice on where to eat, what to see, and how to enjoy the city like a local.") {
		t.Errorf("the editorial section: %+v", s)
	}
	for i, s := range r.Sections {
		id := r.IDs[i]
		for _, rec := range s.Recommendations {
			manual := id == "d532b687-108a-4edb-a076-58a6945de714"
			if _, ok := rec.Features["s_"+id]; ok == manual && id != "top_stories_section" {
				t.Errorf("%s/%s: features %v", id, rec.CorpusItemID, rec.Features)
			}
			if rec.Topic != nil && rec.Features["t_"+*rec.Topic] != 1 || !strings.Contains(rec.URL, "utm_source=firefox-newtab-en-us") {
				t.Errorf("%s/%s: features %v, url %s", id, rec.CorpusItemID, rec.Features, rec.URL)
			}
		}
	}
	// Popular Today's stories left their home sections (checkFeed: no repeats); subtopic
	// sections (nfl, tv, …) are there besides the legacy topics.
	subtopics := 0
	for _, id := range r.IDs {
		if strings.Contains(" nfl nba mlb nhl tv music movies soccer books celebrity ", " "+id+" ") {
			subtopics++
		}
	}
	if subtopics == 0 {
		t.Errorf("no subtopic section in %v", r.IDs)
	}
}

// The other markets' recordings: locale suffixes stripped, their own titles, every surface's
// Popular Today title.
func TestSectionsFeedMarkets(t *testing.T) {
	h := start(t, func(s *setup) { s.sampler = "beta"; s.seed = 0 })
	for _, c := range []struct{ body, surface, title, section, sectionTitle string }{
		{`{"locale":"en-GB","feeds":["sections"]}`, "NEW_TAB_EN_GB", "Popular Today", "education", "History"},
		{`{"locale":"en-CA","region":"CA","feeds":["sections"]}`, "NEW_TAB_EN_CA", "Popular Today", "headlines", "The Latest"},
		{`{"locale":"en-IE","feeds":["sections"]}`, "NEW_TAB_EN_IE", "Popular Today", "technology", "Tech"},
		{`{"locale":"de-DE","feeds":["sections"]}`, "NEW_TAB_DE_DE", "Meistgelesen", "", ""},
		{`{"locale":"fr-FR","feeds":["sections"]}`, "NEW_TAB_FR_FR", "Tendances du jour", "", ""},
		{`{"locale":"it","feeds":["sections"]}`, "NEW_TAB_IT_IT", "I più letti", "", ""},
		{`{"locale":"pl-PL","feeds":["sections"]}`, "NEW_TAB_PL_PL", "Przegląd dnia", "", ""},
		{`{"locale":"es","region":"MX","feeds":["sections"],"experimentName":"sections-in-global-spanish","experimentBranch":"treatment"}`, "NEW_TAB_ES_XA", "Tendencias", "", ""},
		{`{"locale":"en","region":"DE","feeds":["sections"],"experimentName":"optin-sections-in-en-europe","experimentBranch":"treatment"}`, "NEW_TAB_EN_XE", "Popular Today", "", ""},
	} {
		r := h.sections(c.body)
		checkFeed(t, c.surface, r)
		if r.SurfaceID != c.surface || r.Sections[0].Title != c.title {
			t.Errorf("%s: surface %s, first title %q", c.body, r.SurfaceID, r.Sections[0].Title)
		}
		if c.section == "" {
			continue
		}
		// The GB, CA and IE recordings' ids carry __lEN_GB etc.; a section may still be
		// too small to show (all stories in Popular Today), but when shown it is stripped.
		if s := r.section(c.section); s != nil && s.Title != c.sectionTitle {
			t.Errorf("%s: %s titled %q", c.body, c.section, s.Title)
		}
	}
	// en+IN has no sections: the flat feed, feeds null.
	if r := h.recommend(`{"locale":"en","region":"IN","feeds":["sections"]}`); string(r.Feeds) != "null" || len(r.Data) == 0 {
		t.Errorf("en+IN: feeds %s, %d stories", r.Feeds, len(r.Data))
	}
}

// merino-py's layout and ad tests: Popular Today's one-row layout in the contextual-ads
// experiments, with or without a follow.
func TestSectionsLayouts(t *testing.T) {
	h := start(t, nil)
	for _, exp := range []string{"", "new-tab-ad-updates-nightly", "new-tab-contextual-ad-updates-v2-nightly", "new-tab-contextual-ad-updates-beta",
		"new-tab-contextual-ad-updates-v2-beta", "new-tab-contextual-ad-updates-release", "new-tab-contextual-ad-updates-v2-release"} {
		for _, follows := range []string{`[]`, `[{"sectionId":"sports","isFollowed":true,"isBlocked":false}]`} {
			body := fmt.Sprintf(`{"locale":"en-US","feeds":["sections"],"experimentName":%q,"experimentBranch":"treatment","sections":%s}`, exp, follows)
			r := h.sections(body)
			checkFeed(t, exp, r)
			want := "8-double-row-2-ad"
			if exp != "" {
				want = "4-large-small-medium-1-ad"
			}
			if r.Sections[0].Title != "Popular Today" || r.Sections[0].Layout.Name != want {
				t.Errorf("%s: first %q with %s, want %s", body, r.Sections[0].Title, r.Sections[0].Layout.Name, want)
			}
			if follows != "[]" && r.section("sports") != nil && r.section("sports").ReceivedFeedRank != 1 {
				t.Errorf("%s: sports at %d", body, r.section("sports").ReceivedFeedRank)
			}
		}
	}
}

// Follows, blocks and followedAt over HTTP (merino-py's followed-sections tests): flags set,
// followed sections right under Popular Today with the most recent follow first, blocked topics
// gone from every section, followedAt echoed in pydantic's format.
func TestSectionsFollowsAndBlocks(t *testing.T) {
	now := time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)
	h := start(t, func(s *setup) { s.now = now })
	for _, exp := range []string{``, `,"experimentName":"new-tab-topic-feeds-rollout-holdback","experimentBranch":"control"`,
		`,"experimentName":"new-tab-topic-feeds-rollout-holdback","experimentBranch":"other"`} {
		r := h.sections(`{"locale":"en-US","feeds":["sections"],"sections":[
			{"sectionId":"sports","isFollowed":true,"isBlocked":false,"followedAt":"2025-03-17T12:00:00Z"},
			{"sectionId":"arts","isFollowed":true,"isBlocked":false,"followedAt":"2025-03-10T14:34:56.5+02:00"},
			{"sectionId":"education","isFollowed":false,"isBlocked":true},
			{"sectionId":"health","isFollowed":true,"isBlocked":false}]` + exp + `}`)
		checkFeed(t, "follows"+exp, r)
		sports, arts, health := r.section("sports"), r.section("arts"), r.section("health")
		if sports == nil || arts == nil || health == nil {
			t.Fatalf("followed sections missing: %v", r.IDs)
		}
		// sports was followed within the week; arts (ten days ago) and health (no date) after
		// it, the dated one first.
		if sports.ReceivedFeedRank != 1 || arts.ReceivedFeedRank != 2 || health.ReceivedFeedRank != 3 {
			t.Errorf("%s: ranks sports %d arts %d health %d", exp, sports.ReceivedFeedRank, arts.ReceivedFeedRank, health.ReceivedFeedRank)
		}
		if !sports.IsFollowed || *sports.FollowedAt != "2025-03-17T12:00:00Z" || *arts.FollowedAt != "2025-03-10T14:34:56.500000+02:00" ||
			health.FollowedAt != nil || sports.IsBlocked {
			t.Errorf("%s: sports %v %v, arts %v, health %v", exp, sports.IsFollowed, *sports.FollowedAt, *arts.FollowedAt, health.FollowedAt)
		}
		if arts.IAB == nil || arts.IAB.Categories[0] != "JLBCU7" || sports.IAB.Categories[0] != "483" {
			t.Errorf("iab arts %+v sports %+v", arts.IAB, sports.IAB)
		}
		for i, s := range r.Sections {
			for _, rec := range s.Recommendations {
				if rec.Topic != nil && *rec.Topic == "education" {
					t.Errorf("%s: an education story in %s", exp, r.IDs[i])
				}
			}
			if r.IDs[i] == "education" && (!s.IsBlocked || s.IsFollowed || s.FollowedAt != nil) {
				t.Errorf("education: %+v", s)
			}
		}
	}
	// Blocked topics vanish everywhere, Popular Today included.
	r := h.sections(`{"locale":"en-US","feeds":["sections"],"sections":[{"sectionId":"career","isFollowed":false,"isBlocked":true},
		{"sectionId":"education-science","isFollowed":false,"isBlocked":true},{"sectionId":"health","isFollowed":false,"isBlocked":true}]}`)
	checkFeed(t, "blocks", r)
	for i, s := range r.Sections {
		for _, rec := range s.Recommendations {
			if rec.Topic != nil && strings.Contains(" career education-science health ", " "+*rec.Topic+" ") {
				t.Errorf("a %s story in %s", *rec.Topic, r.IDs[i])
			}
		}
	}
}

// Hostile follow and block lists get a correct answer, never an error: contradictory entries,
// unknown ids, 10,000 entries, ids of the special sections, followedAt at the ends of the
// calendar.
func TestSectionsHostileConfigs(t *testing.T) {
	h := start(t, nil)
	var many strings.Builder
	many.WriteString(`{"locale":"en-US","feeds":["sections"],"enableInterestPicker":true,"sections":[`)
	for i := 0; i < 10000; i++ {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `{"sectionId":"u%d","isFollowed":%v,"isBlocked":%v,"followedAt":"2025-03-%02dT00:00:00Z"}`, i, i%2 == 0, i%3 == 0, 1+i%28)
	}
	many.WriteString(`,{"sectionId":"sports","isFollowed":true,"isBlocked":true},{"sectionId":"sports","isFollowed":false,"isBlocked":false}]}`)
	start := time.Now()
	r := h.sections(many.String())
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("10,000 sections took %v", d)
	}
	checkFeed(t, "10,000 sections", r)
	for _, body := range []string{
		`{"locale":"en-US","feeds":["sections"],"sections":[{"sectionId":"top_stories_section","isFollowed":true,"isBlocked":true},{"sectionId":"daily-briefing","isFollowed":true,"isBlocked":true}]}`,
		`{"locale":"en-US","feeds":["sections"],"sections":[{"sectionId":"","isFollowed":true,"isBlocked":true},{"sectionId":"\u0000\ud800","isFollowed":true,"isBlocked":false}]}`,
		`{"locale":"en-US","feeds":["sections"],"sections":[{"sectionId":"arts","isFollowed":true,"isBlocked":false,"followedAt":"0001-01-01T00:00:00+23:59"},{"sectionId":"tech","isFollowed":true,"isBlocked":false,"followedAt":"9999-12-31T23:59:59.999999-23:59"}]}`,
		`{"locale":"en-US","feeds":["sections"],"sections":[]}`,
		`{"locale":"en-US","feeds":["sections","sections","other"],"sections":null}`,
	} {
		checkFeed(t, body, h.sections(body))
	}
	if r := h.sections(`{"locale":"en-US","feeds":["sections"],"sections":[{"sectionId":"top_stories_section","isFollowed":true,"isBlocked":true}]}`); !r.Sections[0].IsFollowed || !r.Sections[0].IsBlocked || r.IDs[0] != "top_stories_section" {
		t.Errorf("Popular Today followed and blocked: %+v", r.Sections[0])
	}
	if r := h.sections(`{"locale":"en-US","feeds":["sections"],"sections":[{"sectionId":"arts","isFollowed":true,"isBlocked":false,"followedAt":"9999-12-31T23:59:59.999999-23:59"}]}`); *r.section("arts").FollowedAt != "9999-12-31T23:59:59.999999-23:59" {
		t.Errorf("followedAt echo %v", *r.section("arts").FollowedAt)
	}
}

// Hostile inferredInterests: merino-py answers 500 to some of these (a non-ASCII value, an index
// past the thresholds, NaN scores); merino-go ignores what it cannot read.
func TestSectionsHostileInterests(t *testing.T) {
	h := start(t, nil)
	for _, interests := range []string{
		`{"model_id":"inferred-v3-model","values":["é","00000001","1111","0","","01","01","10"]}`,
		`{"model_id":"inferred-v3-model","values":"01é0"}`,
		`{"model_id":"inferred-v3-model","values":5}`,
		`{"model_id":"custom","sports":NaN,"arts":Infinity,"food":-Infinity,"tech":1e308,"career":1e308}`,
		`{"model_id":5,"sports":1}`,
		`{"sports":1}`,
		`{}`,
	} {
		body := `{"locale":"en-US","feeds":["sections"],"enableInterestPicker":true,"inferredInterests":` + interests + `}`
		status, b := h.post(body)
		if status != 200 || strings.Contains(b, "NaN") || strings.Contains(b, "Infinity") || !strings.Contains(b, `"inferredLocalModel":{`) {
			t.Errorf("%s: %d %.200s", interests, status, b)
			continue
		}
		checkFeed(t, interests, h.sections(body))
	}
	// Many keys, repeated: the first place and the last value, in one pass.
	var b strings.Builder
	b.WriteString(`{"locale":"en-US","feeds":["sections"],"inferredInterests":{"model_id":"m"`)
	for i := 0; i < 50000; i++ {
		fmt.Fprintf(&b, `,"k%d":%d`, i%5000, i%2)
	}
	b.WriteString(`,"finance":5}}`)
	r := h.sections(b.String())
	checkFeed(t, "50,000 interests", r)
	if r.IDs[1] != "finance" {
		t.Errorf("finance (the strongest interest) at %d: %v", slices.Index(r.IDs, "finance"), r.IDs[:3])
	}
}

// The interest picker (merino-py's test_sections_interest_picker): the sections past the first
// five are offered, followed ones stay visible, ranks skip the picker's.
func TestSectionsInterestPicker(t *testing.T) {
	h := start(t, func(s *setup) { s.seed = 7 })
	ranks := map[int]bool{}
	for i := 0; i < 20; i++ {
		r := h.sections(`{"locale":"en-US","feeds":["sections"],"enableInterestPicker":true}`)
		checkFeed(t, "picker", r)
		p := r.InterestPicker
		if p == nil || p.Title != "Follow topics to fine-tune your experience" || p.Subtitle != nil {
			t.Fatalf("picker %+v", p)
		}
		ranks[p.ReceivedFeedRank] = true
		var hidden, offered []string
		for j, s := range r.Sections {
			if s.IsInitiallyVisible != (j < 5) {
				t.Errorf("%s (%d) visible %v", r.IDs[j], j, s.IsInitiallyVisible)
			}
			if !s.IsInitiallyVisible && s.Followable {
				hidden = append(hidden, r.IDs[j])
			}
		}
		for _, s := range p.Sections {
			offered = append(offered, s.SectionID)
		}
		if !slices.Equal(hidden, offered) || len(offered) < 8 {
			t.Errorf("offered %v, hidden %v", offered, hidden)
		}
	}
	if !ranks[1] || !ranks[2] || len(ranks) != 2 {
		t.Errorf("picker ranks %v, want 1 and 2", ranks)
	}
	// A follow puts the picker at 2 and keeps the followed section visible wherever it is.
	r := h.sections(`{"locale":"en-US","feeds":["sections"],"enableInterestPicker":true,"sections":[{"sectionId":"nfl","isFollowed":true,"isBlocked":false}]}`)
	if r.InterestPicker.ReceivedFeedRank != 2 || !r.section("nfl").IsInitiallyVisible || r.section("nfl").ReceivedFeedRank != 1 {
		t.Errorf("picker at %d, nfl %+v", r.InterestPicker.ReceivedFeedRank, r.section("nfl"))
	}
	// Without enableInterestPicker: no picker, everything visible.
	r = h.sections(`{"locale":"en-US","feeds":["sections"]}`)
	for i, s := range r.Sections {
		if !s.IsInitiallyVisible || r.InterestPicker != nil {
			t.Errorf("%s hidden without a picker", r.IDs[i])
		}
	}
}

// The daily briefing's three branches (merino-py's test_daily_briefing_*): pinned first with
// its own layout, Popular Today shrunk beside it or gone; the control branch never sees it.
func TestSectionsDailyBriefing(t *testing.T) {
	h := start(t, nil)
	exp := `{"locale":"en-US","region":"US","feeds":["sections"],"experimentName":"daily-briefing-v1","experimentBranch":%q}`
	r := h.sections(fmt.Sprintf(exp, "briefing-with-popular"))
	checkFeed(t, "with popular", r)
	if r.IDs[0] != "daily-briefing" || r.IDs[1] != "top_stories_section" || r.Sections[0].Title != "Daily Briefing" ||
		r.Sections[0].Layout.Name != "4-medium-small-1-ad" || r.Sections[1].Layout.Name != "4-medium-small-1-ad" || r.Sections[0].Followable {
		t.Errorf("with popular: %v, %s/%s", r.IDs[:2], r.Sections[0].Layout.Name, r.Sections[1].Layout.Name)
	}
	r = h.sections(fmt.Sprintf(exp, "briefing-without-popular"))
	checkFeed(t, "without popular", r)
	if r.IDs[0] != "daily-briefing" || r.section("top_stories_section") != nil {
		t.Errorf("without popular: %v", r.IDs)
	}
	// Popular Today was still computed: its stories keep their serverScores in their home
	// sections (merino-py shares the story objects).
	scored := 0
	for _, s := range r.Sections {
		for _, rec := range s.Recommendations {
			if rec.ServerScore != nil {
				scored++
			}
		}
	}
	if scored == 0 {
		t.Error("without popular: no serverScore left in the home sections")
	}
	r = h.sections(fmt.Sprintf(exp, "control"))
	checkFeed(t, "control", r)
	if r.IDs[0] != "top_stories_section" || r.section("daily-briefing") != nil {
		t.Errorf("control: %v", r.IDs)
	}
}

// The scheduler holdback's serverScores are 0, -1e-05, -2e-05, ... (its scalar is 0).
func TestSectionsHoldback(t *testing.T) {
	h := start(t, nil)
	status, b := h.post(`{"locale":"en-US","feeds":["sections"],"experimentName":"new-tab-topic-feeds-rollout-holdback","experimentBranch":"control"}`)
	if status != 200 || !strings.Contains(b, `"serverScore":0.0,"features"`) || !strings.Contains(b, `"serverScore":-1e-05,`) ||
		!strings.Contains(b, `"serverScore":-3.0000000000000004e-05,`) {
		t.Errorf("%d %.500s", status, b)
	}
}

// Thompson sampling of sections (merino-py's test_ml_sections_thompson_sampling): with the
// stories of half the sections clicked far more, those sections rank higher in every request.
func TestSectionsThompsonSampling(t *testing.T) {
	var doc struct {
		Data struct {
			GetSections []struct {
				ExternalID   string `json:"externalId"`
				SectionItems []struct {
					CorpusItem struct {
						ID string `json:"id"`
					} `json:"corpusItem"`
				} `json:"sectionItems"`
			} `json:"getSections"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(readFile(t, bundle+"/sections.json")), &doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range doc.Data.GetSections {
		ids = append(ids, s.ExternalID)
	}
	sort.Strings(ids)
	favoured := map[string]bool{}
	for _, id := range ids[:len(ids)/2] {
		favoured[id] = true
	}
	ctr := map[string]float64{}
	rows := map[string][2]int{}
	for _, s := range doc.Data.GetSections {
		for _, it := range s.SectionItems {
			id := it.CorpusItem.ID
			if favoured[s.ExternalID] {
				rows[id], ctr[id] = [2]int{300_000, 1_000_000}, 0.3
			} else if _, ok := rows[id]; !ok {
				rows[id], ctr[id] = [2]int{1_000, 1_000_000}, 0.001
			}
		}
	}
	h := start(t, func(s *setup) { s.sampler = "beta"; s.seed = 0; s.engagement = engagementRows(rows) })
	orders := map[string]bool{}
	for i := 0; i < 10; i++ {
		r := h.sections(`{"locale":"en-US","feeds":["sections"]}`)
		var xs, ys []float64
		for j, s := range r.Sections[1:] {
			var sum float64
			for _, rec := range s.Recommendations {
				sum += ctr[rec.CorpusItemID]
			}
			xs, ys = append(xs, float64(s.ReceivedFeedRank)), append(ys, sum/float64(len(s.Recommendations)))
			_ = j
		}
		if s := slope(xs, ys); !(s < 0) {
			t.Errorf("request %d: CTR-vs-rank slope %v, want < 0 (%v)", i, s, r.IDs)
		}
		orders[strings.Join(r.IDs, " ")] = true
	}
	if len(orders) < 2 {
		t.Errorf("10 requests, %d section orders", len(orders))
	}
}

// A section with a 50/50 alternate shows the base or the alternate slate, drawn per request,
// under the canonical id and at the base's place; the flat feed of the same response draws too.
func TestSectionsAlternateSlates(t *testing.T) {
	dir := t.TempDir()
	type item struct{ id, topic string }
	section := func(externalID string, ids ...string) string {
		var items []string
		for _, id := range ids {
			items = append(items, fmt.Sprintf(`{"corpusItem":{"id":%q,"url":"https://%s.example/%s","title":"T %s","excerpt":"e","topic":"FOOD","publisher":%q,"isTimeSensitive":false,"imageUrl":"https://img.example/%s.jpg"}}`,
				id, id, id, id, "P "+id, id))
		}
		return fmt.Sprintf(`{"createSource":"ML","followable":true,"allowAds":true,"externalId":%q,"active":true,"title":%q,"iab":null,"sectionItems":[%s]}`,
			externalID, externalID, strings.Join(items, ","))
	}
	seq := func(prefix string, n int) []string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, fmt.Sprintf("%s%02d", prefix, i))
		}
		return out
	}
	body := `{"data":{"getSections":[` + strings.Join([]string{
		section("travel", seq("t", 30)...), section("food", seq("b", 20)...), section("health", seq("h", 30)...),
		section("food__exp5050", seq("a", 20)...), section("food__exp77", seq("x", 20)...),
	}, ",") + `]}}`
	if err := os.WriteFile(filepath.Join(dir, "sections.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	h := start(t, func(s *setup) { s.dir = dir; s.prior = "-"; s.seed = 3 })
	slates := map[string]int{}
	for i := 0; i < 40; i++ {
		r := h.sections(`{"locale":"en-US","feeds":["sections"]}`)
		food := r.section("food")
		if food == nil {
			t.Fatalf("no food section: %v", r.IDs)
		}
		first := food.Recommendations[0].CorpusItemID[:1]
		for _, rec := range food.Recommendations {
			if rec.CorpusItemID[:1] != first {
				t.Fatalf("food mixes slates: %s and %s", first, rec.CorpusItemID)
			}
			if _, ok := rec.Features["s_food"]; !ok {
				t.Errorf("%s: features %v", rec.CorpusItemID, rec.Features)
			}
		}
		slates[first]++
	}
	if slates["b"] == 0 || slates["a"] == 0 || slates["x"] != 0 {
		t.Errorf("slates shown in 40 requests: %v", slates)
	}
}

// /openapi.json documents the curated endpoints and the sections feed's models.
func TestOpenAPIDocumentsCuratedEndpoints(t *testing.T) {
	h := start(t, nil)
	status, body := h.get("/openapi.json")
	var doc struct {
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(body), &doc); status != 200 || err != nil {
		t.Fatalf("%d %v", status, err)
	}
	for path, method := range map[string]string{"/api/v1/curated-recommendations": "post",
		"/api/v1/curated-recommendations/legacy-115-129": "get", "/api/v1/curated-recommendations/legacy-114": "get"} {
		if doc.Paths[path][method] == nil {
			t.Errorf("%s %s is not documented", method, path)
		}
	}
	for _, s := range []string{"CuratedRecommendationsRequest", "CuratedRecommendationsResponse", "CuratedRecommendation", "Section"} {
		if doc.Components.Schemas[s] == nil {
			t.Errorf("schema %s missing", s)
		}
	}
}

// Concurrent sections requests of every kind share the cached feed, its engagement view and
// the pooled builders (run with -race).
func TestSectionsConcurrent(t *testing.T) {
	h := start(t, func(s *setup) { s.sampler = "beta"; s.seed = 0 })
	bodies := []string{
		`{"locale":"en-US","feeds":["sections"],"enableInterestPicker":true}`,
		`{"locale":"en-GB","feeds":["sections"],"sections":[{"sectionId":"food","isFollowed":true,"isBlocked":false}]}`,
		`{"locale":"en-CA","region":"CA","feeds":["sections"],"inferredInterests":{"model_id":"inferred-small-v1","values":["01","10","01"]}}`,
		`{"locale":"de-DE","feeds":["sections"],"experimentName":"daily-briefing-v1","experimentBranch":"briefing-with-popular"}`,
		`{"locale":"en-US","region":"US"}`,
	}
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 10; i++ {
				body := bodies[(g+i)%len(bodies)]
				resp, err := http.Post(h.url+"/api/v1/curated-recommendations", "application/json", strings.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || !bytes.HasPrefix(b, []byte(`{"recommendedAt":`)) {
					t.Errorf("%s: %d %v %.200s", body, resp.StatusCode, err, b)
					return
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}
