package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/clientip"
	"github.com/mozilla-services/merino-go/flags"
	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/mozlog"
	"github.com/mozilla-services/merino-go/server"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/geolocation"
	"github.com/mozilla-services/merino-go/useragent"
)

// syncBuffer is a log sink tests read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the JSON log lines written so far, decoded, and forgets them.
func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON log line: %q: %v", line, err)
		}
		out = append(out, m)
	}
	b.buf.Reset()
	return out
}

// requestRecords keeps the web.suggest.request records.
func requestRecords(recs []map[string]any) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		if r["Type"] == "web.suggest.request" {
			out = append(out, r)
		}
	}
	return out
}

const firefoxUA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:130.0) Gecko/20100101 Firefox/130.0"

type whoOptions struct {
	trust    []string
	override string
	logQuery bool
}

func startWho(t *testing.T, wo whoOptions, providers ...suggest.Provider) (*testServer, *syncBuffer) {
	t.Helper()
	reader, err := geoip.Open("../data/GeoLite2-City-Test.mmdb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reader.Close() })
	trust, err := clientip.NewTrust(wo.trust)
	if err != nil {
		t.Fatal(err)
	}
	uas, err := useragent.NewParser(100)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	w := mozlog.NewWriter(logs, false, "merino", slog.LevelInfo)
	opts := defaultOptions(providers...)
	opts.GeoIP, opts.Trust, opts.UserAgents = reader, trust, uas
	opts.RequestLog, opts.LogQuery = w, wo.logQuery
	opts.ExcludedProviders = []string{"accuweather", "geolocation"}
	opts.Log = slog.New(mozlog.NewHandler(w))
	opts.Flags = flags.New(nil)
	if wo.override != "" {
		opts.ClientIPOverride = netip.MustParseAddr(wo.override)
	}
	return start(t, opts), logs
}

func newGeolocation(id string) *geolocation.Provider {
	return geolocation.New(geolocation.Settings{Base: suggest.Base{Name: id, QueryTimeout: 200 * time.Millisecond}, URL: "https://merino.services.mozilla.com/"})
}

// The geolocation provider's output for the test database's addresses, reached through
// X-Forwarded-For from a trusted peer (the loopback client).
func TestGeolocationProvider(t *testing.T) {
	ts, _ := startWho(t, whoOptions{trust: []string{"127.0.0.1"}}, newGeolocation("geolocation"))
	f := func(xff, want string) {
		t.Helper()
		r := ts.get(t, "/api/v1/suggest?q=&providers=geolocation", "X-Forwarded-For", xff)
		w := body(`{"title":"","url":"https://merino.services.mozilla.com/","provider":"geolocation","is_sponsored":false,"score":0.0,"custom_details":{"geolocation":` + want + `}}`)
		if r.status != 200 || r.body != w {
			t.Errorf("XFF %q:\n got %s\nwant %s", xff, r.body, w)
		}
	}
	f("216.160.83.56", `{"country":"United States","country_code":"US","region_code":"WA","region":"Washington","city":"Milton","location":{"latitude":47.2513,"longitude":-122.3149,"radius":22}}`)
	f("2.125.160.216", `{"country":"United Kingdom","country_code":"GB","region_code":"WBK","region":"West Berkshire","city":"Boxford","location":{"latitude":51.75,"longitude":-1.25,"radius":100}}`)
	// The right-most untrusted entry is the client: a spoofed left-most entry is ignored.
	f("81.2.69.160, 216.160.83.56", `{"country":"United States","country_code":"US","region_code":"WA","region":"Washington","city":"Milton","location":{"latitude":47.2513,"longitude":-122.3149,"radius":22}}`)
	// Not found, and not an IP at all: an empty object.
	f("10.0.0.1", `{}`)
	f("not-an-ip", `{}`)
	f("", `{}`) // the loopback peer itself
	// The request's own location replaces country, regions and city; names and coordinates stay.
	r := ts.get(t, "/api/v1/suggest?q=&providers=geolocation&city=Boston&region=MA,X&country=US", "X-Forwarded-For", "2.125.160.216")
	want := `{"country":"United Kingdom","country_code":"US","region_code":"MA","region":"West Berkshire","city":"Boston","location":{"latitude":51.75,"longitude":-1.25,"radius":100}}`
	if !strings.Contains(r.body, want) {
		t.Errorf("override: %s", r.body)
	}
}

// X-Forwarded-For is honoured only from trusted peers; client_ip_override wins over both.
func TestClientAddress(t *testing.T) {
	milton := `"city":"Milton"`
	untrusted, _ := startWho(t, whoOptions{trust: []string{"10.0.0.0/8"}}, newGeolocation("geolocation"))
	if r := untrusted.get(t, "/api/v1/suggest?q=&providers=geolocation", "X-Forwarded-For", "216.160.83.56"); strings.Contains(r.body, milton) {
		t.Errorf("an untrusted peer's X-Forwarded-For was used: %s", r.body)
	}
	all, _ := startWho(t, whoOptions{trust: []string{"*"}}, newGeolocation("geolocation"))
	// Trust "*": the left-most entry.
	if r := all.get(t, "/api/v1/suggest?q=&providers=geolocation", "X-Forwarded-For", "216.160.83.56, 2.125.160.216"); !strings.Contains(r.body, milton) {
		t.Errorf("trust *: %s", r.body)
	}
	override, _ := startWho(t, whoOptions{trust: []string{"*"}, override: "216.160.83.56"}, newGeolocation("geolocation"))
	if r := override.get(t, "/api/v1/suggest?q=&providers=geolocation", "X-Forwarded-For", "2.125.160.216"); !strings.Contains(r.body, milton) {
		t.Errorf("override: %s", r.body)
	}
	// Hostile chains and user agents: no panic, documented fallbacks.
	for _, xff := range []string{",,,", "1.2.3.4:80", "[::1]:80", strings.Repeat("1.1.1.1,", 500), "\xff\xfe1.2.3.4", "::ffff:216.160.83.56"} {
		if r := all.get(t, "/api/v1/suggest?q=&providers=geolocation", "X-Forwarded-For", xff); r.status != 200 {
			t.Errorf("XFF %.40q: %d", xff, r.status)
		}
	}
	for _, ua := range []string{strings.Repeat("Mozilla/5.0 ", 600), "\xfe\xff\x80binary", ""} {
		if r := all.get(t, "/api/v1/suggest?q=exam", "User-Agent", ua); r.status != 200 {
			t.Errorf("UA %.40q: %d", ua, r.status)
		}
	}
}

// The web.suggest.request record, field by field, as merino-py's logging middleware writes it.
func TestRequestLog(t *testing.T) {
	ts, logs := startWho(t, whoOptions{trust: []string{"127.0.0.1"}}, newTopPicks(t, "top_picks", true), newGeolocation("geolocation"))
	r := ts.get(t, "/api/v1/suggest?q=exam&sid=deadbeef-0000&seq=0042&client_variants=a,b&providers=top_picks,geolocation",
		"User-Agent", firefoxUA, "X-Forwarded-For", "216.160.83.56")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	recs := requestRecords(logs.records(t))
	if len(recs) != 1 {
		t.Fatalf("got %d records", len(recs))
	}
	rec := recs[0]
	for k, want := range map[string]any{
		"Type": "web.suggest.request", "Logger": "merino", "EnvVersion": "2.0", "Severity": 6.0, "severity": 200.0,
	} {
		if rec[k] != want {
			t.Errorf("%s = %#v, want %#v", k, rec[k], want)
		}
	}
	if _, ok := rec["Timestamp"].(float64); !ok {
		t.Errorf("Timestamp: %#v", rec["Timestamp"])
	}
	fields := rec["Fields"].(map[string]any)
	tm, _ := fields["time"].(string)
	if _, err := time.Parse("2006-01-02T15:04:05.999999", tm); err != nil {
		t.Errorf("time %q: %v", tm, err)
	}
	delete(fields, "time")
	want := map[string]any{
		"sensitive": true, "errno": 0.0, "path": "/api/v1/suggest", "method": "GET",
		"query": "", "code": 200.0, "rid": rid, "session_id": "deadbeef-0000", "sequence_no": 42.0,
		"client_variants": "a,b", "requested_providers": "top_picks,geolocation",
		"country": "US", "region": "WA", "city": "Milton", "dma": 819.0,
		"browser": "Firefox(130.0)", "os_family": "macos", "form_factor": "desktop",
	}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("Fields.%s = %#v, want %#v", k, fields[k], v)
		}
	}
	if len(fields) != len(want) {
		t.Errorf("Fields has %d keys, want %d: %v", len(fields), len(want), fields)
	}
	// Key order is merino-py's model order.
	line := mustLogLine(t, ts, logs, "/api/v1/suggest?q=exam")
	order := []string{`"sensitive"`, `"errno"`, `"time"`, `"path"`, `"method"`, `"query"`, `"code"`, `"rid"`, `"session_id"`,
		`"sequence_no"`, `"client_variants"`, `"requested_providers"`, `"country"`, `"region"`, `"city"`, `"dma"`,
		`"browser"`, `"os_family"`, `"form_factor"`}
	last := -1
	for _, k := range order {
		i := strings.Index(line, k)
		if i <= last {
			t.Errorf("%s out of order in %s", k, line)
		}
		last = i
	}
	// Absent values are null; the loopback peer has no location; curl-less clients are Other.
	fields = parseFields(t, line)
	for _, k := range []string{"session_id", "sequence_no", "country", "region", "city", "dma"} {
		if v, ok := fields[k]; !ok || v != nil {
			t.Errorf("%s = %#v, want null", k, v)
		}
	}
	if fields["browser"] != "Go-http-client" && fields["browser"] != "Other" {
		t.Errorf("browser %#v", fields["browser"])
	}

	// No record for soft-PII, e-mail, excluded providers, or requests that failed validation.
	for _, path := range []string{"/api/v1/suggest?q=n0p3", "/api/v1/suggest?q=a@b.c", "/api/v1/suggest?q=x&providers=geolocation",
		"/api/v1/suggest?q=x&providers=%20GeoLocation%20", "/api/v1/suggest", "/api/v1/suggest?q=x&source=bad", "/api/v1/providers"} {
		ts.get(t, path)
		if recs := requestRecords(logs.records(t)); len(recs) != 0 {
			t.Errorf("%s: %d records", path, len(recs))
		}
	}
	// A 400 after the query was read (the location rule) is logged with its code; a
	// non-decimal seq is null.
	fields = parseFields(t, mustLogLine(t, ts, logs, "/api/v1/suggest?q=x&city=Boston&seq=12a"))
	if fields["code"] != 400.0 || fields["sequence_no"] != nil {
		t.Errorf("location 400: %v", fields)
	}
	// Unicode decimal digits count, as Python's isdecimal and int.
	fields = parseFields(t, mustLogLine(t, ts, logs, "/api/v1/suggest?q=x&seq=%D9%A1%D9%A2"))
	if fields["sequence_no"] != 12.0 {
		t.Errorf("Arabic-Indic seq: %v", fields["sequence_no"])
	}
}

