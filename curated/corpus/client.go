package corpus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/suggest/breaker"
)

// ErrBreakerOpen is the answer while the sections query's circuit breaker is open (merino-py's
// fallback raises BackendError("Corpus backend circuitbreaker")).
var ErrBreakerOpen = errors.New("Corpus backend circuitbreaker")

// HTTPError is a non-2xx answer, worded as httpx's raise_for_status.
type HTTPError struct {
	Status int
	URL    string
}

func (e *HTTPError) Error() string {
	kind := "Server error"
	if e.Status < 500 {
		kind = "Client error"
	}
	return fmt.Sprintf("%s '%d %s' for url '%s'", kind, e.Status, fasthttp.StatusMessage(e.Status), e.URL)
}

// Options configure a Client ([curated_recommendations.corpus_api]).
type Options struct {
	Transport Transport
	Icons     Icons
	// RetryCount is the number of attempts; the wait before attempt n+1 is
	// RetryInitial·2^(n-1) plus a uniform jitter in [0, RetryJitter].
	RetryCount   int
	RetryInitial time.Duration
	RetryJitter  time.Duration
	// The sections query's breaker opens after BreakerThreshold failed fetches and lets a
	// call through again after BreakerRecover.
	BreakerThreshold int
	BreakerRecover   time.Duration
	Sampler          *sampler.Sampler
	// Now is the clock (scheduled dates, the breaker); nil is time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// Client reads the corpus. It is safe for concurrent use.
type Client struct {
	opts    Options
	breaker *breaker.Breaker
	open    *metrics.Gauge // merino_corpus_api_circuit_open: 1 from the failure that opens it to the next success
	m       [2]queryMetrics
}

type queryMetrics struct {
	duration     *metrics.Histogram
	graphqlError *metrics.Counter
	skipped      *metrics.Counter
	statuses     sync.Map // int → *metrics.Counter
	label        string
}

// NewClient returns a client.
func NewClient(opts Options) *Client {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.RetryCount < 1 {
		opts.RetryCount = 1
	}
	c := &Client{opts: opts}
	// merino-py's CuratedRecommendationsCircuitBreaker is the circuitbreaker library's:
	// package breaker has its semantics.
	c.breaker = breaker.New(opts.BreakerThreshold, opts.BreakerRecover, opts.Now)
	c.open = metrics.GetOrCreateGauge(`merino_corpus_api_circuit_open{query="get_sections"}`, nil)
	for _, q := range []Query{ScheduledSurface, GetSections} {
		l := `{query="` + q.String() + `"}`
		c.m[q] = queryMetrics{
			label:        q.String(),
			duration:     metrics.GetOrCreateHistogram("merino_corpus_api_request_duration_seconds" + l),
			graphqlError: metrics.GetOrCreateCounter("merino_corpus_api_graphql_errors_total" + l),
			skipped:      metrics.GetOrCreateCounter("merino_corpus_api_items_skipped_total" + l),
		}
	}
	return c
}

func (m *queryMetrics) status(code int) {
	c, ok := m.statuses.Load(code)
	if !ok {
		c, _ = m.statuses.LoadOrStore(code, metrics.GetOrCreateCounter(
			`merino_corpus_api_responses_total{query="`+m.label+`",status_code="`+strconv.Itoa(code)+`"}`))
	}
	c.(*metrics.Counter).Inc()
}

// ScheduledSurface fetches the items scheduled today (in the surface's time zone, from 03:00)
// for s. Failures are retried, malformed JSON included, as merino-py's backend does.
func (c *Client) ScheduledSurface(ctx context.Context, s *surface.Surface) (*Scheduled, error) {
	date := s.ScheduledDate(c.opts.Now())
	var out *Scheduled
	err := c.retry(ctx, "ScheduledSurface", ScheduledSurface, func() error {
		body, err := c.fetch(ctx, ScheduledSurface, s, date)
		if err != nil {
			return err
		}
		out, err = ParseScheduled(body, s, c.opts.Icons, c.opts.Log)
		if err != nil {
			c.countGraphQL(ScheduledSurface, err)
			return err
		}
		c.m[ScheduledSurface].skipped.Add(out.Skipped)
		return nil
	})
	return out, err
}

// Sections fetches the sections of s, behind the circuit breaker shared by every surface.
func (c *Client) Sections(ctx context.Context, s *surface.Surface) (*Sections, error) {
	if !c.breaker.Allow() {
		return nil, ErrBreakerOpen
	}
	var out *Sections
	err := c.retry(ctx, "Sections", GetSections, func() error {
		body, err := c.fetch(ctx, GetSections, s, "")
		if err != nil {
			return err
		}
		out, err = ParseSections(body, s, c.opts.Icons, c.opts.Log)
		if err != nil {
			c.countGraphQL(GetSections, err)
			return err
		}
		c.m[GetSections].skipped.Add(out.Skipped)
		return nil
	})
	// Only the API's own failures count against the breaker, as in merino-py.
	if err == nil {
		c.breaker.Success()
		c.open.Set(0)
	} else if upstream(err) {
		c.breaker.Failure()
		if c.breaker.Open() {
			c.open.Set(1)
		}
	}
	return out, err
}

func (c *Client) countGraphQL(q Query, err error) {
	var g *GraphQLError
	if errors.As(err, &g) {
		c.m[q].graphqlError.Inc()
	}
}

// fetch makes one call and turns a non-2xx status into an HTTPError.
func (c *Client) fetch(ctx context.Context, q Query, s *surface.Surface, date string) ([]byte, error) {
	start := time.Now()
	status, body, err := c.opts.Transport.Fetch(ctx, q, s, date)
	c.m[q].duration.UpdateDuration(start)
	if err != nil {
		return nil, err
	}
	c.m[q].status(status)
	if status < 200 || status > 299 {
		return nil, &HTTPError{Status: status, URL: c.opts.Transport.Target()}
	}
	return body, nil
}

// upstream reports whether err is the API failing: a transport or HTTP error, or GraphQL
// errors (merino-py's HTTPError and CorpusGraphQLError).
func upstream(err error) bool {
	var m *MalformedError
	var sh *ShapeError
	return !errors.As(err, &m) && !errors.As(err, &sh) && !errors.Is(err, context.Canceled)
}

// retryable is merino-py's retry condition: upstream failures, and for ScheduledSurface also
// ValueError (invalid JSON).
func retryable(q Query, err error) bool {
	var m *MalformedError
	return upstream(err) || (q == ScheduledSurface && errors.As(err, &m))
}

// retry is tenacity's retry with wait_exponential_jitter and stop_after_attempt, logging a
// WARNING before each new attempt as before_sleep_log does.
func (c *Client) retry(ctx context.Context, name string, q Query, attempt func() error) error {
	for n := 1; ; n++ {
		err := attempt()
		if err == nil || n >= c.opts.RetryCount || !retryable(q, err) {
			return err
		}
		wait := c.opts.RetryInitial<<(n-1) + time.Duration(c.opts.Sampler.Uniform(0, float64(c.opts.RetryJitter)))
		c.opts.Log.Warn(fmt.Sprintf("Retrying corpus.%s in %.2f seconds as it raised %s: %s.", name, wait.Seconds(), errorType(err), err))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// errorType names err as Python would in the retry log line.
func errorType(err error) string {
	var g *GraphQLError
	var h *HTTPError
	var m *MalformedError
	switch {
	case errors.As(err, &g):
		return "CorpusGraphQLError"
	case errors.As(err, &h):
		return "HTTPStatusError"
	case errors.As(err, &m):
		return "JSONDecodeError"
	}
	return "TransportError"
}

// BreakerOpen reports whether the sections breaker refuses calls now.
func (c *Client) BreakerOpen() bool { return c.breaker.Open() }
