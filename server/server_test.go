package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/index/domains"
	"github.com/mozilla-services/merino-go/server"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/toppicks"
)

// rid is a version-4 UUID sent as X-Request-ID so that bodies are deterministic.
const rid = "f81d4fae-7dec-4ad0-a765-00a0c91e6bf6"

// testServer is the real server on a loopback port.
type testServer struct {
	url string
	srv *server.Server
}

// newTopPicks loads merino-py's own fixture with merino-py's integration-test blocklist.
func newTopPicks(t testing.TB, id string, enabled bool) *toppicks.Provider {
	t.Helper()
	p := toppicks.New(toppicks.Settings{Base: suggest.Base{Name: id, Score: 0.25, EnabledByDefault: enabled, QueryTimeout: 200 * time.Millisecond},
		Index: domains.Options{QueryCharLimit: 4, FirefoxCharLimit: 2}, DomainBlocklist: []string{"baddomain"}})
	data, err := os.ReadFile("testdata/top_picks.json")
	if err != nil {
		t.Fatal(err)
	}
	apply := toppicks.Loader(p, slog.New(slog.DiscardHandler))
	if _, err := apply(data); err != nil {
		t.Fatal(err)
	}
	return p
}

func defaultOptions(providers ...suggest.Provider) server.Options {
	set, err := suggest.NewSet(providers, 200*time.Millisecond, server.NewObserver(providers))
	if err != nil {
		panic(err)
	}
	return server.Options{
		Providers:                 set,
		ClientVariantMax:          10,
		QueryCharacterMax:         500,
		ClientVariantCharacterMax: 100,
		HeaderCharacterMax:        100,
		SuggestionsTTL:            300,
		VersionFile:               "testdata/does-not-exist.json",
		ReadTimeout:               5 * time.Second,
		WriteTimeout:              5 * time.Second,
		MaxRequestHeaderBytes:     8192,
	}
}