func TestRequestLogQuery(t *testing.T) {
	ts, logs := startWho(t, whoOptions{logQuery: true}, newTopPicks(t, "top_picks", true))
	fields := parseFields(t, mustLogLine(t, ts, logs, "/api/v1/suggest?q=Exam+ple"))
	if fields["query"] != "Exam ple" {
		t.Errorf("query %#v", fields["query"])
	}
}

func mustLogLine(t *testing.T, ts *testServer, logs *syncBuffer, path string) string {
	t.Helper()
	ts.get(t, path)
	logs.mu.Lock()
	defer logs.mu.Unlock()
	for _, line := range strings.Split(logs.buf.String(), "\n") {
		if strings.Contains(line, `"Type":"web.suggest.request"`) {
			logs.buf.Reset()
			return line
		}
	}
	t.Fatalf("%s: no web.suggest.request record in %q", path, logs.buf.String())
	return ""
}

func parseFields(t *testing.T, line string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	return m["Fields"].(map[string]any)
}

// The metrics of §4.5 appear on the admin handler after requests.
func TestMetrics(t *testing.T) {
	// A fresh provider id per run: the metrics registry is process-wide (go test -count=N).
	id := fmt.Sprintf("tp_metrics_%d", time.Now().UnixNano())
	ts, _ := startWho(t, whoOptions{}, newTopPicks(t, id, true))
	ts.get(t, "/api/v1/suggest?q=exam", "User-Agent", firefoxUA)
	ts.get(t, "/api/v1/suggest?q=a@b.c")
	ts.get(t, "/api/v1/suggest?q=ex4m")
	ts.get(t, "/nowhere")
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/metrics")
	server.AdminHandler(&ctx)
	out := string(ctx.Response.Body())
	for _, want := range []string{
		`merino_http_requests_total{path="/api/v1/suggest",method="GET",status_code="200",form_factor="desktop"}`,
		`merino_http_requests_total{method="GET",status_code="404",form_factor="other"}`,
		`merino_http_request_duration_seconds_count{path="/api/v1/suggest",method="GET"}`,
		`merino_providers_query_duration_seconds_count{provider="` + id + `"} 2`,
		`merino_suggestions_per_provider_count{provider="` + id + `"} 2`,
		`merino_suggestions_query_pii_detected_total{type="email"}`,
		`merino_suggestions_query_pii_detected_total{type="numeric"}`,
		`merino_suggestions_per_request_count`,
		`go_goroutines`, `process_resident_memory_bytes`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// 404s have no path label and no duration.
	if strings.Contains(out, `path="/nowhere"`) {
		t.Error("a 404 path became a label")
	}
	var admin fasthttp.RequestCtx
	admin.Request.SetRequestURI("/api/v1/suggest?q=x")
	server.AdminHandler(&admin)
	if admin.Response.StatusCode() != 404 {
		t.Errorf("the admin handler serves the API: %d", admin.Response.StatusCode())
	}
}
