package curated_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/curated/corpus/corpustest"
	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/manifest"
)

// Each locale reaches its surface, over the right query.
func TestSurfaces(t *testing.T) {
	h := start(t, nil)
	for _, c := range []struct{ locale, region, want, query string }{
		{"en", "", "NEW_TAB_EN_US", "get_sections"}, {"en-CA", "", "NEW_TAB_EN_CA", "get_sections"},
		{"en-US", "", "NEW_TAB_EN_US", "get_sections"}, {"en-GB", "", "NEW_TAB_EN_GB", "get_sections"},
		{"en-IE", "", "NEW_TAB_EN_IE", "get_sections"}, {"en", "IN", "NEW_TAB_EN_INTL", "scheduled_surface"},
		{"de", "", "NEW_TAB_DE_DE", "get_sections"}, {"de-DE", "", "NEW_TAB_DE_DE", "get_sections"},
		{"de-AT", "", "NEW_TAB_DE_AT", "get_sections"}, {"de-CH", "", "NEW_TAB_DE_CH", "get_sections"},
		{"fr", "", "NEW_TAB_FR_FR", "get_sections"}, {"fr-BE", "", "NEW_TAB_FR_BE", "get_sections"},
		{"fr-FR", "", "NEW_TAB_FR_FR", "get_sections"}, {"es", "", "NEW_TAB_ES_ES", "get_sections"},
		{"es-ES", "", "NEW_TAB_ES_ES", "get_sections"}, {"it", "", "NEW_TAB_IT_IT", "get_sections"},
		{"it-IT", "", "NEW_TAB_IT_IT", "get_sections"}, {"pl", "", "NEW_TAB_PL_PL", "scheduled_surface"},
		{"pl-PL", "", "NEW_TAB_PL_PL", "scheduled_surface"},
	} {
		body := fmt.Sprintf(`{"locale":%q}`, c.locale)
		if c.region != "" {
			body = fmt.Sprintf(`{"locale":%q,"region":%q}`, c.locale, c.region)
		}
		r := h.recommend(body)
		if r.SurfaceID != c.want {
			t.Errorf("%s: surface %s, want %s", body, r.SurfaceID, c.want)
		}
		// 100 is merino-py's default count; the GB, IE and CA recordings use their own section
		// ids, fewer of which are legacy topics (83, 84 and 90 distinct stories).
		if n := len(r.Data); n != 100 && !(strings.Contains("NEW_TAB_EN_GB NEW_TAB_EN_IE NEW_TAB_EN_CA", c.want) && n > 50) {
			t.Errorf("%s: %d stories, want 100", body, n)
		}
		// Every story carries the surface's utm_source (DE_AT, DE_CH and FR_BE have none).
		utm := surface.Get(surface.ID(c.want)).UTMSource
		for _, d := range r.Data {
			if (utm != "") != strings.Contains(d.URL, "utm_source="+utm) || d.Topic == nil || d.TileID == nil {
				t.Errorf("%s: %s url %s topic %v", body, d.CorpusItemID, d.URL, d.Topic)
				break
			}
		}
	}
	// Each surface was fetched once, by the right query.
	per := map[string]string{}
	for _, r := range h.fake.Requests() {
		if prev, ok := per[r.Surface]; ok && prev != r.Query {
			t.Errorf("%s fetched with %s and %s", r.Surface, prev, r.Query)
		}
		per[r.Surface] = r.Query
	}
	if n := h.fake.Calls(""); n != len(per) {
		t.Errorf("%d calls for %d surfaces", n, len(per))
	}
}