func start(t testing.TB, opts server.Options) *testServer {
	t.Helper()
	srv := server.New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return &testServer{url: "http://" + ln.Addr().String(), srv: srv}
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends one request; headers are name, value pairs. X-Request-ID is rid unless given.
func (ts *testServer) do(t testing.TB, method, path string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, ts.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Request-ID", rid)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (ts *testServer) get(t testing.TB, path string, headers ...string) response {
	t.Helper()
	return ts.do(t, http.MethodGet, path, headers...)
}

const (
	exampleJSON   = `{"title":"Example","url":"https://example.com/","provider":"top_picks","is_sponsored":false,"score":0.25,"icon":"","categories":[0],"is_top_pick":true,"block_id":0}`
	abcJSON       = `{"title":"Abc","url":"https://abc.test/","provider":"top_picks","is_sponsored":false,"score":0.25,"icon":"","categories":[0],"is_top_pick":true,"block_id":0}`
	pineappleJSON = `{"title":"Pineapple","url":"https://pineapple.test/","provider":"top_picks","is_sponsored":false,"score":0.25,"icon":"","is_top_pick":true,"block_id":0}`
)

func body(suggestions ...string) string {
	return `{"suggestions":[` + strings.Join(suggestions, ",") + `],"request_id":"` + rid + `","client_variants":[],"server_variants":[]}`
}

// merino-py's tests/integration/api/v1/suggest/test_suggest_top_picks.py and the provider's
// unit tests, as whole bodies.
func TestTopPicks(t *testing.T) {
	ts := start(t, defaultOptions(newTopPicks(t, "top_picks", true)))
	f := func(q, want string) {
		t.Helper()
		r := ts.get(t, "/api/v1/suggest?q="+q)
		if r.status != 200 || r.body != want {
			t.Errorf("q=%s: got %d %s\nwant 200 %s", q, r.status, r.body, want)
		}
		if cc := r.header.Get("Cache-Control"); cc != "private, max-age=300" {
			t.Errorf("q=%s: Cache-Control %q", q, cc)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("q=%s: Content-Type %q", q, ct)
		}
	}
	for _, q := range []string{"exam", "exxa", "example", "Exam", "EXAM", "EXXa", "exxamp", "%20example%20", "+++example", "ExAmPlE"} {
		f(q, body(exampleJSON))
	}
	for _, q := range []string{"abc", "aa", "ab", "acb"} {
		f(q, body(abcJSON))
	}
	f("pine", body(pineappleJSON))
	f("pinnapple", body(pineappleJSON))
	// No result: too short, not indexed, too long, http prefixes, blocked domain and its similars.
	for _, q := range []string{"", "m", "mo", "mox", "moz", "mozzarella", "http", "http:", "https:", "https://", "am",
		"supercalifragilisticexpialidocious", "bad", "badd", "baddomain", "fi", "%E2%80%83"} {
		f(q, body())
	}
	// Similars are used as merino-py uses them: "mozila" is in the primary index of nothing but
	// the secondary of mozilla.
	f("mozi", body(`{"title":"Mozilla","url":"https://mozilla.org/en-US/","provider":"top_picks","is_sponsored":false,"score":0.25,"icon":"","categories":[18],"is_top_pick":true,"block_id":0}`))
}

func TestValidation(t *testing.T) {
	ts := start(t, defaultOptions(newTopPicks(t, "top_picks", true)))
	f := func(path, want string, headers ...string) {
		t.Helper()
		r := ts.get(t, path, headers...)
		if r.status != 400 || r.body != want {
			t.Errorf("%s: got %d %s\nwant 400 %s", path, r.status, r.body, want)
		}
		if r.header.Get("X-Request-Id") != rid {
			t.Errorf("%s: X-Request-ID %q", path, r.header.Get("X-Request-Id"))
		}
	}
	long := strings.Repeat("a", 501)
	f("/api/v1/suggest", `{"detail":[{"type":"missing","loc":["query","q"],"msg":"Field required","input":null}]}`)
	f("/api/v1/suggest?q="+long, `{"detail":[{"type":"string_too_long","loc":["query","q"],"msg":"String should have at most 500 characters","input":"`+long+`","ctx":{"max_length":500}}]}`)
	f("/api/v1/suggest?q=a&country=U", `{"detail":[{"type":"string_too_short","loc":["query","country"],"msg":"String should have at least 2 characters","input":"U","ctx":{"min_length":2}}]}`)
	f("/api/v1/suggest?q=a&country=", `{"detail":[{"type":"string_too_short","loc":["query","country"],"msg":"String should have at least 2 characters","input":"","ctx":{"min_length":2}}]}`)
	f("/api/v1/suggest?q=a&country=USA", `{"detail":[{"type":"string_too_long","loc":["query","country"],"msg":"String should have at most 2 characters","input":"USA","ctx":{"max_length":2}}]}`)
	f("/api/v1/suggest?q=a&source=x", `{"detail":[{"type":"literal_error","loc":["query","source"],"msg":"Input should be 'urlbar', 'newtab' or 'unknown'","input":"x","ctx":{"expected":"'urlbar', 'newtab' or 'unknown'"}}]}`)
	f("/api/v1/suggest?q=a&request_type=x", `{"detail":[{"type":"string_pattern_mismatch","loc":["query","request_type"],"msg":"String should match pattern '^(location|weather)$'","input":"x","ctx":{"pattern":"^(location|weather)$"}}]}`)
	cv := strings.Repeat("v", 101)
	f("/api/v1/suggest?q=a&client_variants="+cv, `{"detail":[{"type":"string_too_long","loc":["query","client_variants"],"msg":"String should have at most 100 characters","input":"`+cv+`","ctx":{"max_length":100}}]}`)
	al := strings.Repeat("x", 101)
	f("/api/v1/suggest?q=a", `{"detail":[{"type":"string_too_long","loc":["header","accept-language"],"msg":"String should have at most 100 characters","input":"`+al+`","ctx":{"max_length":100}}]}`, "Accept-Language", al)
	// Every error at once, in FastAPI's order: query parameters as declared, then headers.
	f("/api/v1/suggest?request_type=x&source=y&country=Q", `{"detail":[`+
		`{"type":"missing","loc":["query","q"],"msg":"Field required","input":null},`+
		`{"type":"string_too_short","loc":["query","country"],"msg":"String should have at least 2 characters","input":"Q","ctx":{"min_length":2}},`+
		`{"type":"literal_error","loc":["query","source"],"msg":"Input should be 'urlbar', 'newtab' or 'unknown'","input":"y","ctx":{"expected":"'urlbar', 'newtab' or 'unknown'"}},`+
		`{"type":"string_pattern_mismatch","loc":["query","request_type"],"msg":"String should match pattern '^(location|weather)$'","input":"x","ctx":{"pattern":"^(location|weather)$"}},`+
		`{"type":"string_too_long","loc":["header","accept-language"],"msg":"String should have at most 100 characters","input":"`+al+`","ctx":{"max_length":100}}]}`,
		"Accept-Language", al)
	// The all-or-none location rule.
	triple := `{"detail":"Invalid query parameters: ` + "`city`, `region`, and `country`" + ` are either all present or all omitted."}`
	for _, q := range []string{"&city=Boston", "&region=MA", "&country=US", "&city=Boston&region=MA", "&country=US&region=MA"} {
		f("/api/v1/suggest?q=exam"+q, triple)
	}

	// Lengths are code points: 500 two-byte characters are allowed.
	if r := ts.get(t, "/api/v1/suggest?q="+strings.Repeat("%C3%A9", 500)); r.status != 200 {
		t.Errorf("500 code points: got %d %s", r.status, r.body)
	}
	if r := ts.get(t, "/api/v1/suggest?q=exam&city=Boston&region=MA,NY&country=US&source=urlbar&request_type=weather"); r.status != 200 || r.body != body(exampleJSON) {
		t.Errorf("full location: got %d %s", r.status, r.body)
	}
}

func TestEmailShortCircuit(t *testing.T) {
	failing := &fakeProvider{id: "validating", avail: suggest.EnabledByDefault, inline: true,
		validateErr: &suggest.Error{Status: 400, Detail: "never reached"}}
	ts := start(t, defaultOptions(newTopPicks(t, "top_picks", true), failing))
	// '@' answers 200 and nothing before the location rule and provider validation run.
	r := ts.get(t, "/api/v1/suggest?q=exam@example.com&city=Boston&client_variants=a,b")
	want := `{"suggestions":[],"request_id":"` + rid + `","client_variants":["a","b"],"server_variants":[]}`
	if r.status != 200 || r.body != want || r.header.Get("Cache-Control") != "private, max-age=300" {
		t.Errorf("got %d %s %v", r.status, r.body, r.header)
	}
	if failing.queries() != 0 {
		t.Errorf("a provider was queried for an e-mail address")
	}
	// Without '@' the provider's validate() wins and fails the request.
	r = ts.get(t, "/api/v1/suggest?q=exam")
	if r.status != 400 || r.body != `{"detail":"never reached"}` {
		t.Errorf("validate: got %d %s", r.status, r.body)
	}
}

func TestClientVariantsAndRequestID(t *testing.T) {
	opts := defaultOptions(newTopPicks(t, "top_picks", true))
	opts.ClientVariantMax = 3
	ts := start(t, opts)
	f := func(cv, want string) {
		t.Helper()
		r := ts.get(t, "/api/v1/suggest?q=zz&client_variants="+cv)
		w := `{"suggestions":[],"request_id":"` + rid + `","client_variants":` + want + `,"server_variants":[]}`
		if r.body != w {
			t.Errorf("client_variants=%s: got %s want %s", cv, r.body, w)
		}
	}
	f("", `[]`)
	f("a", `["a"]`)
	f("a,b", `["a","b"]`)
	f("a,,a", `["a","","a"]`)
	f("a,b,c,d,e", `["a","b","c"]`)
	f("%22q%22,%C3%A9", `["\"q\"","é"]`)

	// A valid v4 id is used verbatim, in braces or urn form too; anything else gets a new one.
	for _, id := range []string{rid, strings.ReplaceAll(rid, "-", ""), "{" + rid + "}", "urn:uuid:" + rid, strings.ToUpper(rid)} {
		r := ts.get(t, "/api/v1/suggest?q=zz", "X-Request-ID", id)
		if got := r.header.Get("X-Request-Id"); got != id || !strings.Contains(r.body, `"request_id":"`+id+`"`) {
			t.Errorf("id %q: header %q body %s", id, got, r.body)
		}
	}
	seen := map[string]bool{}
	for _, id := range []string{"", "not-a-uuid", "f81d4fae-7dec-1ad0-a765-00a0c91e6bf6" /* v1 */, "f81d4fae-7dec-4ad0-c765-00a0c91e6bf6" /* variant */, rid + "0"} {
		r := ts.get(t, "/api/v1/suggest?q=zz", "X-Request-ID", id)
		got := r.header.Get("X-Request-Id")
		if len(got) != 32 || strings.Trim(got, "0123456789abcdef") != "" || got[12] != '4' || seen[got] {
			t.Errorf("id %q: generated %q", id, got)
		}
		seen[got] = true
		if !strings.Contains(r.body, `"request_id":"`+got+`"`) {
			t.Errorf("body id differs from header %q: %s", got, r.body)
		}
	}
}

// fakeProvider is a provider whose behaviour a test sets: delay, failure, validation error.
type fakeProvider struct {
	id          string
	avail       suggest.Availability
	inline      bool
	timeout     time.Duration
	delay       time.Duration
	err         error
	validateErr error
	gate        chan struct{} // when set, Query waits for it to close

	mu sync.Mutex
	n  int
}

func (p *fakeProvider) ID() string                         { return p.id }
func (p *fakeProvider) Availability() suggest.Availability { return p.avail }
func (p *fakeProvider) Inline() bool                       { return p.inline }
func (p *fakeProvider) Validate(*suggest.Request) error    { return p.validateErr }
func (p *fakeProvider) Timeout() time.Duration {
	if p.timeout == 0 {
		return 200 * time.Millisecond
	}
	return p.timeout
}

func (p *fakeProvider) queries() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

func (p *fakeProvider) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	p.mu.Lock()
	p.n++
	p.mu.Unlock()
	if p.gate != nil {
		select {
		case <-p.gate:
		case <-ctx.Done():
			return dst, ctx.Err()
		}
	}
	if p.delay > 0 {
		select {
		case <-time.After(p.delay):
		case <-ctx.Done():
			return dst, ctx.Err()
		}
	}
	dst = append(dst, fakeSuggestion(p.id))
	return dst, p.err
}

