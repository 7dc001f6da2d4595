package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/mozlog"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

// The provider tree over HTTP: configurations as operators write them (MERINO_* variables),
// the binary's wiring (build), the real server on a loopback port.

// instance is one merino-go serving on loopback.
type instance struct {
	base string
	app  *app
}

// serveEnv loads env (MERINO_ENV=testing first), builds and serves it until the test ends.
func serveEnv(t *testing.T, env ...string) *instance {
	t.Helper()
	cfg, err := config.Load(func() []string { return append([]string{"MERINO_ENV=testing"}, env...) })
	if err != nil {
		t.Fatal(err)
	}
	logw := mozlog.NewWriter(io.Discard, true, "merino", slog.LevelError)
	a, err := build(cfg, slog.New(mozlog.NewHandler(logw)), logw)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	for _, s := range a.syncers {
		s.Sync(ctx)
	}
	for _, task := range a.tasks {
		go task(ctx)
	}
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- serverListen(ctx, a, func(a net.Addr) { addr <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return &instance{base: "http://" + (<-addr).String(), app: a}
}

// answer is one /api/v1/suggest response.
type answer struct {
	status       int
	cacheControl string
	body         string
	suggestions  string // the raw JSON array
	took         time.Duration
}

func (in *instance) suggest(t *testing.T, query string) answer {
	t.Helper()
	start := time.Now()
	resp, err := http.Get(in.base + "/api/v1/suggest?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, cacheControl: resp.Header.Get("Cache-Control"), body: string(b), took: time.Since(start)}
	var doc struct{ Suggestions json.RawMessage }
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v: %s", query, err, b)
		}
		a.suggestions = string(doc.Suggestions)
	}
	return a
}

// titles are the suggestions' titles, joined by |.
func (a answer) titles(t *testing.T) string {
	t.Helper()
	var list []struct{ Title string }
	if err := json.Unmarshal([]byte(a.suggestions), &list); err != nil {
		t.Fatalf("%v: %s", err, a.body)
	}
	var out []string
	for _, s := range list {
		out = append(out, s.Title)
	}
	return strings.Join(out, "|")
}

// fixedJSON is what a fixed provider answers (merino-py's suggestion JSON).
func fixedJSON(id, title, score string) string {
	return `{"title":"` + title + `","url":"https://merino.services.mozilla.com/test/suggestion","provider":"` + id +
		`","is_sponsored":false,"score":` + score + `}`
}

func TestDevelopmentProviders(t *testing.T) {
	in := serveEnv(t,
		"MERINO_PROVIDERS__FRUIT__TYPE=wiki_fruit",
		"MERINO_PROVIDERS__FIXED__TYPE=fixed", `MERINO_PROVIDERS__FIXED__VALUE=I'm a banana`, "MERINO_PROVIDERS__FIXED__SCORE=0.23",
		"MERINO_PROVIDERS__DBG__TYPE=debug",
		"MERINO_PROVIDERS__NOTHING__TYPE=null", "MERINO_PROVIDERS__NOTHING__ENABLED_BY_DEFAULT=true")
	f := func(q, want string) {
		t.Helper()
		if got := in.suggest(t, "providers=fruit&q="+url.QueryEscape(q)); got.status != 200 || got.suggestions != want {
			t.Errorf("wiki_fruit %q: %d %s\nwant %s", q, got.status, got.suggestions, want)
		}
	}
	fruit := func(name string) string {
		return `[{"title":"Wikipedia - ` + name + `","url":"https://en.wikipedia.org/wiki/` + name + `","provider":"fruit","is_sponsored":false,"score":0.0}]`
	}
	f("apple", fruit("Apple"))
	f("banana", fruit("Banana"))
	f("cherry", fruit("Cherry"))
	for _, q := range []string{"app", "apples", "apple pie", "Apple", " apple", "durian"} {
		f(q, "[]")
	}
	if got := in.suggest(t, "providers=fixed&q=anything"); got.suggestions != "["+fixedJSON("fixed", "I'm a banana", "0.23")+"]" {
		t.Errorf("fixed: %s", got.body)
	}
	got := in.suggest(t, "providers=dbg,nothing&q=wh%C3%A4t&client_variants=a,b&source=urlbar")
	var list []struct {
		Title, URL, Provider string
		Score                float64
	}
	if err := json.Unmarshal([]byte(got.suggestions), &list); err != nil || len(list) != 1 {
		t.Fatalf("debug: %v %s", err, got.body)
	}
	var req map[string]any
	if err := json.Unmarshal([]byte(list[0].Title), &req); err != nil || req["query"] != "whät" || req["source"] != "urlbar" ||
		list[0].Provider != "dbg" || !strings.Contains(got.suggestions, `"score":0.0`) {
		t.Errorf("debug's title is not the request: %v %s", err, got.body)
	}
	// Enabled by default, but a null provider answers nothing.
	if got := in.suggest(t, "q=apple"); got.suggestions != "[]" {
		t.Errorf("null: %s", got.body)
	}
}

func TestKeywordFilter(t *testing.T) {
	in := serveEnv(t,
		"MERINO_PROVIDERS__FILTERED__TYPE=keyword_filter",
		`MERINO_PROVIDERS__FILTERED__SUGGESTION_BLOCKLIST={no_banana = "(Banana|banana|plant)", anchored = "^Cherry$"}`,
		"MERINO_PROVIDERS__FILTERED__INNER__TYPE=multiplexer",
		`MERINO_PROVIDERS__FILTERED__INNER__PROVIDERS=[{type="fixed", value="I'm a banana"}, {type="fixed", value="Apple pie"},`+
			` {type="fixed", value="A plant"}, {type="fixed", value="Cherry"}, {type="fixed", value="Cherry tree"}, {type="fixed", value="BANANA"}]`,
		"MERINO_PROVIDERS__FILTERED__SCORE=0.5")
	got := in.suggest(t, "providers=filtered&q=x")
	// Unanchored search, case-sensitive as written; the top-level id and score on each.
	if got.suggestions != "["+fixedJSON("filtered", "Apple pie", "0.5")+","+fixedJSON("filtered", "Cherry tree", "0.5")+","+fixedJSON("filtered", "BANANA", "0.5")+"]" {
		t.Errorf("filtered: %s", got.body)
	}
}

func TestClientVariantSwitch(t *testing.T) {
	in := serveEnv(t,
		"MERINO_PROVIDERS__SW__TYPE=client_variant_switch", "MERINO_PROVIDERS__SW__CLIENT_VARIANT=test",
		`MERINO_PROVIDERS__SW__MATCHING_PROVIDER={type="fixed", value="matching"}`,
		`MERINO_PROVIDERS__SW__DEFAULT_PROVIDER={type="fixed", value="default"}`)
	f := func(variants, want string) {
		t.Helper()
		q := "providers=sw&q=x"
		if variants != "-" {
			q += "&client_variants=" + url.QueryEscape(variants)
		}
		if got := in.suggest(t, q).titles(t); got != want {
			t.Errorf("client_variants=%q: %s, want %s", variants, got, want)
		}
	}
	f("test", "matching")
	f("a,test,b", "matching")
	f("testing", "default") // a whole item, not a prefix
	f("tes", "default")
	f(" test", "default")
	f("", "default")
	f("-", "default")
}

func TestMultiplexerOrder(t *testing.T) {
	fake := weathertest.NewFake(t)
	in := serveEnv(t, "MERINO_ACCUWEATHER__URL_BASE="+fake.URL, "MERINO_ACCUWEATHER__API_KEY="+weathertest.APIKey,
		"MERINO_PROVIDERS__M__TYPE=multiplexer", "MERINO_PROVIDERS__M__QUERY_TIMEOUT_SEC=1",
		`MERINO_PROVIDERS__M__PROVIDERS=[{type="timeout", max_time_ms=300, inner={type="accuweather", cache="none"}}, {type="fixed", value="one"}, {type="wiki_fruit"}, {type="fixed", value="two"}]`)
	// The slow child first, an inline one last: the answer is in child order all the same.
	release := fake.Hold()
	time.AfterFunc(100*time.Millisecond, release)
	got := in.suggest(t, "providers=m&q=&city=San+Francisco&region=CA&country=US")
	if titles := got.titles(t); titles != "Weather for San Francisco|one|two" || !strings.Contains(got.suggestions, `"provider":"m"`) ||
		strings.Contains(got.suggestions, `"provider":"accuweather"`) {
		t.Errorf("order: %q %s", titles, got.body)
	}
	// A slow child under a timeout is left out; the others stand.
	hold := fake.Hold()
	defer hold()
	fake2 := in.suggest(t, "providers=m&q=&city=Boston&region=MA&country=US")
	if titles := fake2.titles(t); titles != "one|two" || fake2.took > 900*time.Millisecond {
		t.Errorf("a slow child: %q after %v", titles, fake2.took)
	}
}

// The fake AccuWeather, held, as a slow and countable inner provider.
func TestTimeout(t *testing.T) {
	fake := weathertest.NewFake(t)
	in := serveEnv(t, "MERINO_ACCUWEATHER__URL_BASE="+fake.URL, "MERINO_ACCUWEATHER__API_KEY="+weathertest.APIKey,
		"MERINO_PROVIDERS__T__TYPE=timeout", "MERINO_PROVIDERS__T__MAX_TIME_MS=400", "MERINO_PROVIDERS__T__QUERY_TIMEOUT_SEC=2",
		"MERINO_PROVIDERS__T__INNER__TYPE=accuweather", "MERINO_PROVIDERS__T__INNER__CACHE=none")
	const sf = "providers=t&q=&city=San+Francisco&region=CA&country=US"
	// max_time_ms leaves the unheld inner provider (three upstream calls, under -race on a
	// busy machine) room to answer in time below.
	release := fake.Hold()
	got := in.suggest(t, sf)
	release()
	if got.status != 200 || got.suggestions != "[]" || got.took < 400*time.Millisecond || got.took > 1800*time.Millisecond {
		t.Errorf("timed out: %d %s after %v", got.status, got.body, got.took)
	}
	if fake.TotalCalls() == 0 {
		t.Error("the inner provider was not called")
	}
	got = in.suggest(t, sf)
	if got.titles(t) != "Weather for San Francisco" || !strings.Contains(got.suggestions, `"provider":"t"`) ||
		strings.Contains(got.suggestions, "custom_details") || got.cacheControl == "private, max-age=300" {
		t.Errorf("in time: %q %s", got.cacheControl, got.body)
	}

	// query_timeout_sec cuts a tree off too.
	in = serveEnv(t, "MERINO_ACCUWEATHER__URL_BASE="+fake.URL, "MERINO_ACCUWEATHER__API_KEY="+weathertest.APIKey,
		"MERINO_PROVIDERS__T__TYPE=timeout", "MERINO_PROVIDERS__T__MAX_TIME_MS=5000", "MERINO_PROVIDERS__T__QUERY_TIMEOUT_SEC=0.1",
		"MERINO_PROVIDERS__T__INNER__TYPE=accuweather", "MERINO_PROVIDERS__T__INNER__CACHE=none")
	release = fake.Hold()
	defer release()
	if got := in.suggest(t, sf); got.status != 200 || got.suggestions != "[]" || got.took > 900*time.Millisecond {
		t.Errorf("cut by query_timeout_sec: %d %s after %v", got.status, got.body, got.took)
	}
}

func TestStealth(t *testing.T) {
	fake := weathertest.NewFake(t)
	in := serveEnv(t, "MERINO_ACCUWEATHER__URL_BASE="+fake.URL, "MERINO_ACCUWEATHER__API_KEY="+weathertest.APIKey,
		"MERINO_PROVIDERS__S__TYPE=stealth", "MERINO_PROVIDERS__S__INNER__TYPE=accuweather", "MERINO_PROVIDERS__S__INNER__CACHE=none")
	release := fake.Hold()
	got := in.suggest(t, "providers=s&q=&city=San+Francisco&region=CA&country=US")
	if got.status != 200 || got.suggestions != "[]" || got.took > 2*time.Second {
		t.Errorf("stealth: %d %s after %v", got.status, got.body, got.took)
	}
	// The inner provider ran on the real request (and keeps running after the answer).
	deadline := time.Now().Add(5 * time.Second)
	for fake.Calls(weathertest.Locations) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	release()
	for fake.Calls(weathertest.Forecasts) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if fake.Calls(weathertest.Locations) != 1 || fake.Calls(weathertest.Forecasts) != 1 {
		t.Errorf("the inner provider's calls: %v", fake.CallCounts())
	}
}
