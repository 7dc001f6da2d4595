package navsuggestions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/gcs/gcstest"
	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/bigquery/bigquerytest"
	"github.com/mozilla-services/merino-go/jobs/jobstest"
	"github.com/mozilla-services/merino-go/jobs/navsuggestions/webtest"
	"github.com/mozilla-services/merino-go/manifest"
	"github.com/mozilla-services/merino-go/suggest/toppicks"
)

const (
	bucket = "merino-images"
	cdn    = "merino-images.services.mozilla.test"
)

var now = time.Date(2024, 5, 6, 7, 8, 9, 0, time.Local)

// sharedImage returns a real favicon of ../shared/data (a 160×160 tippy-top PNG), or a
// generated one of that size when the shared data is absent.
func sharedImage(name string) []byte {
	for _, dir := range []string{"../../../shared/data", "/work/shared/data"} {
		if data, err := os.ReadFile(filepath.Join(dir, "top-sites/tippy-top-sites-npm/images", name)); err == nil {
			return data
		}
	}
	return webtest.PNG(160, 160)
}

type harness struct {
	t    *testing.T
	web  *webtest.Server
	gcs  *gcstest.Server
	d    *jobs.Defaults
	xcom string
}

func newHarness(t *testing.T) *harness {
	web := webtest.New(t)
	t.Setenv("SSL_CERT_FILE", web.CAFile)
	d := jobstest.Defaults(t, "http://127.0.0.1:1/v1")
	d.NavSuggestions.DestinationGCSBucket = bucket
	d.NavSuggestions.DestinationCDNHostname = cdn
	d.NavSuggestions.SourceGCPProject = "mozdata"
	return &harness{t: t, web: web, gcs: gcstest.New(t, bucket), d: d, xcom: filepath.Join(t.TempDir(), "xcom", "return.json")}
}

func (h *harness) run(args ...string) jobstest.Result {
	h.t.Helper()
	base := []string{"navigational-suggestions", "prepare-domain-metadata", "--connect-to", h.web.Addr,
		"--gcs-endpoint", h.gcs.URL, "--custom-domains", "none", "--timeout", "1500ms", "--xcom-path", h.xcom}
	return jobstest.Run(h.t, Job, h.d, now, append(base, args...)...)
}

