package main

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/deploy/grafana"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

// The Grafana dashboard (deploy/grafana/merino.json) reads only metrics a server exports:
// one configured with every provider type, a tree of combinators and a cache, the
// manifest and New Tab's stories answers a request of each kind, then every metric name
// the dashboard's queries select must be on its /metrics, and every label they filter or
// group on must be on one of those metrics' series (job and instance come from the
// scraper).
func TestDashboardMetricsAreExported(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	bin := sharedBinary(t)
	index := filepath.Join(t.TempDir(), "wikipedia")
	build := exec.Command(bin, "index", "wikipedia", "--input", "data/wikipedia-en.sample.json.gz", "--out", filepath.Join(index, "enwiki"), "--lang", "en")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cannot index the Wikipedia sample: %v\n%s", err, out)
	}
	fake := weathertest.NewFake(t)
	p := startProc(t, bin, 0,
		"MERINO_HTTP__ADMIN_LISTEN=127.0.0.1:0", "MERINO_LOGGING__LOG_SUGGEST_REQUEST=false",
		"MERINO_LOCATION__MAXMIND_DATABASE=data/GeoLite2-City-Test.mmdb",
		"MERINO_MANIFEST__SOURCE=data/manifest.json",
		"MERINO_RUNTIME__DISABLED_PROVIDERS=[]",
		"MERINO_PROVIDERS__TOP_PICKS__TYPE=top_picks", "MERINO_PROVIDERS__TOP_PICKS__TOP_PICKS_FILE_PATH=data/top_picks.json",
		"MERINO_PROVIDERS__ADM__TYPE=adm", "MERINO_PROVIDERS__ADM__BACKEND=file", "MERINO_PROVIDERS__ADM__FILE_PATH=data/amp.json",
		"MERINO_PROVIDERS__WIKIPEDIA__TYPE=wikipedia", "MERINO_PROVIDERS__WIKIPEDIA__INDEX_DIR="+index, `MERINO_PROVIDERS__WIKIPEDIA__LANGUAGES=["en"]`,
		"MERINO_PROVIDERS__AMO__TYPE=amo",
		"MERINO_PROVIDERS__GEOLOCATION__TYPE=geolocation",
		"MERINO_PROVIDERS__ACCUWEATHER__TYPE=accuweather", "MERINO_PROVIDERS__ACCUWEATHER__CACHE=memory",
		"MERINO_ACCUWEATHER__URL_BASE="+fake.URL, "MERINO_ACCUWEATHER__API_KEY="+weathertest.APIKey,
		// A tree: a cache over a filter over a timeout over top picks.
		"MERINO_PROVIDERS__TREE__TYPE=memory_cache",
		"MERINO_PROVIDERS__TREE__INNER__TYPE=keyword_filter", `MERINO_PROVIDERS__TREE__INNER__SUGGESTION_BLOCKLIST={no_g = "^G"}`,
		"MERINO_PROVIDERS__TREE__INNER__INNER__TYPE=timeout", "MERINO_PROVIDERS__TREE__INNER__INNER__MAX_TIME_MS=100",
		"MERINO_PROVIDERS__TREE__INNER__INNER__INNER__TYPE=top_picks",
		"MERINO_PROVIDERS__TREE__INNER__INNER__INNER__TOP_PICKS_FILE_PATH=data/top_picks.json",
		"MERINO_CURATED_RECOMMENDATIONS__CORPUS_API__BACKEND=file", "MERINO_CURATED_RECOMMENDATIONS__CORPUS_API__FILE_DIR=data/curated",
		"MERINO_CURATED_RECOMMENDATIONS__GCS__ENGAGEMENT__SOURCE=data/curated/engagement.json",
		"MERINO_CURATED_RECOMMENDATIONS__GCS__PRIOR__SOURCE=data/curated/prior.json",
	)
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path, body string, want int) {
		t.Helper()
		req, _ := http.NewRequest(method, p.base+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %.300s", method, path, resp.StatusCode, want, b)
		}
	}
	for _, q := range []string{"goog", "amaz", "wiki", "firefox", "foo@example.com", "ab"} {
		do("GET", "/api/v1/suggest?"+url.Values{"q": {q}, "providers": {"top_picks,adm,wikipedia,amo,tree"}}.Encode(), "", 200)
	}
	do("GET", "/api/v1/suggest?q=&providers=accuweather&country=US&region=CA&city=San+Francisco", "", 200)
	do("GET", "/api/v1/suggest?q=&providers=geolocation", "", 200)
	do("GET", "/api/v1/weather/hourly-forecasts?country=US&region=CA&city=San+Francisco", "", 200)
	do("POST", "/api/v1/curated-recommendations", `{"locale":"en-US"}`, 200)
	do("POST", "/api/v1/curated-recommendations", `{"locale":"en-US","count":"x"}`, 400)
	do("GET", "/api/v1/curated-recommendations/legacy-115-129?locale=en-US", "", 200)
	do("GET", "/api/v1/manifest", "", 200)
	do("GET", "/nowhere", "", 404)
	do("GET", "/__heartbeat__", "", 200)

	resp, err := client.Get(p.admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	exported := seriesLabels(string(text))

	data, err := os.ReadFile("../../deploy/grafana/merino.json")
	if err != nil {
		t.Fatal(err)
	}
	queries, err := grafana.Queries(data)
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	for _, q := range queries {
		u, err := grafana.Parse(q.Expr)
		if err != nil {
			t.Errorf("%s: %v", q.Panel, err)
			continue
		}
		var labels []string
		for _, m := range u.Metrics {
			ls, ok := exported[m]
			if !ok {
				t.Errorf("%s: %s is not on /metrics", q.Panel, m)
			}
			labels = append(labels, ls...)
			checked[m] = true
		}
		for _, l := range u.Labels {
			if l != "job" && l != "instance" && !slices.Contains(labels, l) {
				t.Errorf("%s: no series of %v has the label %s", q.Panel, u.Metrics, l)
			}
		}
	}
	if len(checked) < 40 {
		t.Errorf("the dashboard reads %d metrics", len(checked))
	}
}

// seriesLabels reads Prometheus text exposition into the label names each metric's series
// carry.
func seriesLabels(text string) map[string][]string {
	out := map[string][]string{}
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, _ := strings.Cut(line, "{")
		if i := strings.IndexByte(name, ' '); i >= 0 {
			name, rest = name[:i], ""
		}
		ls := out[name]
		for _, pair := range strings.Split(rest, `",`) {
			if k, _, ok := strings.Cut(pair, `="`); ok && !slices.Contains(ls, k) {
				ls = append(ls, k)
			}
		}
		out[name] = ls
	}
	return out
}