func fakeSuggestion(id string) suggest.Suggestion {
	return suggest.Suggestion{
		Provider: id, Score: 0.5,
		Head: []byte(`{"title":"` + id + `","url":"https://` + id + `.test/","provider":"` + id + `","is_sponsored":false,"score":`),
		Tail: []byte(`}`),
	}
}

func fakeJSON(id string) string {
	return `{"title":"` + id + `","url":"https://` + id + `.test/","provider":"` + id + `","is_sponsored":false,"score":0.5}`
}

func TestProviderResolution(t *testing.T) {
	a := &fakeProvider{id: "a", avail: suggest.EnabledByDefault, inline: true}
	b := &fakeProvider{id: "b", avail: suggest.DisabledByDefault}
	c := &fakeProvider{id: "c", avail: suggest.EnabledByDefault}
	ts := start(t, defaultOptions(a, b, c))
	f := func(providers, want string) {
		t.Helper()
		r := ts.get(t, "/api/v1/suggest?q=x"+providers)
		if r.status != 200 || r.body != want {
			t.Errorf("%q: got %d %s\nwant %s", providers, r.status, r.body, want)
		}
	}
	// Inline providers answer first; concurrent ones follow in the order they finish.
	f("", body(fakeJSON("a"), fakeJSON("c")))
	f("&providers=", body())
	f("&providers=b", body(fakeJSON("b")))
	f("&providers=b,b,nope", body(fakeJSON("b")))
	f("&providers=a,b", body(fakeJSON("a"), fakeJSON("b")))
	f("&providers=default", body(fakeJSON("a"), fakeJSON("c")))
	f("&providers=a,default", body(fakeJSON("a"), fakeJSON("c")))
	f("&providers=unknown", body())

	r := ts.get(t, "/api/v1/providers")
	want := `[{"id":"a","availability":"enabled_by_default"},{"id":"b","availability":"disabled_by_default"},{"id":"c","availability":"enabled_by_default"}]`
	if r.status != 200 || r.body != want || r.header.Get("Content-Type") != "application/json" || r.header.Get("Cache-Control") != "" {
		t.Errorf("providers: got %d %s %v", r.status, r.body, r.header)
	}
}