// The corpus query carries merino-py's headers and variables.
func TestWireProtocol(t *testing.T) {
	h := start(t, func(s *setup) { s.clientName = "merino-go-test" })
	h.recommend(`{"locale":"pl-PL"}`)
	h.recommend(`{"locale":"en-GB"}`)
	reqs := h.fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d calls", len(reqs))
	}
	for _, r := range reqs {
		if r.Header.Get("Apollographql-Client-Name") != "merino-go-test" || r.Header.Get("Apollographql-Client-Version") != "abc123" ||
			r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s headers %v", r.Query, r.Header)
		}
	}
	pl := surface.Get(surface.PlPL)
	if r := reqs[0]; r.Query != "scheduled_surface" || r.Surface != "NEW_TAB_PL_PL" ||
		(r.Date != pl.ScheduledDate(time.Now()) && r.Date != pl.ScheduledDate(time.Now().Add(-time.Minute))) {
		t.Errorf("scheduled call %+v", r)
	}
	if r := reqs[1]; r.Query != "get_sections" || r.Surface != "NEW_TAB_EN_GB" {
		t.Errorf("sections call %+v", r)
	}
}

// One upstream call per TTL window however many requests, including concurrent misses; an
// expired value is served stale while one refresh runs, then the new data.
func TestCaching(t *testing.T) {
	const ttl = 1500 * time.Millisecond
	h := start(t, func(s *setup) { s.ttlMin, s.ttlMax = ttl, ttl })
	h.fake.Fail(1, corpustest.Failure{Hang: 200 * time.Millisecond}) // the first call is slow...
	h.fake.SetBody("scheduled_surface", "", nil)
	h.fake.SetBody("scheduled_surface", "NEW_TAB_PL_PL", []byte(readFile(t, bundle+"/scheduled_surface.json")))
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ { // ...and 20 requests wait for it together
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, body := h.post(`{"locale":"pl-PL"}`); status != 200 && status != 500 {
				t.Errorf("%d %s", status, body)
			}
		}()
	}
	wg.Wait()
	// The hung call failed (the fake answers nothing); its retry served everyone.
	if n := h.fake.Calls("scheduled_surface"); n != 2 {
		t.Errorf("%d upstream calls for 20 concurrent misses, want 2 (a hung call and its retry)", n)
	}
	for i := 0; i < 5; i++ {
		h.recommend(`{"locale":"pl-PL"}`)
	}
	if n := h.fake.Calls("scheduled_surface"); n != 2 {
		t.Errorf("%d calls within the TTL", n)
	}
	// New titles upstream; after the TTL the first answer is stale, the next ones new.
	changed := strings.ReplaceAll(readFile(t, bundle+"/scheduled_surface.json"), `"title": "`, `"title": "NEW `)
	h.fake.SetBody("scheduled_surface", "NEW_TAB_PL_PL", []byte(changed))
	time.Sleep(ttl + 50*time.Millisecond)
	if r := h.recommend(`{"locale":"pl-PL"}`); strings.HasPrefix(r.Data[0].Title, "NEW ") {
		t.Error("the first answer after the TTL is not the stale one")
	}
	waitFor(t, func() bool { return h.fake.Calls("scheduled_surface") == 3 })
	waitFor(t, func() bool { return strings.HasPrefix(h.recommend(`{"locale":"pl-PL"}`).Data[0].Title, "NEW ") })
	if n := h.fake.Calls("scheduled_surface"); n != 3 {
		t.Errorf("%d calls after one refresh", n)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}

// merino-py's test_single_request_multiple_failed_fetches: a 503 or GraphQL errors, then
// success: 200 after exactly two calls, and a WARNING naming the retry and the error.
func TestRetries(t *testing.T) {
	for _, c := range []struct {
		name    string
		failure corpustest.Failure
		warning string
	}{
		{"graphql", corpustest.Failure{GraphQL: true}, `Could not find Scheduled Surface with id of`},
		{"http", corpustest.Failure{Status: 503}, `'503 Service Unavailable' for url '`},
		{"garbage", corpustest.Failure{Garbage: true}, `invalid JSON`},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := start(t, nil)
			h.fake.Fail(1, c.failure)
			h.recommend(`{"locale":"pl-PL"}`)
			if n := h.fake.Calls(""); n != 2 {
				t.Errorf("%d calls, want 2", n)
			}
			logs := h.logs.String()
			if !regexp.MustCompile(`level=WARN msg="Retrying corpus.ScheduledSurface in 0\.\d\d seconds as it raised`).MatchString(logs) || !strings.Contains(logs, c.warning) {
				t.Errorf("no retry warning with %q:\n%s", c.warning, logs)
			}
		})
	}
}