func (h *harness) file(name, content string) string {
	p := filepath.Join(h.t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
	return p
}

func htmlDoc(title, head string) []byte {
	return []byte("<!DOCTYPE html><html><head><meta charset=utf-8><title>" + title + "</title>" + head + "</head><body><h1>" + title + "</h1></body></html>")
}

func homePage(title, head string) webtest.Response {
	return webtest.Response{ContentType: "text/html; charset=utf-8", Body: htmlDoc(title, head)}
}

func img(ct string, data []byte) webtest.Response {
	return webtest.Response{ContentType: ct, Body: data}
}

// doc is the manifest as the tests read it.
type doc struct {
	Domains []struct {
		Rank           int64    `json:"rank"`
		Domain         string   `json:"domain"`
		Categories     []string `json:"categories"`
		SerpCategories []int64  `json:"serp_categories"`
		URL            string   `json:"url"`
		Title          string   `json:"title"`
		Icon           string   `json:"icon"`
		Source         string   `json:"source"`
	} `json:"domains"`
	Partners []struct {
		Domain          string `json:"domain"`
		URL             string `json:"url"`
		OriginalIconURL string `json:"original_icon_url"`
		GCSIconURL      string `json:"gcs_icon_url"`
	} `json:"partners"`
}

func TestPrepareDomainMetadata(t *testing.T) {
	h := newHarness(t)
	apple := sharedImage("amazon-com.png")
	h.web.Site("example.com", map[string]webtest.Response{
		"/": homePage("Example Domain", `<link rel="icon" href="/favicon-16.png" sizes="16x16">
			<link rel="mask-icon" href="/mask.svg" color="#000"><link rel="icon" href="/safari.svg" color="#111">
			<link rel="apple-touch-icon" href="apple-touch.png"><link rel="manifest" href="/site.webmanifest">`),
		"/favicon-16.png":   img("image/png", webtest.PNG(16, 16)),
		"/apple-touch.png":  img("image/png", apple),
		"/site.webmanifest": {ContentType: "application/manifest+json", Body: []byte(`{"icons":[{"src":"/icon-512.png","sizes":"512x512"}]}`)},
		"/icon-512.png":     img("image/png", webtest.PNG(512, 512)),
	})
	h.web.Site("svgsite.com", map[string]webtest.Response{
		"/":         homePage("SVG Site", `<link rel="icon" href="/icon.png" sizes="256x256"><link rel="icon" href="/icon.svg">`),
		"/icon.svg": img("image/svg+xml", webtest.SVG),
		"/icon.png": img("image/png", webtest.PNG(256, 256)),
	})
	h.web.Site("redirect.com", map[string]webtest.Response{"/": {Status: http.StatusMovedPermanently, Location: "https://www.redirect.com/home"}})
	h.web.Site("www.redirect.com", map[string]webtest.Response{
		"/home": homePage("Redirected  Home", `<link rel="shortcut icon" href="https://static.redirect.com/a/../fav.ico">`),
	})
	h.web.Site("static.redirect.com", map[string]webtest.Response{"/fav.ico": img("image/x-icon", webtest.ICO(16, 64))})
	h.web.Site("moved.com", map[string]webtest.Response{"/": {Location: "https://elsewhere.org/"}})
	h.web.Site("elsewhere.org", map[string]webtest.Response{"/": homePage("Elsewhere", "")})
	h.web.Site("loop.com", map[string]webtest.Response{"/": {Location: "/a"}, "/a": {Location: "/"}})
	h.web.Site("hang.com", map[string]webtest.Response{"/": {Hang: true}})
	h.web.Site("small.com", map[string]webtest.Response{
		"/": homePage("Small", `<link rel="icon" href="/32.png">`), "/32.png": img("image/png", webtest.PNG(32, 32)),
	})
	h.web.Site("broken.com", map[string]webtest.Response{
		"/":         homePage("Broken", `<link rel="icon" href="/bad.png"><link rel="icon" href="/html.png">`),
		"/bad.png":  img("image/png", []byte("\x89PNG\r\n\x1a\nnot really")),
		"/html.png": img("image/png", []byte("<html>oops</html>")),
	})
	hugePNG := webtest.PNG(512, 512)
	h.web.Site("huge.com", map[string]webtest.Response{
		"/":                 homePage("Huge", `<link rel="icon" href="/huge.png"><link rel="icon" href="/huge-chunked.png"><link rel="icon" href="/ok.png">`),
		"/huge.png":         {ContentType: "image/png", Body: hugePNG, Size: 100 << 20},
		"/huge-chunked.png": {ContentType: "image/png", Body: hugePNG, Size: 100 << 20, Chunked: true},
		"/ok.png":           img("image/png", webtest.PNG(64, 64)),
	})
	h.web.Site("bot.com", map[string]webtest.Response{"/": {Status: http.StatusForbidden, ContentType: "text/html", Body: htmlDoc("Just a moment...", "")}})
	h.web.Site("notfound.com", map[string]webtest.Response{
		"/":            {Status: http.StatusNotFound, ContentType: "text/html", Body: htmlDoc("404 Not Found", "")},
		"/favicon.ico": img("image/x-icon", webtest.ICO(48, 256)),
	})
	h.web.Site("manifestonly.com", map[string]webtest.Response{
		"/":                     homePage("Manifest Only", `<link rel="manifest" href="/static/manifest.json">`),
		"/static/manifest.json": {ContentType: "application/json", Body: []byte(`{"icons":[{"src":"data:image/png;base64,AAAA"},{"src":"icons/192.png"}]}`)},
		"/static/icons/192.png": img("image/png", webtest.PNG(192, 192)),
		"/apple-touch-icon.png": {Status: http.StatusNotFound},
	})
	h.web.Site("a.espncdn.com", map[string]webtest.Response{"/favicon.ico": img("image/x-icon", webtest.ICO(64))})
	h.web.Site("prod-images.merino.prod.webservices.mozgcp.net", map[string]webtest.Response{
		"/favicons/4c8bf96d667fa2e9f072bdd8e9f25c8ba6ba2ad55df1af7d9ea0dd575c12abee_1313.png": img("image/png", sharedImage("wikipedia-org.png")),
	})
	h.web.Site("customok.org", map[string]webtest.Response{
		"/": homePage("Custom OK", `<link rel="icon" href="/i.png">`), "/i.png": img("image/png", webtest.PNG(96, 96)),
	})
	h.web.Site("customnoicon.org", map[string]webtest.Response{"/": homePage("No Icon", "")})

	domains := h.file("domains.json", `[
		{"rank":"1","domain":"example.com","host":"example.com","origin":"https://example.com","suffix":"com","categories":["Technology"]},
		{"rank":"2","domain":"svgsite.com","suffix":"com","categories":["News"]},
		{"rank":"3","domain":"redirect.com","categories":[]},
		{"rank":"4","domain":"moved.com"}, {"rank":"5","domain":"loop.com"}, {"rank":"6","domain":"hang.com"},
		{"rank":"7","domain":"small.com"}, {"rank":"8","domain":"broken.com"}, {"rank":"9","domain":"huge.com"},
		{"rank":"10","domain":"bot.com"}, {"rank":"11","domain":"notfound.com"}, {"rank":"12","domain":"manifestonly.com"},
		{"rank":"13","domain":"rt.com"}, {"rank":"14","domain":"espn.com"}, {"rank":"15","domain":"unreachable.com"}]`)
	custom := h.file("custom.txt", "customok.org\ncustomnoicon.org\nexample.com\n")

	start := time.Now()
	r := h.run("--domains-file", domains, "--custom-domains", custom, "--write-xcom")
	if r.Code != 0 {
		t.Fatalf("exit %d:\n%s", r.Code, r.Stderr)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("the run took %s: a hanging site held it up", time.Since(start))
	}
	stamp := now.Format("20060102150405")
	if want := fmt.Sprintf("17 domains: 8 with a favicon (1 custom), 10 in the manifest, 9 errors; gs://merino-images/top_picks_latest.json (%s_top_picks.json)", stamp); !strings.HasPrefix(r.Stdout, want) {
		t.Errorf("summary %q\nwant %q", r.Stdout, want)
	}

	// The manifest: merino-py's shape, written as json.dumps(indent=4).
	latest := h.gcs.Object(bucket, "top_picks_latest.json")
	if latest == nil || latest.ContentType != "application/json" || !latest.Public {
		t.Fatalf("top_picks_latest.json: %+v", latest)
	}
	if dated := h.gcs.Bytes(bucket, stamp+"_top_picks.json"); !bytes.Equal(dated, latest.Data) {
		t.Error("the dated manifest differs from the latest")
	}
	if !bytes.HasPrefix(latest.Data, []byte("{\n    \"domains\": [\n        {\n            \"rank\": 1,\n            \"domain\": \"example\",\n            \"categories\": [\n                \"Technology\"\n            ],\n")) {
		t.Errorf("layout:\n%.300s", latest.Data)
	}
	var m doc
	if err := json.Unmarshal(latest.Data, &m); err != nil {
		t.Fatal(err)
	}
	byDomain := map[string]int{}
	var listed []string
	for i, d := range m.Domains {
		byDomain[d.Domain] = i
		listed = append(listed, d.Domain)
	}
	if got := strings.Join(listed, " "); got != "example svgsite redirect small broken huge notfound manifestonly espn customok" {
		t.Errorf("listed %s", got)
	}
	want := map[string]struct{ url, title, iconExt, source string }{
		"example":      {"https://example.com", "Example Domain", ".png", "top-picks"},
		"svgsite":      {"https://svgsite.com", "SVG Site", ".svg", "top-picks"},
		"redirect":     {"https://www.redirect.com", "Redirected Home", ".ico", "top-picks"},
		"small":        {"https://small.com", "Small", "", "top-picks"},
		"broken":       {"https://broken.com", "Broken", "", "top-picks"},
		"huge":         {"https://huge.com", "Huge", ".png", "top-picks"},
		"notfound":     {"https://notfound.com", "Notfound", ".ico", "top-picks"},
		"manifestonly": {"https://manifestonly.com", "Manifest Only", ".png", "top-picks"},
		"espn":         {"https://espn.com", "Espn", ".ico", "top-picks"},
		"customok":     {"https://customok.org", "Custom OK", ".png", "custom-domains"},
	}
	for name, w := range want {
		i, ok := byDomain[name]
		if !ok {
			t.Errorf("%s is not in the manifest", name)
			continue
		}
		d := m.Domains[i]
		if d.URL != w.url || d.Title != w.title || d.Source != w.source || (w.iconExt == "") != (d.Icon == "") ||
			(d.Icon != "" && (!strings.HasPrefix(d.Icon, "https://"+cdn+"/favicons/") || !strings.HasSuffix(d.Icon, w.iconExt))) {
			t.Errorf("%s: %+v, want %+v", name, d, w)
		}
		if len(d.SerpCategories) != 1 || d.SerpCategories[0] != 0 {
			t.Errorf("%s: serp_categories %v", name, d.SerpCategories)
		}
	}
	for _, absent := range []string{"moved", "loop", "hang", "bot", "rt", "unreachable", "customnoicon"} {
		if _, ok := byDomain[absent]; ok {
			t.Errorf("%s is in the manifest", absent)
		}
	}
	if e := m.Domains[byDomain["example"]]; e.Icon != "https://"+cdn+"/"+faviconName(apple, "image/png") {
		t.Errorf("example's icon %s: want the apple-touch icon (a <link>, 160 wide) over the manifest's 512", e.Icon)
	}
	if len(m.Partners) != 1 || m.Partners[0].Domain != "wikipedia" || !strings.HasPrefix(m.Partners[0].GCSIconURL, "https://"+cdn+"/favicons/") {
		t.Errorf("partners %+v", m.Partners)
	}

	// The errors file names every domain without an icon and why.
	var errs struct {
		Errors []struct{ Domain, ErrorReason string } `json:"errors"`
	}
	errData := h.gcs.Bytes(bucket, "errors_latest.json")
	json.Unmarshal(bytes.ReplaceAll(errData, []byte("error_reason"), []byte("ErrorReason")), &errs)
	reasons := map[string]string{}
	for _, e := range errs.Errors {
		reasons[e.Domain] = e.ErrorReason
	}
	wantReasons := map[string]string{
		"moved.com":        "domain_mismatch_after_redirect: expected moved.com, got https://elsewhere.org/",
		"loop.com":         "connection_failed: timeout or network error",
		"hang.com":         "connection_failed: timeout or network error",
		"small.com":        "below_minimum_width",
		"broken.com":       "all_favicons_invalid_format: PIL cannot decode images",
		"bot.com":          "blocked_by_bot_protection: HTTP 403",
		"rt.com":           "domain_in_blocklist",
		"unreachable.com":  "connection_failed: timeout or network error",
		"customnoicon.org": "no_favicons_found",
	}
	for d, w := range wantReasons {
		if reasons[d] != w {
			t.Errorf("%s: reason %q, want %q", d, reasons[d], w)
		}
	}
	if len(reasons) != len(wantReasons) {
		t.Errorf("reasons %v", reasons)
	}
	if h.gcs.Object(bucket, stamp+"_errors.json") == nil {
		t.Error("no dated errors file")
	}

	// Favicons: content-addressed, their content type, cache-control, public.
	var favicons []string
	for _, o := range h.gcs.Objects(bucket) {
		if !strings.HasPrefix(o.Name, "favicons/") {
			continue
		}
		favicons = append(favicons, o.Name)
		if o.Name != faviconName(o.Data, o.ContentType) || o.CacheControl != "public, max-age=43200" || !o.Public {
			t.Errorf("favicon %s: %s %q public=%v", o.Name, o.ContentType, o.CacheControl, o.Public)
		}
	}
	if len(favicons) != 9 { // 8 domains' and the partner's
		t.Errorf("%d favicons: %v", len(favicons), favicons)
	}

	// What was fetched: never the blocklisted or the custom-favicon site; the huge favicons
	// asked for but not read; merino-py's browser headers.
	for _, req := range h.web.Requests() {
		if req.Host == "rt.com" || req.Host == "espn.com" {
			t.Errorf("fetched %s%s", req.Host, req.Path)
		}
		if !strings.Contains(req.UserAgent, "Firefox/114.0") || !req.TLS {
			t.Errorf("request %+v", req)
		}
	}

	// The 100 MB favicons were never read whole: refused on their length, or cut after the
	// 2 MB limit (the rest only fills socket buffers).
	if n := h.web.Sent("huge.com", "/huge.png") + h.web.Sent("huge.com", "/huge-chunked.png"); n > 20<<20 {
		t.Errorf("%d bytes of the huge favicons were sent", n)
	}

	// The XCom: the dated manifest's storage.googleapis.com URL and the diff.
	xcom, err := os.ReadFile(h.xcom)
	if err != nil {
		t.Fatal(err)
	}
	wantX := fmt.Sprintf(`{"top_pick_url": "https://storage.googleapis.com/merino-images/%s_top_picks.json", "diff": {"title": "Top Picks Diff File for: %s_top_picks.json", "total_domains_unchanged": 0, "newly_added_domains": 10, "newly_added_urls": 10, "new_urls_summary": [`, stamp, stamp)
	if !strings.HasPrefix(string(xcom), wantX) {
		t.Errorf("xcom %s\nwant %s", xcom, wantX)
	}

	// What merino-go serves from it: the top picks loader and the manifest endpoint accept it.
	entries, err := toppicks.Parse(latest.Data, slog.New(slog.DiscardHandler))
	if err != nil || len(entries) != 9 { // not customok: a custom-domains entry
		t.Errorf("toppicks.Parse: %d entries, %v", len(entries), err)
	}
	snap, err := manifest.Parse(latest.Data)
	if err != nil || snap.Domains != 10 || snap.Partners != 1 {
		t.Errorf("manifest.Parse: %+v %v", snap, err)
	}

	// A second run a minute later: favicons already there are not written again, the diff
	// compares with the first run's dated manifest.
	h.gcs.Log()
	later := now.Add(time.Minute)
	r = jobstest.Run(t, Job, h.d, later, "navigational-suggestions", "prepare-domain-metadata", "--connect-to", h.web.Addr,
		"--gcs-endpoint", h.gcs.URL, "--timeout", "1500ms", "--xcom-path", h.xcom, "--write-xcom",
		"--domains-file", h.file("d2.json", `[{"rank":1,"domain":"example.com"},{"rank":2,"domain":"svgsite.com"}]`), "--custom-domains", "none")
	if r.Code != 0 {
		t.Fatalf("second run: %d %s", r.Code, r.Stderr)
	}
	var written []string
	for _, req := range h.gcs.Log() {
		if req.Op == gcstest.OpUpload && req.Status == http.StatusOK {
			written = append(written, req.Object)
		}
	}
	sort.Strings(written)
	stamp2 := later.Format("20060102150405")
	if got, w := strings.Join(written, " "), stamp2+"_errors.json "+stamp2+"_top_picks.json errors_latest.json top_picks_latest.json"; got != w {
		t.Errorf("second run wrote %s\nwant %s", got, w)
	}
	xcom, _ = os.ReadFile(h.xcom)
	if !strings.Contains(string(xcom), `"total_domains_unchanged": 2, "newly_added_domains": 0, "newly_added_urls": 0, "new_urls_summary": []`) {
		t.Errorf("second xcom %s", xcom)
	}
}

func TestBadInput(t *testing.T) {
	h := newHarness(t)
	h.web.Site("example.com", map[string]webtest.Response{"/": homePage("Example", `<link rel="icon" href="/i.png">`), "/i.png": img("image/png", webtest.PNG(64, 64))})

	// A domain list with a garbage line: one line naming it, nothing requested.
	r := h.run("--domains-file", h.file("d.txt", "example.com\n<script>alert(1)</script>\n"))
	if r.Code != 1 || !strings.Contains(r.LastLine(), "d.txt line 2: domain: \"<script>alert(1)</script>\" is not a host name") {
		t.Errorf("garbage: %d %s", r.Code, r.LastLine())
	}
	if n := len(h.web.Requests()) + len(h.gcs.Log()); n != 0 {
		t.Errorf("%d requests before the list was checked", n)
	}

	// A bucket that refuses writes: exit 1 with Cloud Storage's message.
	h.gcs.DenyWrites()
	r = h.run("--domains-file", h.file("ok.txt", "example.com\n"))
	if r.Code != 1 || !strings.Contains(r.LastLine(), "cannot upload gs://merino-images/top_picks_latest.json: POST gs://merino-images/top_picks_latest.json: HTTP 403: merino-jobs@example.iam.gserviceaccount.com does not have storage.objects.create access") {
		t.Errorf("denied: %d %s", r.Code, r.LastLine())
	}
	if !strings.Contains(r.Stderr, "Failed to upload favicon of example.com") {
		t.Error("the favicon upload failure is not logged")
	}
	h.gcs.ClearFaults()

	// A bucket with uniform bucket-level access refuses ACLs: a warning, not a failure.
	h.gcs.SetUniformAccess(bucket)
	r = h.run("--domains-file", h.file("ok.txt", "example.com\n"))
	if r.Code != 0 || strings.Count(r.Stderr, "Cannot make objects public (uniform bucket-level access?)") != 1 {
		t.Errorf("uniform access: %d %s", r.Code, r.Stderr)
	}

	// Google's endpoint without usable credentials: exit 1 before any site is fetched.
	t.Setenv("HOME", t.TempDir())
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	t.Setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "")
	t.Setenv("STORAGE_EMULATOR_HOST", "")
	t.Setenv("GCE_METADATA_HOST", "127.0.0.1:1") // nothing listens: never the real link-local address
	h.web.Requests()
	r = jobstest.Run(t, Job, h.d, now, "navigational-suggestions", "prepare-domain-metadata", "--connect-to", h.web.Addr,
		"--gcs-endpoint", "", "--domains-file", h.file("ok2.txt", "example.com\n"))
	if r.Code != 1 || !strings.Contains(r.LastLine(), "cannot get a Google access token") || len(h.web.Requests()) != 0 {
		t.Errorf("no credentials: %d %s", r.Code, r.LastLine())
	}

	// Usage errors, before any request.
	u := func(want string, args ...string) {
		t.Helper()
		r := h.run(args...)
		if r.Code != 2 || !strings.Contains(r.LastLine(), want) {
			t.Errorf("%v: %d %s", args, r.Code, r.LastLine())
		}
	}
	u("--connect-to: want HOST:PORT", "--connect-to", "nowhere", "--domains-file", "x")
	u("--concurrency must be between 1 and 1000", "--concurrency", "0")
	d := *h.d
	d.NavSuggestions.DestinationGCSBucket = ""
	if r := jobstest.Run(t, Job, &d, now, "navigational-suggestions", "prepare-domain-metadata", "--domains-file", "x"); r.Code != 2 || !strings.Contains(r.LastLine(), "--dst-gcs-bucket must be given") {
		t.Errorf("no bucket: %d %s", r.Code, r.LastLine())
	}
	d = *h.d
	d.NavSuggestions.SourceGCPProject = ""
	if r := jobstest.Run(t, Job, &d, now, "navigational-suggestions", "prepare-domain-metadata"); r.Code != 2 || !strings.Contains(r.LastLine(), "--src-gcp-project must be given") {
		t.Errorf("no project: %d %s", r.Code, r.LastLine())
	}
}

