package curated_test

import (
	"bytes"
	"context"
	"encoding/json"
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

	"github.com/mozilla-services/merino-go/curated"
	"github.com/mozilla-services/merino-go/curated/corpus"
	"github.com/mozilla-services/merino-go/curated/corpus/corpustest"
	"github.com/mozilla-services/merino-go/curated/engagement"
	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/manifest"
	"github.com/mozilla-services/merino-go/server"
	"github.com/mozilla-services/merino-go/suggest"
)

// bundle is the offline data `make run` serves: merino-py's recorded corpus responses.
const bundle = "../data/curated"

// setup is what a test changes from the defaults.
type setup struct {
	dir        string // recorded responses for the fake ("" = bundle)
	sampler    string
	seed       uint64
	ttlMin     time.Duration
	ttlMax     time.Duration
	retries    int
	retryWait  time.Duration
	breaker    int
	recover    time.Duration
	timeout    time.Duration
	engagement string // a JSON document ("" = the bundle's)
	prior      string // a JSON document ("" = the bundle's; "-" = none configured)
	icons      *manifest.Holder
	clientName string
	// fixed, when set, replaces the sampler (sampler.Fixed: every draw pinned); now, when
	// set, is the provider's clock.
	fixed *sampler.Sampler
	now   time.Time
}

// harness is merino-go's server on a loopback port with the curated provider, reading a fake
// curated-corpus API.
type harness struct {
	t      testing.TB
	url    string
	fake   *corpustest.Server
	eng    *engagement.Holder
	priors *engagement.PriorHolder
	client *corpus.Client
	logs   *logBuffer
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func start(t testing.TB, change func(*setup)) *harness {
	t.Helper()
	s := setup{dir: bundle, sampler: "mean", seed: 1, ttlMin: time.Minute, ttlMax: time.Minute, retries: 3,
		retryWait: 10 * time.Millisecond, breaker: 1, recover: 30 * time.Second, timeout: 2 * time.Second, clientName: "merino-py"}
	if change != nil {
		change(&s)
	}
	h := &harness{t: t, logs: &logBuffer{}}
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.fake = corpustest.New(t, s.dir)
	smp, err := sampler.New(s.sampler, s.seed)
	if err != nil {
		t.Fatal(err)
	}
	if s.fixed != nil {
		smp = s.fixed
	}
	opts := corpus.Options{
		Transport:  corpus.NewGraphQL(h.fake.URL, s.clientName, "abc123", time.Second, s.timeout),
		RetryCount: s.retries, RetryInitial: s.retryWait, RetryJitter: s.retryWait / 2,
		BreakerThreshold: s.breaker, BreakerRecover: s.recover, Sampler: smp, Log: log,
	}
	if s.icons != nil {
		opts.Icons = s.icons
	}
	h.client = corpus.NewClient(opts)
	h.eng = &engagement.Holder{MaxSize: 5_000_000}
	eng := s.engagement
	if eng == "" {
		eng = readFile(t, filepath.Join(bundle, "engagement.json"))
	}
	if _, err := h.eng.Apply([]byte(eng)); err != nil {
		t.Fatal(err)
	}
	popts := curated.Options{Client: h.client, TTLMin: s.ttlMin, TTLMax: s.ttlMax, Engagement: h.eng, Sampler: smp, Log: log}
	if !s.now.IsZero() {
		popts.Now = func() time.Time { return s.now }
	}
	if s.prior != "-" {
		h.priors = &engagement.PriorHolder{}
		prior := s.prior
		if prior == "" {
			prior = readFile(t, filepath.Join(bundle, "prior.json"))
		}
		if _, err := h.priors.Apply([]byte(prior)); err != nil {
			t.Fatal(err)
		}
		popts.Priors = h.priors
	}
	set, err := suggest.NewSet(nil, 200*time.Millisecond, server.NewObserver(nil))
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{Providers: set, NewTab: curated.New(popts), VersionFile: "testdata/none.json",
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, MaxRequestHeaderBytes: 8192, Log: log})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	h.url = "http://" + ln.Addr().String()
	return h
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// post sends a body with a JSON content type and returns the status and body.
func (h *harness) post(body string) (int, string) {
	return h.postType("application/json", body)
}

func (h *harness) postType(contentType, body string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.url+"/api/v1/curated-recommendations", strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return h.do(req)
}

func (h *harness) get(path string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.url+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.do(req)
}

func (h *harness) do(req *http.Request) (int, string) {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// response is the part of a POST response tests read.
type response struct {
	RecommendedAt int64  `json:"recommendedAt"`
	SurfaceID     string `json:"surfaceId"`
	Data          []struct {
		CorpusItemID          string             `json:"corpusItemId"`
		ScheduledCorpusItemID *string            `json:"scheduledCorpusItemId"`
		URL                   string             `json:"url"`
		Title                 string             `json:"title"`
		Topic                 *string            `json:"topic"`
		Publisher             string             `json:"publisher"`
		IconURL               *string            `json:"iconUrl"`
		TileID                *int64             `json:"tileId"`
		ReceivedRank          int                `json:"receivedRank"`
		ServerScore           *float64           `json:"serverScore"`
		Features              map[string]float64 `json:"features"`
	} `json:"data"`
	Feeds              json.RawMessage `json:"feeds"`
	InterestPicker     json.RawMessage `json:"interestPicker"`
	InferredLocalModel json.RawMessage `json:"inferredLocalModel"`
}

func (h *harness) recommend(body string) response {
	h.t.Helper()
	status, b := h.post(body)
	if status != 200 {
		h.t.Fatalf("POST %s: %d %s", body, status, b)
	}
	var r response
	if err := json.Unmarshal([]byte(b), &r); err != nil {
		h.t.Fatalf("POST %s: %v in %s", body, err, b)
	}
	return r
}

func (r response) ids() []string {
	out := make([]string, len(r.Data))
	for i, d := range r.Data {
		out[i] = d.CorpusItemID
	}
	return out
}

func tileID(id string) int64 { return curated.TileID(id) }

type slogLogger = slog.Logger

func newTestLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