// A cold cache whose every attempt fails answers merino-py's plain-text 500, keeps no value,
// and recovers on the next request; a warm cache serves stale data through failures.
func TestColdFailureAndStaleData(t *testing.T) {
	h := start(t, func(s *setup) { s.ttlMin, s.ttlMax = 100*time.Millisecond, 100*time.Millisecond })
	h.fake.Fail(3, corpustest.Failure{Status: 500})
	status, body := h.post(`{"locale":"pl-PL"}`)
	if status != 500 || body != "Internal Server Error" {
		t.Errorf("cold failure: %d %s", status, body)
	}
	if n := h.fake.Calls(""); n != 3 {
		t.Errorf("%d calls, want 3 (retry_count)", n)
	}
	status, body = h.get("/api/v1/curated-recommendations/legacy-115-129?locale=pl-PL")
	if status != 200 {
		t.Fatalf("after the failure: %d %s", status, body)
	}
	first := h.recommend(`{"locale":"pl-PL"}`)
	// Now upstream answers garbage for good; the cached stories keep coming.
	h.fake.Fail(1000, corpustest.Failure{Garbage: true})
	time.Sleep(150 * time.Millisecond)
	for i := 0; i < 3; i++ {
		r := h.recommend(`{"locale":"pl-PL"}`)
		if len(r.Data) != len(first.Data) {
			t.Fatalf("stale data lost: %d stories", len(r.Data))
		}
		time.Sleep(120 * time.Millisecond)
	}
	waitFor(t, func() bool { return strings.Contains(h.logs.String(), "Returning stale data.") })
}

// The sections query's breaker (threshold 1) opens after a failed fetch: another surface is
// then refused without an upstream call (500 on a cold cache) until the recovery timeout.
func TestBreaker(t *testing.T) {
	h := start(t, func(s *setup) { s.recover = 2 * time.Second })
	h.fake.Fail(3, corpustest.Failure{Status: 503})
	if status, _ := h.post(`{"locale":"en-GB"}`); status != 500 {
		t.Errorf("first: %d", status)
	}
	calls := h.fake.Calls("")
	if status, body := h.post(`{"locale":"de-DE"}`); status != 500 || body != "Internal Server Error" {
		t.Errorf("while open: %d %s", status, body)
	}
	if n := h.fake.Calls(""); n != calls {
		t.Errorf("an upstream call while the breaker is open (%d → %d)", calls, n)
	}
	if !h.client.BreakerOpen() {
		t.Error("the breaker is not open")
	}
	// ScheduledSurface has no breaker.
	h.recommend(`{"locale":"pl-PL"}`)
	time.Sleep(2100 * time.Millisecond)
	h.recommend(`{"locale":"de-DE"}`)
	if h.client.BreakerOpen() {
		t.Error("the breaker did not close after a success")
	}
}

// A hung upstream call times out (request_timeout_sec) and is retried.
func TestHungUpstream(t *testing.T) {
	h := start(t, func(s *setup) { s.timeout = 200 * time.Millisecond })
	h.fake.Fail(1, corpustest.Failure{Hang: 5 * time.Second})
	start := time.Now()
	h.recommend(`{"locale":"it-IT"}`)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v", took)
	}
}

