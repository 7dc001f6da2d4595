// Package tree holds Rust Merino's provider combinators (reference/rust-merino-and-suggest.md
// §2): provider types whose tables nest other provider tables, so that an operator builds
// behaviour out of providers without code.
//
//	timeout                {max_time_ms = 200, inner}            the inner answer, or nothing once the time is up
//	keyword_filter         {suggestion_blocklist = {rule = re}, inner}   drops suggestions whose title matches a rule
//	client_variant_switch  {client_variant, matching_provider, default_provider}
//	stealth                {inner}                               runs inner, answers nothing
//	multiplexer            {providers = [ {type = …}, … ]}       the children concurrently, answers in child order
//
// A combinator is inline (runs on the request goroutine) exactly when everything it runs is
// and it waits for nothing: a keyword_filter over top_picks costs no goroutine and no
// allocation; a timeout, or anything over a provider that does I/O, runs concurrently under
// the request's deadline. Every combinator keys a cache entry (suggest.Keyer) on what its
// inner providers read.
//
// Deliberate differences from Rust Merino: keyword_filter matches Go regular expressions as
// written (Rust Merino compiled them case-insensitively: write (?i) for that); a multiplexer
// child that fails is left out instead of failing the whole answer; stealth runs a provider
// that waits in the background, so it never delays the response.
package tree

import (
	"context"
	"fmt"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// build makes the providers of nested tables.
func build(env *kit.Env, nodes ...*kit.Node) ([]suggest.Provider, error) {
	out := make([]suggest.Provider, len(nodes))
	for i, n := range nodes {
		p, err := env.Build(n)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// wrapper is the part of a combinator with one inner provider: it has the combinator's
// Base, and runs inline, validates and keys as its inner provider, unless the combinator
// says otherwise.
type wrapper struct {
	suggest.Base
	inner suggest.Provider
}

// Inline implements suggest.Provider.
func (w *wrapper) Inline() bool { return w.inner.Inline() }

// Validate implements suggest.Provider.
func (w *wrapper) Validate(req *suggest.Request) error { return w.inner.Validate(req) }

// AppendKey implements suggest.Keyer.
func (w *wrapper) AppendKey(dst []byte, req *suggest.Request) []byte {
	return suggest.AppendKey(dst, w.inner, req)
}

// errorsOf counts the errors a combinator swallows (an inner provider that failed while the
// combinator still answered), by top-level provider.
func errorsOf(id string) *metrics.Counter {
	return metrics.GetOrCreateCounter(fmt.Sprintf(`merino_provider_tree_errors_total{provider=%q}`, id))
}

// result is one asynchronous answer.
type result struct {
	i   int
	out []suggest.Suggestion
	err error
}

// async runs p.Query on its own goroutine; the answer arrives on ch. The request req must
// outlive the call: the concurrent path gets its own copy of the request (suggest.Set).
func async(ctx context.Context, p suggest.Provider, req *suggest.Request, i int, ch chan<- result) {
	go func() {
		out, err := p.Query(ctx, req, nil)
		ch <- result{i: i, out: out, err: err}
	}()
}