func TestTimeoutsAndFailures(t *testing.T) {
	fast := &fakeProvider{id: "fast", avail: suggest.EnabledByDefault, timeout: 100 * time.Millisecond}
	slow := &fakeProvider{id: "slow", avail: suggest.EnabledByDefault, timeout: 50 * time.Millisecond, delay: 5 * time.Second}
	broken := &fakeProvider{id: "broken", avail: suggest.EnabledByDefault, err: errors.New("upstream exploded")}
	brokenInline := &fakeProvider{id: "brokeninline", avail: suggest.EnabledByDefault, inline: true, err: errors.New("bad")}
	ts := start(t, defaultOptions(fast, slow, broken, brokenInline))
	// The slow provider misses the overall deadline (the largest timeout, 200 ms from broken's
	// default) and is dropped; the failing ones are dropped; the fast one stays.
	r := ts.get(t, "/api/v1/suggest?q=x")
	if r.status != 200 || r.body != body(fakeJSON("fast")) {
		t.Errorf("got %d %s", r.status, r.body)
	}
	// A request for the slow provider alone still answers, empty.
	r = ts.get(t, "/api/v1/suggest?q=x&providers=slow")
	if r.status != 200 || r.body != body() {
		t.Errorf("slow alone: got %d %s", r.status, r.body)
	}
}

