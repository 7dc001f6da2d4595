package main

import (
	"bytes"
	"context"
	"errors"
	"math"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/valyala/fasthttp"
)

// The generator is open loop with a constant arrival rate: request i is due at
// start + i/rate, whatever happened to the requests before it. Its latency is measured from
// that due time, not from when it was actually written to a socket, so a server that stalls
// cannot hide the queue that builds behind the stall (the "coordinated omission" of
// closed-loop tools such as Locust, whose users wait for each answer before asking again).
//
// One dispatcher goroutine walks the schedule. It sleeps only when it is ahead, and when it
// wakes late (timers are coarse under load) it hands out every request that is due at once,
// so the count of requests is exact and the rate is exact over any window longer than a
// timer tick. A fixed pool of `connections` workers, each with one keep-alive connection,
// sends them; when every worker is busy the due requests wait in a queue and their wait is
// part of their latency, as it would be for a browser whose request sits behind a slow one.

// plan is one run of the generator.
type plan struct {
	rate        float64       // requests per second
	duration    time.Duration // measured part
	warmup      time.Duration // sent before the measured part, not recorded
	connections int           // workers, each with at most one connection
	timeout     time.Duration // per request; an answer later than this is a transport error
	// atWindow, when set, is called (on its own goroutine) as the first request of the
	// measured window is handed out: the moment to read the server's counters.
	atWindow func()
	// start, when set, is the time request 0 is due (default: when generate is called), so
	// that a caller can place its own events on the samples' time line.
	start time.Time
	// observe, when set, sees every sample, warm-up included, on the collector's goroutine.
	observe func(sample)
}

// total is the number of requests the schedule holds.
func (p plan) total() int {
	return int(math.Round(p.rate * (p.warmup + p.duration).Seconds()))
}

// due is the time, from the start, at which request i is due.
func (p plan) due(i int) time.Duration {
	return time.Duration(float64(i) * float64(time.Second) / p.rate)
}

// Transport error kinds: the request got no HTTP response.
const (
	errNone = iota
	errTimeout
	errRefused
	errReset
	errOther
	errKinds
)

var errNames = [errKinds]string{"", "timeout", "connection refused", "connection reset or closed", "other"}

// sample is what a worker learns about one request. Times are offsets from the start.
type sample struct {
	due, sent, done time.Duration
	bytes           int64
	status          uint16
	err             uint8
	kind            uint8
	badBody         bool
}

// minSleep is the shortest wait worth a sleep: about the lateness of one.
const minSleep = 50 * time.Microsecond

// latency is the request's latency from its due time, or from when it was sent if that was
// earlier (the dispatcher sends up to minSleep early rather than sleep for less).
func (s *sample) latency() time.Duration { return s.done - min(s.due, s.sent) }

type job struct {
	i   int
	due time.Duration
}

// target says where the generator sends requests.
type target struct {
	addr string // host:port
	host string // Host header
}

// generate runs p against t with the requests of items (cycled), and returns what the
// collector recorded. Cancelling ctx stops the schedule early; requests in flight finish.
func generate(ctx context.Context, t target, items []item, kinds []string, p plan) *collector {
	client := &fasthttp.HostClient{
		Addr:                          t.addr,
		MaxConns:                      p.connections,
		MaxIdleConnDuration:           time.Minute,
		NoDefaultUserAgentHeader:      true,
		DisablePathNormalizing:        true,
		DisableHeaderNamesNormalizing: true,
		ReadBufferSize:                16 << 10,
		MaxResponseBodySize:           16 << 20,
	}
	defer client.CloseIdleConnections()

	col := newCollector(p, kinds)
	jobs := make(chan job, 8192)
	results := make(chan sample, 8192)
	start := p.start
	if start.IsZero() {
		start = time.Now()
	}

	var wg sync.WaitGroup
	for w := 0; w < p.connections; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker(client, t.host, items, p.timeout, start, jobs, results)
		}()
	}
	collected := make(chan struct{})
	go func() {
		for s := range results {
			col.add(s)
			if p.observe != nil {
				p.observe(s)
			}
		}
		close(collected)
	}()

	n := p.total()
	windowSeen := p.atWindow == nil
schedule:
	for i := 0; i < n; i++ {
		due := p.due(i)
		if !windowSeen && due >= p.warmup {
			windowSeen = true
			go p.atWindow()
		}
		// Sleep only when ahead by more than the sleep's own lateness; a request sent up to
		// minSleep early is timed from when it was sent (see sample.latency).
		for d := due - time.Since(start); d > minSleep; d = due - time.Since(start) {
			if ctx.Err() != nil {
				break schedule
			}
			sleep(min(d, 10*time.Millisecond)) // wake now and then to see ctx
		}
		select {
		case jobs <- job{i: i, due: due}:
		case <-ctx.Done():
			break schedule
		}
	}
	close(jobs)
	wg.Wait()
	close(results)
	<-collected
	col.elapsed = time.Since(start)
	return col
}

