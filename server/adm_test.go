package server_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/kinto/kintotest"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
	"github.com/mozilla-services/merino-go/useragent"
)

// fakeMARS serves MARS's data endpoint per segment from merino-py's fixtures; a test can
// replace a segment's body or make it fail.
type fakeMARS struct {
	mu     sync.Mutex
	bodies map[string]string // "US/desktop" -> body
	status int
}

func (f *fakeMARS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path != "/v1/suggest/data" {
		http.NotFound(w, r)
		return
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		return
	}
	body, ok := f.bodies[r.URL.Query().Get("country")+"/"+r.URL.Query().Get("form_factor")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("ETag", fmt.Sprintf(`"%x"`, sha256.Sum256([]byte(body))))
	_, _ = w.Write([]byte(body))
}

func (f *fakeMARS) set(seg, body string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if body != "" {
		f.bodies[seg] = body
	}
	f.status = status
}

func readFixture(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const phoneUA = "Mozilla/5.0 (Android 14; Mobile; rv:130.0) Gecko/130.0 Firefox/130.0"

// §3.1's cases over HTTP, with the real MARS loader against a fake MARS: collapse, segments
// from the request's country and the user agent's form factor, fuzzy gating and guardrails,
// and a bad payload that keeps the old index.
func TestAdmOverHTTPWithMARS(t *testing.T) {
	fake := &fakeMARS{bodies: map[string]string{
		"US/desktop": readFixture(t, "../suggest/adm/testdata/mars_response_US_desktop.json"),
		"DE/phone":   readFixture(t, "../suggest/adm/testdata/de_phone.json"),
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	p := adm.New(adm.Settings{Base: suggest.Base{Name: "adm", Score: 0.31, EnabledByDefault: true, QueryTimeout: time.Second}, Fuzzy: true, MinSubstitutionLen: 7})
	log := slog.New(slog.DiscardHandler)
	var syncers []*loaders.Syncer
	for _, seg := range []adm.Segment{{Country: "US", FormFactor: adm.Desktop}, {Country: "DE", FormFactor: adm.Phone}} {
		u, err := adm.SegmentURL(srv.URL+"/v1/suggest/", "data", seg.Country, seg.FormFactor)
		if err != nil {
			t.Fatal(err)
		}
		src, err := loaders.NewSource(u, loaders.HTTPOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sy := loaders.NewSyncer("adm_http/"+seg.String(), src, time.Hour, adm.MARSLoader(p, seg, adm.LoadOptions{ProviderID: "adm"}, log), log)
		if _, err := sy.Sync(context.Background()); err != nil {
			t.Fatalf("%s: %v", seg, err)
		}
		syncers = append(syncers, sy)
	}
	opts := defaultOptions(p)
	uas, err := useragent.NewParser(100)
	if err != nil {
		t.Fatal(err)
	}
	opts.UserAgents = uas
	ts := start(t, opts)
	f := func(path string, want ...string) {
		t.Helper()
		r := ts.get(t, path, "User-Agent", firefoxUA)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		for _, w := range want {
			if w == "" {
				if !strings.HasPrefix(r.body, `{"suggestions":[]`) {
					t.Errorf("%s: want nothing, got %s", path, r.body)
				}
				continue
			}
			if !strings.Contains(r.body, w) {
				t.Errorf("%s: %s lacks %s", path, r.body, w)
			}
		}
	}
	hit := `"provider":"adm","is_sponsored":false,"score":0.31`
	f("/api/v1/suggest?q=firefox", hit, `"full_keyword":"firefox accounts"`, `"block_id":2`, `"categories":[]`)
	f("/api/v1/suggest?q=firefox%20account", `"full_keyword":"firefox accounts"`) // collapsed run
	f("/api/v1/suggest?q=firefox%20accountz", "")                                 // no fuzzy without the variant
	f("/api/v1/suggest?q=firefox%20accountz&client_variants=amp-fuzzy-matching-treatment", `"full_keyword":"firefox accounts"`)
	f("/api/v1/suggest?q=girefox%20accounts&client_variants=amp-fuzzy-matching-treatment", "") // guardrail
	// DE phone: the request's country and a phone user agent pick the segment.
	r := ts.get(t, "/api/v1/suggest?q=firefox&city=Berlin&region=BE&country=DE", "User-Agent", phoneUA)
	if !strings.Contains(r.body, `"advertiser":"de.Example.org"`) || !strings.Contains(r.body, `"full_keyword":"firefox accounts de"`) {
		t.Errorf("DE phone: %s", r.body)
	}
	if r := ts.get(t, "/api/v1/suggest?q=firefox&city=Berlin&region=BE&country=DE", "User-Agent", firefoxUA); r.body != body() {
		t.Errorf("DE desktop has no index: %s", r.body)
	}

	// A payload missing a required field, then a 500: the old index keeps serving, the error
	// is counted.
	errs := metrics.GetOrCreateCounter(`merino_source_errors_total{source="adm_http/US/(0,)"}`)
	before := errs.Get()
	fake.set("US/desktop", `{"suggestions":[{"id":1,"advertiser":"X"}]}`, 0)
	if _, err := syncers[0].Sync(context.Background()); err == nil {
		t.Error("a payload missing required fields was accepted")
	}
	fake.set("", "", 500)
	if _, err := syncers[0].Sync(context.Background()); err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("500: %v", err)
	}
	if got := errs.Get() - before; got != 2 {
		t.Errorf("errors counted %d, want 2", got)
	}
	f("/api/v1/suggest?q=firefox", hit, `"full_keyword":"firefox accounts"`)
}

// The Remote Settings backend over HTTP: the real Kinto client against a fake Kinto; a
// corrupted attachment is rejected and the old index keeps serving.
func TestAdmOverHTTPWithRemoteSettings(t *testing.T) {
	fake := kintotest.New(t, "../suggest/adm/testdata/kinto")
	c, err := adm.NewKintoClient(adm.KintoOptions{Server: fake.URL, Bucket: kintotest.Bucket, Collection: kintotest.Collection})
	if err != nil {
		t.Fatal(err)
	}
	p := adm.New(adm.Settings{Base: suggest.Base{Name: "adm", Score: 0.31, EnabledByDefault: true, QueryTimeout: time.Second}})
	log := slog.New(slog.DiscardHandler)
	sy := loaders.NewSyncer("adm_rs_http", adm.NewRemoteSettingsSource(c), time.Hour, adm.RemoteSettingsLoader(p, adm.LoadOptions{ProviderID: "adm"}, log), log)
	if _, err := sy.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := start(t, defaultOptions(p))
	before := ts.get(t, "/api/v1/suggest?q=la&providers=adm").body
	if !strings.Contains(before, `"provider":"adm"`) {
		t.Fatalf("no answer from the Remote Settings data: %s", before)
	}
	// Corrupt the first data attachment; the sync fails on its hash and nothing changes.
	fake.Publish("data-9999", "data", []byte(`[{"id":9999,"advertiser":"Evil","iab_category":"22 - Shopping","keywords":["la"],"full_keywords":[["la",1]],"title":"Evil","url":"https://evil.test","icon":"1"}]`), nil)
	fake.ServeBytes("data-9999", []byte(`[]`))
	if _, err := sy.Sync(context.Background()); err == nil {
		t.Error("a corrupted attachment was accepted")
	}
	if after := ts.get(t, "/api/v1/suggest?q=la&providers=adm").body; after != before {
		t.Errorf("the answer changed after a rejected sync:\n%s\n%s", before, after)
	}
}
