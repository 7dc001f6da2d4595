package adm_test

import (
	"context"
	"errors"
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

	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
)

var discard = slog.New(slog.DiscardHandler)

// fakeMARS speaks MARS's suggest/data protocol: one body per segment, an ETag per body,
// If-None-Match answered with 304, and failure modes a test switches on.
type fakeMARS struct {
	mu       sync.Mutex
	bodies   map[string]string // "US/desktop" -> body
	status   int               // non-zero: answer with this status
	hang     time.Duration
	requests []string // "US/desktop if-none-match=..."
}

func newFakeMARS(t *testing.T) (*fakeMARS, string) {
	f := &fakeMARS{bodies: map[string]string{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL + "/v1/suggest/"
}

func (f *fakeMARS) set(seg, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies[seg] = body
}

func (f *fakeMARS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	seg := r.URL.Query().Get("country") + "/" + r.URL.Query().Get("form_factor")
	f.requests = append(f.requests, r.URL.Path+" "+seg+" if-none-match="+r.Header.Get("If-None-Match"))
	body, ok := f.bodies[seg]
	status, hang := f.status, f.hang
	f.mu.Unlock()
	if hang > 0 {
		select {
		case <-time.After(hang):
		case <-r.Context().Done():
		}
		return
	}
	if status != 0 {
		http.Error(w, `{"detail":"boom"}`, status)
		return
	}
	if r.URL.Path != "/v1/suggest/data" || !ok {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, len(body)*31+int(body[len(body)/2]))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(body))
}

func (f *fakeMARS) lastRequest() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1]
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newMARSProvider(id string) *adm.Provider {
	return adm.New(adm.Settings{Base: suggest.Base{Name: id, Score: 0.31, EnabledByDefault: true, QueryTimeout: 200 * time.Millisecond}, Fuzzy: true, MinSubstitutionLen: 7})
}

func query(p *adm.Provider, q, country, ff string) string {
	req := &suggest.Request{Query: q}
	req.Location.Country = country
	req.UserAgent.FormFactor = ff
	out, _ := p.Query(context.Background(), req, nil)
	var sb strings.Builder
	for _, s := range out {
		sb.Write(s.Head)
		fmt.Fprint(&sb, s.Score)
		sb.Write(s.Tail)
		if s.HasKeyword {
			fmt.Fprintf(&sb, "%q", s.Keyword)
			sb.Write(s.Rest)
		}
	}
	return sb.String()
}