func TestRoutesAndDockerflow(t *testing.T) {
	ts := start(t, defaultOptions(newTopPicks(t, "top_picks", true)))
	f := func(method, path string, status int, wantBody string, wantHeaders ...string) {
		t.Helper()
		r := ts.do(t, method, path)
		if r.status != status || r.body != wantBody {
			t.Errorf("%s %s: got %d %q, want %d %q", method, path, r.status, r.body, status, wantBody)
		}
		for i := 0; i+1 < len(wantHeaders); i += 2 {
			if got := r.header.Get(wantHeaders[i]); got != wantHeaders[i+1] {
				t.Errorf("%s %s: header %s = %q, want %q", method, path, wantHeaders[i], got, wantHeaders[i+1])
			}
		}
		if r.header.Get("X-Request-Id") != rid {
			t.Errorf("%s %s: no X-Request-ID", method, path)
		}
	}
	f("GET", "/__heartbeat__", 200, `{"status":"ok","checks":{},"details":{}}`, "Content-Type", "application/json")
	f("GET", "/__lbheartbeat__", 200, "", "Content-Type", "")
	f("GET", "/__error__", 500, `{"detail":""}`, "Content-Type", "application/json")
	f("GET", "/__version__", 500, `{"detail":"Version file does not exist"}`)
	f("GET", "/", 307, "", "Location", "/docs")
	f("GET", "/nope", 404, `{"detail":"Not Found"}`, "Content-Type", "application/json")
	f("GET", "/api/v1/nope", 404, `{"detail":"Not Found"}`)
	f("POST", "/api/v1/suggest?q=a", 405, `{"detail":"Method Not Allowed"}`, "Allow", "GET")
	f("HEAD", "/api/v1/suggest?q=a", 405, "", "Allow", "GET") // HEAD has no body on the wire
	f("DELETE", "/__heartbeat__", 405, `{"detail":"Method Not Allowed"}`, "Allow", "GET")
	f("OPTIONS", "/api/v1/providers", 405, `{"detail":"Method Not Allowed"}`) // not a preflight
	f("GET", "/metrics", 404, `{"detail":"Not Found"}`)                       // admin only
	f("GET", "/debug/pprof/", 404, `{"detail":"Not Found"}`)
	// Starlette's trailing-slash redirect keeps the query string.
	r := ts.get(t, "/api/v1/suggest/?q=exam")
	if r.status != 307 || r.header.Get("Location") != "/api/v1/suggest?q=exam" {
		t.Errorf("redirect: %d %q", r.status, r.header.Get("Location"))
	}
	r = ts.get(t, "/docs")
	if r.status != 200 || !strings.Contains(r.body, "/api/v1/suggest") || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("docs: %d %s", r.status, r.header.Get("Content-Type"))
	}
	r = ts.get(t, "/openapi.json")
	if r.status != 200 || !strings.Contains(r.body, `"openapi": "3.1.0"`) {
		t.Errorf("openapi: %d", r.status)
	}
}

