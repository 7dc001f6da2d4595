package suggest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultProvidersParam in `providers=` stands for every enabled-by-default provider.
const DefaultProvidersParam = "default"

// Set holds the providers of one process, in config order, and runs a request against the
// ones it chooses. It is immutable after NewSet and safe for concurrent use.
type Set struct {
	all            []Provider
	byID           map[string]Provider
	defaults       []Provider
	defaultTimeout time.Duration
	observer       Observer
}

// Observer is told how each provider did; the server feeds it to metrics. Implementations
// must be cheap and safe for concurrent use.
type Observer interface {
	// ProviderDone reports one provider's query: its duration, how many suggestions it gave,
	// its error (nil on success) and whether it missed the request's deadline.
	ProviderDone(p Provider, took time.Duration, suggestions int, err error, timedOut bool)
}

// NewSet checks the providers (ids must be unique) and keeps them in the given order.
// defaultTimeout is runtime.query_timeout_sec, the wait when no provider is chosen.
func NewSet(providers []Provider, defaultTimeout time.Duration, observer Observer) (*Set, error) {
	s := &Set{byID: make(map[string]Provider, len(providers)), defaultTimeout: defaultTimeout, observer: observer}
	for _, p := range providers {
		if _, dup := s.byID[p.ID()]; dup {
			return nil, fmt.Errorf("cannot create provider %q twice", p.ID())
		}
		s.byID[p.ID()] = p
		s.all = append(s.all, p)
		if p.Availability() == EnabledByDefault {
			s.defaults = append(s.defaults, p)
		}
	}
	return s, nil
}

// All returns the providers in config order. The slice must not be modified.
func (s *Set) All() []Provider { return s.all }

// Resolve appends to dst the providers a request asks for, following merino-py: no
// `providers` parameter means the enabled-by-default providers; otherwise each comma-separated
// name that is a known provider, once (unknown names are ignored), and `default` adds the
// enabled-by-default providers not already chosen. merino-py iterates a Python set, so its
// order is unspecified; merino-go keeps the order of the parameter, which is deterministic.
func (s *Set) Resolve(dst []Provider, param string, given bool) []Provider {
	if !given {
		return append(dst, s.defaults...)
	}
	start := len(dst)
	wantDefaults := false
	for param != "" || given {
		var name string
		name, param, given = strings.Cut(param, ",")
		if name == DefaultProvidersParam {
			wantDefaults = true
		}
		if p, ok := s.byID[name]; ok && !slices.Contains(dst[start:], p) {
			dst = append(dst, p)
		}
	}
	if wantDefaults {
		for _, p := range s.defaults {
			if !slices.Contains(dst[start:], p) {
				dst = append(dst, p)
			}
		}
	}
	return dst
}

// Timeout is the overall wait for the chosen providers: the largest of their timeouts, or
// runtime.query_timeout_sec when none is chosen (merino-py's task runner rule).
func (s *Set) Timeout(chosen []Provider) time.Duration {
	if len(chosen) == 0 {
		return s.defaultTimeout
	}
	var max time.Duration
	for _, p := range chosen {
		if t := p.Timeout(); t > max {
			max = t
		}
	}
	return max
}

// asyncResult is what a concurrent provider hands back.
type asyncResult struct {
	i    int // position in the chosen list
	p    Provider
	out  []Suggestion
	err  error
	took time.Duration
}

// Query asks the chosen providers and appends their suggestions to dst. Providers that fail
// are dropped silently (merino-py keeps the partial results); providers that miss the deadline
// are cancelled and dropped. Inline providers run on this goroutine after the concurrent ones
// have been started, so that the two overlap. With inline providers only, Query allocates
// nothing.
func (s *Set) Query(ctx context.Context, req *Request, chosen []Provider, dst []Suggestion) []Suggestion {
	var w *waiter
	for _, p := range chosen {
		if !p.Inline() {
			w = s.startConcurrent(ctx, req, chosen)
			break
		}
	}
	for _, p := range chosen {
		if !p.Inline() {
			continue
		}
		start := time.Now()
		before := len(dst)
		out, err := p.Query(ctx, req, dst)
		if err != nil {
			out = dst[:before]
		}
		dst = out
		s.done(p, time.Since(start), len(dst)-before, err, false)
	}
	if w != nil {
		dst = w.wait(s, chosen, dst)
	}
	return dst
}

// waiter collects the answers of the concurrent providers of one request.
type waiter struct {
	ctx     context.Context
	cancel  context.CancelFunc
	results chan asyncResult
	got     []bool // got[i]: chosen[i] answered
	pending int
}

func (s *Set) startConcurrent(ctx context.Context, req *Request, chosen []Provider) *waiter {
	w := &waiter{results: make(chan asyncResult, len(chosen)), got: make([]bool, len(chosen))}
	w.ctx, w.cancel = context.WithTimeout(ctx, s.Timeout(chosen))
	// The goroutines may outlive this request (a provider that ignores its context), so they
	// get their own copy: req goes back to a pool when the response is written.
	req = req.clone()
	for i, p := range chosen {
		if p.Inline() {
			continue
		}
		w.pending++
		go func() {
			start := time.Now()
			out, err := p.Query(w.ctx, req, nil)
			w.results <- asyncResult{i: i, p: p, out: out, err: err, took: time.Since(start)}
		}()
	}
	return w
}

// wait appends the answers that arrive before the deadline; the rest are reported as timed
// out and their goroutines, which write only to the buffered channel, end on their own.
func (w *waiter) wait(s *Set, chosen []Provider, dst []Suggestion) []Suggestion {
	defer w.cancel()
	for w.pending > 0 {
		select {
		case r := <-w.results:
			w.pending--
			w.got[r.i] = true
			if r.err == nil {
				dst = append(dst, r.out...)
			}
			s.done(r.p, r.took, len(r.out), r.err, false)
		case <-w.ctx.Done():
			for i, p := range chosen {
				if !p.Inline() && !w.got[i] {
					s.done(p, s.Timeout(chosen), 0, w.ctx.Err(), true)
				}
			}
			return dst
		}
	}
	return dst
}

func (s *Set) done(p Provider, took time.Duration, n int, err error, timedOut bool) {
	if s.observer != nil {
		s.observer.ProviderDone(p, took, n, err, timedOut)
	}
}

// clone deep-copies a request for a goroutine that may outlive it.
func (r *Request) clone() *Request {
	c := &Request{
		Query:       strings.Clone(r.Query),
		Source:      strings.Clone(r.Source),
		RequestType: strings.Clone(r.RequestType),
		IsSoftPII:   r.IsSoftPII,
		HasLocation: r.HasLocation,
		ClientIP:    r.ClientIP,
		// The parsed user agent's strings come from the parser's cache, never from the request.
		UserAgent: r.UserAgent,
		Location:  r.Location,
	}
	c.Location.Country = strings.Clone(r.Location.Country)
	c.Location.CountryName = strings.Clone(r.Location.CountryName)
	c.Location.City = strings.Clone(r.Location.City)
	c.Location.PostalCode = strings.Clone(r.Location.PostalCode)
	c.Location.TimeZone = strings.Clone(r.Location.TimeZone)
	c.Location.Regions = cloneStrings(r.Location.Regions)
	c.Location.RegionNames = cloneStrings(r.Location.RegionNames)
	c.Languages = cloneStrings(r.Languages)
	c.ClientVariants = cloneStrings(r.ClientVariants)
	return c
}

func cloneStrings(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.Clone(s)
	}
	return out
}