func TestBigQueryAndLocalMode(t *testing.T) {
	h := newHarness(t)
	h.web.Site("example.com", map[string]webtest.Response{"/": homePage("Example", `<link rel="icon" href="/i.png">`), "/i.png": img("image/png", webtest.PNG(64, 64))})
	h.web.Site("news.example.org", map[string]webtest.Response{"/": homePage("News", `<link rel="icon" href="/i.png">`), "/i.png": img("image/png", webtest.PNG(50, 60))})
	bq := bigquerytest.New(t)
	bq.SetResult([]bigquerytest.Field{{Name: "rank", Type: "INTEGER"}, {Name: "domain", Type: "STRING"}, {Name: "host", Type: "STRING"},
		{Name: "origin", Type: "STRING"}, {Name: "suffix", Type: "STRING"}, {Name: "categories", Type: "STRING", Mode: "REPEATED"}},
		[][]any{{int64(1), "example.com", "example.com", "https://example.com", "com", []string{"Technology", "Search"}}})
	bq.SetPending(1)
	r := h.run("--bigquery-endpoint", bq.URL, "--custom-domains", h.file("c.txt", "example.com\nnews.example.org\n"))
	if r.Code != 0 {
		t.Fatalf("%d %s", r.Code, r.Stderr)
	}
	q := bq.Queries()
	if len(q) != 1 || q[0].Project != "mozdata" || q[0].UseLegacySQL || !strings.Contains(q[0].SQL, "domain_metadata_derived.top_domains_v1") {
		t.Errorf("queries %+v", q)
	}
	var m doc
	json.Unmarshal(h.gcs.Bytes(bucket, "top_picks_latest.json"), &m)
	if len(m.Domains) != 2 || m.Domains[0].Domain != "example" || strings.Join(m.Domains[0].Categories, ",") != "Technology,Search" ||
		m.Domains[1].Domain != "example" || m.Domains[1].Source != "custom-domains" || m.Domains[1].Rank != 2 {
		t.Errorf("manifest %+v", m.Domains)
	}

	// BigQuery refusing: exit 1 before any write.
	h.gcs.Log()
	bq.Fail(403, "Access Denied: Project mozdata")
	if r := h.run("--bigquery-endpoint", bq.URL); r.Code != 1 || !strings.Contains(r.LastLine(), "HTTP 403: Access Denied: Project mozdata") || len(h.gcs.Log()) != 0 {
		t.Errorf("BigQuery failure: %d %s", r.Code, r.LastLine())
	}

	// Local mode: merino-py's sample of custom domains, files in a directory, no bucket.
	dir := filepath.Join(t.TempDir(), "local_data")
	r = h.run("--local", "--metrics-dir", dir, "--sample-size", "1", "--custom-domains", h.file("c2.txt", "news.example.org\nexample.com\n"))
	if r.Code != 0 {
		t.Fatalf("local: %d %s", r.Code, r.Stderr)
	}
	if len(h.gcs.Log()) != 0 {
		t.Error("local mode reached the bucket")
	}
	var lm doc
	data, _ := os.ReadFile(filepath.Join(dir, "top_picks_latest.json"))
	json.Unmarshal(data, &lm)
	if len(lm.Domains) != 1 || lm.Domains[0].Source != "local-test" || lm.Domains[0].Categories[0] != "Local_Testing" || !strings.HasPrefix(lm.Domains[0].Icon, "https://"+cdn+"/favicons/") {
		t.Errorf("local manifest %s", data)
	}
	icons, _ := filepath.Glob(filepath.Join(dir, "favicons", "*.png"))
	metrics, _ := filepath.Glob(filepath.Join(dir, "metrics_"+now.Format("20060102_150405")+".json"))
	if _, err := os.Stat(filepath.Join(dir, "errors_latest.json")); err != nil || len(icons) != 1 || len(metrics) != 1 {
		t.Errorf("local files: icons %v, metrics %v, errors %v", icons, metrics, err)
	}
	var rep struct {
		TotalDomains  int `json:"total_domains"`
		FaviconsFound int `json:"favicons_found"`
	}
	data, _ = os.ReadFile(metrics[0])
	if json.Unmarshal(data, &rep) != nil || rep.TotalDomains != 1 || rep.FaviconsFound != 1 {
		t.Errorf("metrics %s", data)
	}
}
