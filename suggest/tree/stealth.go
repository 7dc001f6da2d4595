package tree

import (
	"context"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// StealthSettings configure a stealth: {inner}.
type StealthSettings struct {
	suggest.Base
	Inner *kit.Node
}

// Stealth runs its inner provider on every request it gets and answers nothing: a new
// provider meets real traffic (its metrics and its upstream load count) before anyone sees
// its suggestions. An inline inner provider runs on the request goroutine; one that waits
// runs in the background for at most its own query_timeout_sec, so that it never delays
// the response.
type Stealth struct{ wrapper }

func init() {
	kit.Register(kit.Type[StealthSettings]{
		Name: "stealth",
		Tree: true,
		Read: func(t *kit.Table, s *StealthSettings) { s.Inner = t.Child("inner") },
		New: func(s *StealthSettings, env *kit.Env) (suggest.Provider, error) {
			inner, err := env.Build(s.Inner)
			if err != nil {
				return nil, err
			}
			return &Stealth{wrapper{s.Base, inner}}, nil
		},
	})
}

// Validate implements suggest.Provider: the inner provider never fails a real request.
func (p *Stealth) Validate(*suggest.Request) error { return nil }

// AppendKey implements suggest.Keyer: the answer is always empty.
func (p *Stealth) AppendKey(dst []byte, _ *suggest.Request) []byte { return dst }

// Query implements suggest.Provider. It never fails: the inner provider's errors are its
// own metrics' business. Stealth is inline when its inner provider is: one that waits runs
// in the background, but that call keeps the request, so the request must be the concurrent
// path's own copy.
func (p *Stealth) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	if p.inner.Inline() {
		out, _ := p.inner.Query(ctx, req, dst)
		clear(out[len(dst):])
		return dst, nil
	}
	go func() {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.inner.Timeout())
		defer cancel()
		_, _ = p.inner.Query(c, req, nil)
	}()
	return dst, nil
}