// /__heartbeat__ is a Dockerflow heartbeat over the data sets, whose errors stay generic
// (their text names internal paths and URLs: the admin heartbeat shows it); /__lbheartbeat__
// stays empty.
func TestHeartbeat(t *testing.T) {
	var mu sync.Mutex
	loaded := false
	opts := defaultOptions()
	since := time.Now().Add(-1500 * time.Millisecond)
	opts.Checks = []server.Check{
		{Name: "top_picks", Status: func() server.CheckStatus {
			return server.CheckStatus{Loaded: true, LastSuccess: since}
		}},
		{Name: "adm", Status: func() server.CheckStatus {
			mu.Lock()
			defer mu.Unlock()
			if loaded {
				return server.CheckStatus{Loaded: true, LastSuccess: since, LastError: "HTTP 503"}
			}
			return server.CheckStatus{LastError: "cannot fetch: connection refused"}
		}},
	}
	ts := start(t, opts)
	r := ts.get(t, "/__heartbeat__")
	want := `{"status":"error","checks":{"adm":"error","top_picks":"ok"},"details":{` +
		`"adm":{"status":"error","level":40,"loaded":false,"age_seconds":null,"last_error":"the last refresh failed"},` +
		`"top_picks":{"status":"ok","level":20,"loaded":true,"age_seconds":1.5`
	if r.status != 500 || !strings.HasPrefix(r.body, want) {
		t.Errorf("not ready: %d %s", r.status, r.body)
	}
	mu.Lock()
	loaded = true
	mu.Unlock()
	// Loaded once: ready, even while its latest refresh fails (the last good data serves).
	r = ts.get(t, "/__heartbeat__")
	if r.status != 200 || !strings.HasPrefix(r.body, `{"status":"ok","checks":{"adm":"ok","top_picks":"ok"}`) || !strings.Contains(r.body, `"last_error":"the last refresh failed"`) {
		t.Errorf("ready: %d %s", r.status, r.body)
	}
	if r := ts.get(t, "/__lbheartbeat__"); r.status != 200 || r.body != "" || r.header.Get("Content-Type") != "" {
		t.Errorf("lbheartbeat: %d %q %v", r.status, r.body, r.header)
	}
}

func TestVersionFile(t *testing.T) {
	dir := t.TempDir()
	f := func(content string, status int, want string) {
		t.Helper()
		path := filepath.Join(dir, "version.json")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		opts := defaultOptions()
		opts.VersionFile = path
		r := start(t, opts).get(t, "/__version__")
		if r.status != status || r.body != want {
			t.Errorf("%s: got %d %s, want %d %s", content, r.status, r.body, status, want)
		}
	}
	f(`{"source":"https://github.com/mozilla-services/merino-go","version":"1.2.3","commit":"abc","build":"https://ci/1"}`, 200,
		`{"source":"https://github.com/mozilla-services/merino-go","version":"1.2.3","commit":"abc","build":"https://ci/1"}`)
	// pydantic's HttpUrl adds the root path; key order is the model's.
	f(`{"build":"b","commit":"c","version":"v","source":"https://EXAMPLE.com"}`, 200,
		`{"source":"https://example.com/","version":"v","commit":"c","build":"b"}`)
	f(`{"source":"https://example.com","version":"v","commit":"c","build":"b","extra":1}`, 500, "Internal Server Error")
	f(`{"source":"ftp://example.com","version":"v","commit":"c","build":"b"}`, 500, "Internal Server Error")
	f(`{"version":"v","commit":"c","build":"b"}`, 500, "Internal Server Error")
	f(`not json`, 500, "Internal Server Error")
}

func TestCORS(t *testing.T) {
	ts := start(t, defaultOptions(newTopPicks(t, "top_picks", true)))
	r := ts.get(t, "/api/v1/suggest?q=exam", "Origin", "https://example.org")
	if r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("Vary") != "" || r.header.Get("Access-Control-Expose-Headers") != "" {
		t.Errorf("simple: %v", r.header)
	}
	r = ts.get(t, "/nope", "Origin", "https://example.org", "Cookie", "a=b")
	if r.status != 404 || r.header.Get("Access-Control-Allow-Origin") != "https://example.org" || r.header.Get("Vary") != "Origin" {
		t.Errorf("with cookie: %d %v", r.status, r.header)
	}
	if r := ts.get(t, "/api/v1/suggest?q=exam"); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no origin: %v", r.header)
	}
	f := func(method, headers string, status int, want string) {
		t.Helper()
		r := ts.do(t, "OPTIONS", "/api/v1/suggest", "Origin", "https://example.org",
			"Access-Control-Request-Method", method, "Access-Control-Request-Headers", headers)
		if r.status != status || r.body != want {
			t.Errorf("preflight %s %q: got %d %q", method, headers, r.status, r.body)
		}
		for k, v := range map[string]string{
			"Access-Control-Allow-Origin":  "*",
			"Access-Control-Allow-Methods": "GET, OPTIONS, HEAD",
			"Access-Control-Max-Age":       "600",
			"Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Language, Content-Type",
			"Content-Type":                 "text/plain; charset=utf-8",
			"X-Request-Id":                 rid,
		} {
			if got := r.header.Get(k); got != v {
				t.Errorf("preflight %s: %s = %q, want %q", method, k, got, v)
			}
		}
	}
	f("GET", "", 200, "OK")
	f("GET", "Accept-Language, content-type", 200, "OK")
	f("POST", "", 400, "Disallowed CORS method")
	f("GET", "X-Custom", 400, "Disallowed CORS headers")
	f("PUT", "X-Custom", 400, "Disallowed CORS method, headers")
}