// A malformed item is skipped and counted; the rest is served (a deliberate difference from
// merino-py, which fails the whole response).
func TestMalformedItemSkipped(t *testing.T) {
	h := start(t, nil)
	doc := readFile(t, "testdata/orders/scheduled_surface.json")
	doc = strings.Replace(doc, `"url": "https://www.puba.example/c1?ref=a&b="`, `"url": "not a url"`, 1)
	doc = strings.Replace(doc, `"publisher": "PubC"`, `"publisher": 7`, 1)
	h.fake.SetBody("scheduled_surface", "", []byte(doc))
	before := metrics.GetOrCreateCounter(`merino_corpus_api_items_skipped_total{query="scheduled_surface"}`).Get()
	r := h.recommend(`{"locale":"pl-PL"}`)
	if len(r.Data) != 6 {
		t.Errorf("%d stories, want 6", len(r.Data))
	}
	if got := metrics.GetOrCreateCounter(`merino_corpus_api_items_skipped_total{query="scheduled_surface"}`).Get() - before; got != 2 {
		t.Errorf("%d skipped, want 2", got)
	}
	if !strings.Contains(h.logs.String(), "skipping a malformed corpus item") {
		t.Error("no warning")
	}
}

// merino-py's TestLegacyEndpoints and the query validation of §2.1.
func TestLegacyEndpoints(t *testing.T) {
	h := start(t, nil)
	for _, locale := range []string{"de-AT", "de-CH", "de-DE", "en-CA", "en-GB", "en-US", "es-ES", "fr-BE", "fr-FR", "it-IT", "pl-PL"} {
		var l115 struct {
			Data []map[string]any `json:"data"`
		}
		status, body := h.get("/api/v1/curated-recommendations/legacy-115-129?locale=" + locale)
		if status != 200 || json.Unmarshal([]byte(body), &l115) != nil || len(l115.Data) != 30 {
			t.Errorf("115 %s: %d %d %.200s", locale, status, len(l115.Data), body)
			continue
		}
		for _, it := range l115.Data {
			for _, k := range []string{"__typename", "recommendationId", "tileId", "url", "title", "excerpt", "publisher", "imageUrl"} {
				if it[k] == nil || it[k] == "" {
					t.Errorf("115 %s: %s empty in %v", locale, k, it)
				}
			}
		}
		var l114 struct {
			Status          int              `json:"status"`
			Recommendations []map[string]any `json:"recommendations"`
		}
		status, body = h.get("/api/v1/curated-recommendations/legacy-114?locale_lang=" + locale)
		if status != 200 || json.Unmarshal([]byte(body), &l114) != nil || len(l114.Recommendations) != 20 || l114.Status != 1 {
			t.Errorf("114 %s: %d %.200s", locale, status, body)
			continue
		}
		if !strings.HasPrefix(body, `{"status":1,"spocs":[],"settings":{"domainAffinityParameterSets":{},"timeSegments":[{"id":"week","startTime":604800,"endTime":0,"weightPosition":1},{"id":"month","startTime":2592000,"endTime":604800,"weightPosition":0.5}],"recsExpireTime":5400,"spocsPerNewTabs":0.5,"version":"6f605b0212069b4b8d3d040faf55742061a25c16"},"recommendations":[{"id":`) {
			t.Errorf("114 %s: %.400s", locale, body)
		}
		for _, it := range l114.Recommendations {
			src, _ := it["image_src"].(string)
			if !strings.HasPrefix(src, "https://img-getpocket.cdn.mozilla.net/direct?url=https%3A%2F%2F") || !strings.HasSuffix(src, "&resize=w450") {
				t.Errorf("114 %s: image_src %s", locale, src)
			}
		}
		for _, path := range []string{"legacy-115-129?locale=", "legacy-114?locale_lang="} {
			var any map[string]json.RawMessage
			status, body := h.get("/api/v1/curated-recommendations/" + path + locale + "&count=5&region=CA")
			if status != 200 || json.Unmarshal([]byte(body), &any) != nil || strings.Count(body, `"title":`) != 5 {
				t.Errorf("%s%s count=5: %d %.200s", path, locale, status, body)
			}
		}
	}
	f := func(path, want string) {
		t.Helper()
		status, body := h.get("/api/v1/curated-recommendations/" + path)
		if status != 400 || body != want {
			t.Errorf("%s:\n got %d %s\nwant 400 %s", path, status, body, want)
		}
	}
	f("legacy-115-129", `{"detail":[{"type":"missing","loc":["query","locale"],"msg":"Field required","input":{}}]}`)
	f("legacy-115-129?count=5&region=US", `{"detail":[{"type":"missing","loc":["query","locale"],"msg":"Field required","input":{"count":"5","region":"US"}}]}`)
	f("legacy-115-129?locale=en-US&count=0", `{"detail":[{"type":"greater_than_equal","loc":["query","count"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}`)
	f("legacy-115-129?locale=en-US&count=31", `{"detail":[{"type":"less_than_equal","loc":["query","count"],"msg":"Input should be less than or equal to 30","input":"31","ctx":{"le":30}}]}`)
	f("legacy-114?locale_lang=en-US&count=51", `{"detail":[{"type":"less_than_equal","loc":["query","count"],"msg":"Input should be less than or equal to 50","input":"51","ctx":{"le":50}}]}`)
	f("legacy-114?locale_lang=en-US&count=x", `{"detail":[{"type":"int_parsing","loc":["query","count"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x"}]}`)
	f("legacy-114?locale=en-US", `{"detail":[{"type":"missing","loc":["query","locale_lang"],"msg":"Field required","input":{"locale":"en-US"}}]}`)
	f("legacy-115-129?locale=en-us", `{"detail":[{"type":"enum","loc":["query","locale"],"msg":"Input should be `+localeEnum+`","input":"en-us","ctx":{"expected":"`+localeEnum+`"}}]}`)
}

