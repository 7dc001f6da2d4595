package server

import (
	"fmt"
	"strconv"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/puzpuzpuz/xsync/v3"

	"github.com/mozilla-services/merino-go/suggest"
)

// Metrics are merino-py's catalogue (§4.5) in Prometheus form; the README maps each name to its
// statsd/OpenTelemetry original. Every series a request can touch is created once (at startup,
// or the first time its label set occurs) and then updated without a lookup by name.
var (
	suggestionsPerRequest = metrics.NewHistogram("merino_suggestions_per_request")
	piiEmailTotal         = metrics.NewCounter(`merino_suggestions_query_pii_detected_total{type="email"}`)
	piiNumericTotal       = metrics.NewCounter(`merino_suggestions_query_pii_detected_total{type="numeric"}`)
	piiNumericFalsePos    = metrics.NewCounter(`merino_suggestions_query_pii_detected_false_positive_total{type="numeric"}`)
)

// formFactors are the values of a parsed user agent's form_factor, in label order.
var formFactors = [...]string{"desktop", "phone", "tablet", "other"}

func formFactorIndex(ff string) int {
	for i, f := range formFactors {
		if f == ff {
			return i
		}
	}
	return len(formFactors) - 1
}

// httpMetrics counts responses by route, method, status and form factor
// (merino_http_requests_total; merino-py's http_request_status_code) and times them by route
// and method (merino_http_request_duration_seconds; http_request_duration). As in merino-py,
// 404s carry no path label (paths are unbounded) and are not timed.
type httpMetrics struct {
	counters  *xsync.MapOf[uint64, *metrics.Counter]
	durations [][2]*metrics.Histogram // [route][GET, other]
}

func newHTTPMetrics() *httpMetrics {
	m := &httpMetrics{counters: xsync.NewMapOf[uint64, *metrics.Counter](), durations: make([][2]*metrics.Histogram, len(routes))}
	for i := range routes {
		for j, method := range []string{"GET", "other"} {
			m.durations[i][j] = metrics.GetOrCreateHistogram(fmt.Sprintf(
				`merino_http_request_duration_seconds{path=%q,method=%q}`, routes[i].path, method))
		}
	}
	return m
}

// observe records one response. route is an index into routes, or -1 for an unknown path.
func (m *httpMetrics) observe(route int, method []byte, status int, ff string, took time.Duration) {
	get := 0
	if string(method) != "GET" {
		get = 1
	}
	r := route + 1 // 0: unknown path
	key := uint64(r)<<32 | uint64(get)<<24 | uint64(formFactorIndex(ff))<<16 | uint64(status&0xffff)
	c, ok := m.counters.Load(key)
	if !ok {
		c, _ = m.counters.LoadOrCompute(key, func() *metrics.Counter {
			methodLabel := "GET"
			if get == 1 {
				methodLabel = "other"
			}
			pathLabel := ""
			if route >= 0 {
				pathLabel = fmt.Sprintf(`path=%q,`, routes[route].path)
			}
			return metrics.GetOrCreateCounter(fmt.Sprintf(`merino_http_requests_total{%smethod=%q,status_code="%s",form_factor=%q}`,
				pathLabel, methodLabel, strconv.Itoa(status), formFactors[formFactorIndex(ff)]))
		})
	}
	c.Inc()
	if route >= 0 && status != 404 {
		m.durations[route][get].Update(took.Seconds())
	}
}

// providerMetrics are one provider's series (merino-py's providers.<id>.query timer,
// providers.<id>.query.timeout counter and suggestions-per.provider.<id> histogram), resolved
// once at startup.
type providerMetrics struct {
	duration    *metrics.Histogram
	timeouts    *metrics.Counter
	errors      *metrics.Counter
	suggestions *metrics.Histogram
}

// observer implements suggest.Observer with per-provider series.
type observer struct {
	byProvider map[suggest.Provider]*providerMetrics
}

// NewObserver creates the metrics of every provider; pass it to suggest.NewSet.
func NewObserver(providers []suggest.Provider) suggest.Observer {
	o := &observer{byProvider: map[suggest.Provider]*providerMetrics{}}
	for _, p := range providers {
		label := fmt.Sprintf(`{provider=%q}`, p.ID())
		o.byProvider[p] = &providerMetrics{
			duration:    metrics.GetOrCreateHistogram("merino_providers_query_duration_seconds" + label),
			timeouts:    metrics.GetOrCreateCounter("merino_providers_query_timeouts_total" + label),
			errors:      metrics.GetOrCreateCounter("merino_providers_query_errors_total" + label),
			suggestions: metrics.GetOrCreateHistogram("merino_suggestions_per_provider" + label),
		}
	}
	return o
}

// ProviderDone implements suggest.Observer.
func (o *observer) ProviderDone(p suggest.Provider, took time.Duration, n int, err error, timedOut bool) {
	m := o.byProvider[p]
	if m == nil {
		return
	}
	m.duration.Update(took.Seconds())
	switch {
	case timedOut:
		m.timeouts.Inc()
	case err != nil:
		m.errors.Inc()
	default:
		m.suggestions.Update(float64(n))
	}
}