func worker(c *fasthttp.HostClient, host string, items []item, timeout time.Duration, start time.Time, jobs <-chan job, out chan<- sample) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	for j := range jobs {
		it := &items[j.i%len(items)]
		req.Reset()
		req.SetRequestURI(it.uri)
		req.Header.SetHost(host)
		req.Header.SetUserAgent(it.browser.userAgent)
		req.Header.Set("Accept", "*/*")
		req.Header.Set("Accept-Language", it.browser.acceptLanguage)
		if it.browser.forwardedFor != "" {
			req.Header.Set("X-Forwarded-For", it.browser.forwardedFor)
		}
		if it.body != nil {
			req.Header.SetMethod(fasthttp.MethodPost)
			req.Header.SetContentType("application/json")
			req.SetBodyRaw(it.body)
		}
		req.SetTimeout(timeout)
		s := sample{due: j.due, kind: it.kind, sent: time.Since(start)}
		err := c.Do(req, resp)
		s.done = time.Since(start)
		if err != nil {
			s.err = classify(err)
		} else {
			s.status = uint16(resp.StatusCode())
			body := resp.Body()
			s.bytes = int64(len(body))
			// A 200 from the suggest endpoint is a SuggestResponse; anything else is a
			// broken server even if the status looks fine. A 204 with no body is merino's
			// "no location" answer to a weather-only request (Firefox shows nothing); to any
			// other request it is as wrong as a bad 200.
			suggest := strings.HasPrefix(it.uri, "/api/v1/suggest")
			switch {
			case s.status == 200 && it.bodyPrefix != "":
				s.badBody = !bytes.HasPrefix(body, []byte(it.bodyPrefix))
			case s.status == 200:
				s.badBody = suggest && len(resp.Header.ContentEncoding()) == 0 && !bytes.HasPrefix(body, []byte(`{"suggestions":[`))
			case s.status == 204:
				s.badBody = suggest && (!it.noContentOK || len(body) > 0)
			}
		}
		out <- s
	}
}

func classify(err error) uint8 {
	switch {
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, os.ErrDeadlineExceeded):
		return errTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return errRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, fasthttp.ErrConnectionClosed):
		return errReset
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errTimeout
	}
	return errOther
}

// Latencies are recorded in microseconds, from 1 µs to 10 minutes: 3 significant digits for
// the whole run, 2 for each second of the time series.
const (
	histMin = 1
	histMax = int64(10 * time.Minute / time.Microsecond)
)

// collector aggregates samples. It is used by one goroutine.
type collector struct {
	p         plan
	kinds     []string
	warm, end time.Duration // the measured window, by due time

	hist     *hdr.Histogram   // latency of measured requests that got a response (or timed out)
	lag      *hdr.Histogram   // due to write: timer lateness, and the wait for a free connection when the server is slow
	service  *hdr.Histogram   // from write to response: what a closed-loop tool would report
	byKind   []*hdr.Histogram // latency per source kind
	seconds  []second         // by due time, from the start of the window
	status   map[int]int
	errs     [errKinds]int
	badBody  int
	bytes    int64
	measured int // requests due in the window
	answered int // responses whose completion fell in the window: the achieved rate
	elapsed  time.Duration
}

// second is one second of the time series.
type second struct {
	hist     *hdr.Histogram
	errors   int // 5xx, transport errors and bad bodies
	answered int // responses completed in this second (by completion time)
}

func newCollector(p plan, kinds []string) *collector {
	c := &collector{
		p: p, kinds: kinds, warm: p.warmup, end: p.warmup + p.duration,
		hist:    hdr.New(histMin, histMax, 3),
		lag:     hdr.New(histMin, histMax, 3),
		service: hdr.New(histMin, histMax, 3),
		status:  map[int]int{},
	}
	for range kinds {
		c.byKind = append(c.byKind, hdr.New(histMin, histMax, 3))
	}
	n := int(math.Ceil(p.duration.Seconds()))
	c.seconds = make([]second, n)
	for i := range c.seconds {
		c.seconds[i].hist = hdr.New(histMin, histMax, 2)
	}
	return c
}

func micros(d time.Duration) int64 {
	us := int64(math.Ceil(float64(d) / float64(time.Microsecond)))
	return min(max(us, histMin), histMax)
}

func (c *collector) add(s sample) {
	if s.err == errNone && s.done >= c.warm && s.done < c.end {
		c.answered++
		c.seconds[int((s.done-c.warm)/time.Second)].answered++
	}
	if s.due < c.warm || s.due >= c.end {
		return
	}
	c.measured++
	sec := &c.seconds[int((s.due-c.warm)/time.Second)]
	_ = c.lag.RecordValue(micros(s.sent - s.due))
	if s.err != errNone {
		c.errs[s.err]++
		sec.errors++
		if s.err != errTimeout {
			return // a refused connection answers fast; its "latency" would flatter the server
		}
	} else {
		c.status[int(s.status)]++
		c.bytes += s.bytes
		if s.status >= 500 {
			sec.errors++
		}
		if s.badBody {
			c.badBody++
			sec.errors++
		}
	}
	lat := micros(s.latency())
	_ = c.service.RecordValue(micros(s.done - s.sent))
	_ = c.hist.RecordValue(lat)
	_ = sec.hist.RecordValue(lat)
	if int(s.kind) < len(c.byKind) {
		_ = c.byKind[s.kind].RecordValue(lat)
	}
}