func TestHostileInput(t *testing.T) {
	ts := start(t, defaultOptions(newTopPicks(t, "top_picks", true)))
	f := func(path string, status int, want string, headers ...string) {
		t.Helper()
		r := ts.get(t, path, headers...)
		if r.status != status || (want != "" && r.body != want) {
			t.Errorf("%.80s: got %d %.200s", path, r.status, r.body)
		}
		if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("%.80s: content type %q", path, r.header.Get("Content-Type"))
		}
	}
	// Repeated parameters: the last one wins, as in Starlette.
	f("/api/v1/suggest?q=zzz&q=exam", 200, body(exampleJSON))
	// Invalid UTF-8 becomes U+FFFD, one per maximal invalid sequence, as Python decodes it.
	f("/api/v1/suggest?q=exam&source=%FF%E2%82", 400, `{"detail":[{"type":"literal_error","loc":["query","source"],"msg":"Input should be 'urlbar', 'newtab' or 'unknown'","input":"`+"\ufffd\ufffd"+`","ctx":{"expected":"'urlbar', 'newtab' or 'unknown'"}}]}`)
	f("/api/v1/suggest?q=%C0%AF%ED%A0%80exam", 200, body())
	// Control characters and quotes come back escaped.
	f("/api/v1/suggest?q=a&source=%00%22%5C", 400, `{"detail":[{"type":"literal_error","loc":["query","source"],"msg":"Input should be 'urlbar', 'newtab' or 'unknown'","input":"\u0000\"\\","ctx":{"expected":"'urlbar', 'newtab' or 'unknown'"}}]}`)
	// Malformed Accept-Language falls back to en-US: no error.
	f("/api/v1/suggest?q=exam", 200, body(exampleJSON), "Accept-Language", "en;q=abc,,;q=")
	// 100 characters of garbage is within the limit: parsed, falls back to en-US, no error.
	f("/api/v1/suggest?q=exam", 200, body(exampleJSON), "Accept-Language", strings.Repeat(";q=\xff,", 20))
	// Oversized requests (a 10 KB User-Agent, a 20 KB request line) exceed the header limit: a
	// 431 with a JSON body — or, when the server closes before the client has finished
	// writing, a reset connection — and the server goes on serving.
	oversized := func(path string, headers ...string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ts.url+path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := (&http.Client{}).Do(req)
		if err != nil {
			if !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "broken pipe") {
				t.Errorf("%.60s: %v", path, err)
			}
		} else {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 431 || string(b) != `{"detail":"Request Header Fields Too Large"}` {
				t.Errorf("%.60s: %d %s", path, resp.StatusCode, b)
			}
		}
		if r := ts.get(t, "/api/v1/suggest?q=exam"); r.status != 200 {
			t.Errorf("after an oversized request: %d", r.status)
		}
	}
	oversized("/api/v1/suggest?q=exam", "User-Agent", strings.Repeat("Mozilla/5.0 ", 850))
	oversized("/api/v1/suggest?q=" + strings.Repeat("a", 20000))
	// Thousands of parameters, most unknown.
	f("/api/v1/suggest?"+strings.Repeat("x=1&", 1500)+"q=exam", 200, body(exampleJSON))
}

// Graceful shutdown: a request in flight when Shutdown starts still gets its answer.
func TestShutdownFinishesInFlight(t *testing.T) {
	gate := make(chan struct{})
	slow := &fakeProvider{id: "slow", avail: suggest.EnabledByDefault, timeout: 30 * time.Second, gate: gate}
	ts := start(t, defaultOptions(slow))
	done := make(chan response, 1)
	go func() { done <- ts.get(t, "/api/v1/suggest?q=x") }()
	for slow.queries() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	shut := make(chan error, 1)
	go func() { shut <- ts.srv.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while a request was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(gate)
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.status != 200 || r.body != body(fakeJSON("slow")) {
		t.Errorf("in-flight request: got %d %s", r.status, r.body)
	}
}