func segmentSyncer(t *testing.T, name, base, country string, ff adm.FormFactor, p *adm.Provider, timeout time.Duration) *loaders.Syncer {
	t.Helper()
	u, err := adm.SegmentURL(base, adm.DefaultMARSPath, country, ff)
	if err != nil {
		t.Fatal(err)
	}
	src, err := loaders.NewSource(u, loaders.HTTPOptions{ConnectTimeout: time.Second, RequestTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	seg := adm.Segment{Country: country, FormFactor: ff}
	return loaders.NewSyncer(name, src, time.Hour, adm.MARSLoader(p, seg, adm.LoadOptions{ProviderID: p.ID()}, discard), discard)
}

const usDesktopFirefox = `{"title":"Mozilla Firefox Accounts","url":"https://example.org/target/mozfirefoxaccounts","provider":"adm","is_sponsored":false,"score":0.31,"icon":"https://mars-cdn.mozilla.com/icons/01.png","custom_details":{"amp":{"header_text":"Example.org header text","suggestion_id":"22222222-2222-2222-2222-222222222222"}},"categories":[],"is_top_pick":false,"block_id":2,"full_keyword":"firefox accounts","advertiser":"Example.org","impression_url":"https://example.org/impression/mozilla","click_url":"https://example.org/click/mozilla"}`

func TestSyncSegments(t *testing.T) {
	fake, base := newFakeMARS(t)
	fake.set("US/desktop", readFile(t, "mars_response_US_desktop.json"))
	fake.set("DE/phone", readFile(t, "de_phone.json"))
	p := newMARSProvider("adm")
	name := t.Name()
	us := segmentSyncer(t, name+"-us", base, "US", adm.Desktop, p, 2*time.Second)
	de := segmentSyncer(t, name+"-de", base, "DE", adm.Phone, p, 2*time.Second)
	errs := metrics.GetOrCreateCounter(fmt.Sprintf(`merino_source_errors_total{source=%q}`, name+"-us"))
	ctx := context.Background()

	for _, s := range []*loaders.Syncer{us, de} {
		if changed, err := s.Sync(ctx); !changed || err != nil {
			t.Fatalf("first sync of %s: %v %v", s.Name(), changed, err)
		}
	}
	if got := fake.lastRequest(); !strings.HasPrefix(got, "/v1/suggest/data DE/phone if-none-match=") {
		t.Errorf("request = %q", got)
	}
	if got := query(p, "firefox", "US", "desktop"); got != usDesktopFirefox {
		t.Errorf("US/desktop firefox:\n got %s\nwant %s", got, usDesktopFirefox)
	}
	// DE phone: tablets are phones; a desktop in DE has no segment.
	if got := query(p, "firefox", "DE", "tablet"); !strings.Contains(got, `"full_keyword":"firefox accounts de"`) {
		t.Errorf("DE/tablet: %s", got)
	}
	if got := query(p, "firefox", "DE", "desktop"); got != "" {
		t.Errorf("DE/desktop: %s", got)
	}

	// Unchanged: If-None-Match with the stored ETag, a 304, nothing rebuilt.
	if changed, err := us.Sync(ctx); changed || err != nil {
		t.Fatalf("304 sync: %v %v", changed, err)
	}
	if got := fake.lastRequest(); strings.HasSuffix(got, "if-none-match=") {
		t.Errorf("no If-None-Match sent: %q", got)
	}

	// Every failure keeps the old index and counts an error.
	before := errs.Get()
	fail := func(what string, setup func()) {
		t.Helper()
		setup()
		if _, err := us.Sync(ctx); err == nil {
			t.Errorf("%s: no error", what)
		}
		if got := query(p, "firefox", "US", "desktop"); got != usDesktopFirefox {
			t.Errorf("%s: the old index is gone: %s", what, got)
		}
	}
	fail("HTTP 500", func() { fake.status = 500 })
	fake.status = 0
	fail("empty suggestions", func() { fake.set("US/desktop", `{"suggestions":[]}`) })
	fail("no suggestions key", func() { fake.set("US/desktop", `{"data":[1]}`) })
	fail("missing required field", func() {
		fake.set("US/desktop", strings.Replace(readFile(t, "mars_response_US_desktop.json"), `"iab_category"`, `"iab"`, 1))
	})
	fail("truncated body", func() { fake.set("US/desktop", readFile(t, "mars_response_US_desktop.json")[:300]) })
	fail("non-UTF-8", func() { fake.set("US/desktop", `{"suggestions":[{"title":"`+"\xff"+`"}]}`) })
	if got := errs.Get() - before; got != 6 {
		t.Errorf("errors counted = %d, want 6", got)
	}
	if st := us.Status(); !st.Loaded || st.LastError == "" {
		t.Errorf("status = %+v", st)
	}

	// New data is picked up.
	fake.set("US/desktop", readFile(t, "top_pick_prefix.json"))
	if changed, err := us.Sync(ctx); !changed || err != nil {
		t.Fatalf("new data: %v %v", changed, err)
	}
	if got := query(p, "firefox", "US", "desktop"); !strings.Contains(got, `"is_sponsored":true`) {
		t.Errorf("after the update: %s", got)
	}
}

func TestHangingServerTimesOut(t *testing.T) {
	fake, base := newFakeMARS(t)
	fake.set("US/desktop", readFile(t, "mars_response_US_desktop.json"))
	p := newMARSProvider("adm")
	s := segmentSyncer(t, t.Name(), base, "US", adm.Desktop, p, 300*time.Millisecond)
	if _, err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	fake.hang = 10 * time.Second
	fake.mu.Unlock()
	_, err := s.Sync(context.Background())
	if err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if got := query(p, "firefox", "", ""); got != usDesktopFirefox {
		t.Errorf("old index gone after a timeout: %s", got)
	}
}

func TestSegmentURL(t *testing.T) {
	f := func(base, want string) {
		t.Helper()
		got, err := adm.SegmentURL(base, "data", "US", adm.Phone)
		if err != nil || got != want {
			t.Errorf("SegmentURL(%q) = %q, %v; want %q", base, got, err, want)
		}
	}
	f("https://ads.mozilla.org/v1/suggest/", "https://ads.mozilla.org/v1/suggest/data?country=US&form_factor=phone")
	// urljoin replaces the last segment of a base without a trailing slash.
	f("https://ads.mozilla.org/v1/suggest", "https://ads.mozilla.org/v1/data?country=US&form_factor=phone")
	for _, bad := range []string{"", "ads.mozilla.org", "ftp://x/", "http://"} {
		if _, err := adm.SegmentURL(bad, "data", "US", adm.Desktop); err == nil {
			t.Errorf("SegmentURL(%q): no error", bad)
		}
	}
}

func TestParseResponse(t *testing.T) {
	good := readFile(t, "mars_response_US_desktop.json")
	f := func(body string, wantErr string) {
		t.Helper()
		_, err := adm.ParseResponse([]byte(body), nil, discard)
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%.60q: %v", body, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("%.60q: err = %v, want %q", body, err, wantErr)
		}
	}
	f(good, "")
	f(`{"suggestions":[]}`, "no usable records")
	f(`{"suggestions":null}`, "no usable records")
	f(`{}`, `no "suggestions" key`)
	f(`[]`, "not a MARS response")
	f(good+"x", "not a MARS response")
	f(`{"suggestions":{"a":1}}`, "cannot parse")
	for _, field := range []string{"id", "advertiser", "iab_category", "keywords", "title", "url", "click_url", "impression_url", "icon", "serp_categories"} {
		f(strings.Replace(good, `"`+field+`"`, `"x_`+field+`"`, 1), fmt.Sprintf("missing field %q", field))
	}
	// Optional fields may be null or missing; required ones may not be null.
	f(strings.Replace(good, `"header_text": "Example.org header text"`, `"header_text": null`, 1), "")
	f(strings.Replace(good, `"title": "Mozilla Firefox Accounts"`, `"title": null`, 1), `missing field "title"`)
	f(strings.Replace(good, `"id": 2`, `"id": 2.5`, 1), "cannot parse")
	f(strings.Replace(good, `"id": 2`, `"id": 3000000000`, 1), "cannot parse")
	f(strings.Replace(good, `"firefox",`, `null,`, 1), "keywords[0] is null")
	f(strings.Replace(good, `3
        ]`, `3, 4]`, 1), "pair")
	f(strings.Replace(good, `"full_keywords"`, `"x_full_keywords"`, 1), "")
}

func TestParseMarksUnservable(t *testing.T) {
	good := readFile(t, "mars_response_US_desktop.json")
	f := func(body, want string) {
		t.Helper()
		items, err := adm.ParseResponse([]byte(body), nil, discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := items[0].Unservable; !strings.Contains(got, want) || (want == "") != (got == "") {
			t.Errorf("Unservable = %q, want %q", got, want)
		}
	}
	f(good, "")
	f(strings.Replace(good, `"serp_categories": []`, `"serp_categories": [11]`, 1), "not a category")
	f(strings.Replace(good, `"https://example.org/click/mozilla"`, `"not a url"`, 1), "cannot parse URL")
}

func TestFileLoaderServesEverySegment(t *testing.T) {
	p := newMARSProvider("adm")
	apply := adm.FileLoader(p, []adm.Segment{{Country: "US", FormFactor: adm.Desktop}, {Country: "US", FormFactor: adm.Phone}}, adm.LoadOptions{ProviderID: "adm"}, discard)
	if n, err := apply([]byte(readFile(t, "mars_response_US_desktop.json"))); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	if query(p, "firefox", "US", "phone") != usDesktopFirefox || query(p, "firefox", "US", "other") != usDesktopFirefox {
		t.Error("a configured segment is not served")
	}
	if _, err := apply([]byte(`{"suggestions":[]}`)); !errors.Is(err, loaders.ErrEmpty) {
		t.Errorf("err = %v", err)
	}
}