// Stories get their icon from the favicon manifest by domain (www dropped).
func TestIcons(t *testing.T) {
	var icons manifest.Holder
	if _, err := icons.Apply([]byte(`{"domains":[{"rank":1,"domain":"puba","categories":[],"serp_categories":[],"url":"https://puba.example","title":"Pub A","icon":"https://icons.example/a.png"}],"partners":[]}`)); err != nil {
		t.Fatal(err)
	}
	h := start(t, func(s *setup) { ordersFixture(s); s.icons = &icons })
	for _, d := range h.recommend(`{"locale":"pl-PL"}`).Data {
		want := d.Publisher == "PubA"
		if got := d.IconURL != nil && *d.IconURL == "https://icons.example/a.png"; got != want {
			t.Errorf("%s (%s): icon %v", d.CorpusItemID, d.Publisher, d.IconURL)
		}
	}
}

// Engagement swapped in by its syncer changes the order; a corrupt or oversized file keeps
// the data being served.
func TestEngagementHotSwap(t *testing.T) {
	h := start(t, ordersFixture)
	dir := t.TempDir()
	path := filepath.Join(dir, "engagement.json")
	src, err := loaders.NewSource(path, loaders.HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sync := loaders.NewSyncer("curated_engagement_test", src, time.Hour, h.eng.Apply, testLog(h))
	write := func(doc string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		// A new modification time, even within the file system's clock granularity.
		mt := time.Now().Add(time.Duration(len(doc)) * time.Millisecond)
		_ = os.Chtimes(path, mt, mt)
	}
	order := func() string { return strings.Join(h.recommend(`{"locale":"pl-PL","count":3}`).ids(), " ") }
	if got := order(); got != "c1 c3 c4" {
		t.Fatalf("before: %s", got)
	}
	write(engagementRows(map[string][2]int{"c8": {20000, 100000}, "c7": {15000, 100000}}))
	if _, err := sync.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "c8 c7 c1" {
		t.Errorf("after the swap: %s, want c8 c7 c1", got)
	}
	h.eng.MaxSize = 10_000
	for _, bad := range []string{`[{"corpus_item_id":"c1","click_count":`, `[]`, `[` + strings.Repeat(`{"corpus_item_id":"c1","click_count":1,"impression_count":2},`, 500) + `{}]`} {
		write(bad)
		if _, err := sync.Sync(t.Context()); err == nil {
			t.Errorf("%.40s: accepted", bad)
		}
		if got := order(); got != "c8 c7 c1" {
			t.Errorf("%.40s replaced the data: %s", bad, got)
		}
	}
}

// inferredLocalModel is present iff inferredInterests is non-null (even {}).
func TestInferredLocalModel(t *testing.T) {
	h := start(t, nil)
	r := h.recommend(`{"locale":"pl-PL","inferredInterests":{}}`)
	var m struct {
		ModelID   string `json:"model_id"`
		SurfaceID string `json:"surface_id"`
		ModelData struct {
			InterestVector  map[string]json.RawMessage `json:"interest_vector"`
			PrivateFeatures []string                   `json:"private_features"`
		} `json:"model_data"`
	}
	if err := json.Unmarshal(r.InferredLocalModel, &m); err != nil || m.ModelID != "inferred-v3-model" || m.SurfaceID != "NEW_TAB_PL_PL" ||
		len(m.ModelData.PrivateFeatures) != 8 || len(m.ModelData.InterestVector) != 8 {
		t.Errorf("PL model %s (%v)", r.InferredLocalModel, err)
	}
	r = h.recommend(`{"locale":"en-CA","inferredInterests":{"model_id":"x"}}`)
	if !strings.HasPrefix(string(r.InferredLocalModel), `{"model_id":"inferred-small-v1","model_version":0,"surface_id":"NEW_TAB_EN_CA","model_data":{"model_type":"ctr","rescale":true,"ctr_prior_strength":500.0,"day_time_weighting":{"days":[90],"relative_weight":[1.0]},"interest_vector":{"sports":{"features":{"t_sports":1.0},"thresholds":[1.4],"diff_p":0.92,"diff_q":0.0288}`) ||
		!strings.HasSuffix(string(r.InferredLocalModel), `"privacy_overrides":{"iv_in_telemetry":null,"random_content_click_probability_epsilon_micro":null,"daily_click_event_cap":null,"local_popular_today_rerank":false}}`) {
		t.Errorf("CA model %s", r.InferredLocalModel)
	}
	r = h.recommend(`{"locale":"en-US","experimentName":"x","inferredInterests":{}}`)
	if !strings.Contains(string(r.InferredLocalModel), `"food":{"features":{"t_food":1.0},"thresholds":[1000.0,1000.0,1000.0],"diff_p":1.0,"diff_q":0.0}`) {
		t.Errorf("US experiment model %s", r.InferredLocalModel)
	}
}

func testLog(h *harness) *slogLogger { return newTestLogger(h.logs) }

// merino-py's TestCuratedRecommendationsMetrics: a miss times one call and counts its status;
// a failed attempt then a success count both statuses; the cache counts hits and misses.
func TestCorpusMetrics(t *testing.T) {
	counter := func(name string) uint64 { return metrics.GetOrCreateCounter(name).Get() }
	status := func(code string) uint64 {
		return counter(`merino_corpus_api_responses_total{query="scheduled_surface",status_code="` + code + `"}`)
	}
	ok0, e0 := status("200"), status("500")
	miss0 := counter(`merino_corpus_api_cache_total{query="scheduled_surface",result="miss"}`)
	hit0 := counter(`merino_corpus_api_cache_total{query="scheduled_surface",result="hit"}`)
	h := start(t, nil)
	h.fake.Fail(1, corpustest.Failure{Status: 500})
	h.recommend(`{"locale":"pl-PL"}`)
	h.recommend(`{"locale":"pl-PL"}`)
	if ok, e := status("200")-ok0, status("500")-e0; ok != 1 || e != 1 {
		t.Errorf("status counts: 200×%d 500×%d, want 1 and 1", ok, e)
	}
	if m, hit := counter(`merino_corpus_api_cache_total{query="scheduled_surface",result="miss"}`)-miss0,
		counter(`merino_corpus_api_cache_total{query="scheduled_surface",result="hit"}`)-hit0; m != 1 || hit != 1 {
		t.Errorf("cache: %d misses, %d hits", m, hit)
	}
}
