package tree

import (
	"context"
	"errors"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// MultiplexerSettings configure a multiplexer: {providers = [ {type = …}, … ]}.
type MultiplexerSettings struct {
	suggest.Base
	Providers []*kit.Node
}

// Multiplexer runs its children concurrently and answers their suggestions in child order,
// once every child has answered. A child that fails is left out (and counted); the others'
// answers stand. A slow child holds the whole answer up to the request's deadline: put it
// under a timeout to have the others answer without it.
type Multiplexer struct {
	suggest.Base
	children []suggest.Provider
	inline   bool
	errors   *metrics.Counter
}

func init() {
	kit.Register(kit.Type[MultiplexerSettings]{
		Name: "multiplexer",
		Tree: true,
		Read: func(t *kit.Table, s *MultiplexerSettings) { s.Providers = t.Children("providers") },
		New: func(s *MultiplexerSettings, env *kit.Env) (suggest.Provider, error) {
			children, err := build(env, s.Providers...)
			if err != nil {
				return nil, err
			}
			p := &Multiplexer{Base: s.Base, children: children, inline: true, errors: errorsOf(s.Name)}
			for _, c := range children {
				p.inline = p.inline && c.Inline()
			}
			return p, nil
		},
	})
}

// Inline implements suggest.Provider: when every child is (they then run one after the
// other on the request goroutine, which costs less than goroutines).
func (p *Multiplexer) Inline() bool { return p.inline }

// Validate implements suggest.Provider: every child's; the first error wins.
func (p *Multiplexer) Validate(req *suggest.Request) error {
	for _, c := range p.children {
		if err := c.Validate(req); err != nil {
			return err
		}
	}
	return nil
}

// AppendKey implements suggest.Keyer: every child's key, in order.
func (p *Multiplexer) AppendKey(dst []byte, req *suggest.Request) []byte {
	for _, c := range p.children {
		dst = suggest.AppendKey(dst, c, req)
	}
	return dst
}

// Query implements suggest.Provider.
func (p *Multiplexer) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	if p.inline {
		for _, c := range p.children {
			n := len(dst)
			out, err := c.Query(ctx, req, dst)
			if err != nil {
				p.errors.Inc()
				clear(out[n:])
				out = dst[:n]
			}
			dst = out
		}
		return dst, nil
	}
	answers := make([][]suggest.Suggestion, len(p.children))
	ch := make(chan result, len(p.children))
	pending := 0
	for i, c := range p.children {
		if !c.Inline() {
			async(ctx, c, req, i, ch)
			pending++
		}
	}
	for i, c := range p.children {
		if c.Inline() {
			out, err := c.Query(ctx, req, nil)
			answers[i] = p.keep(out, err)
		}
	}
	for pending > 0 {
		select {
		case r := <-ch:
			pending--
			answers[r.i] = p.keep(r.out, r.err)
		case <-ctx.Done():
			// The request's deadline: the caller no longer waits for this answer.
			return dst, ctx.Err()
		}
	}
	for _, a := range answers {
		dst = append(dst, a...)
	}
	return dst, nil
}

func (p *Multiplexer) keep(out []suggest.Suggestion, err error) []suggest.Suggestion {
	if err != nil {
		if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			p.errors.Inc()
		}
		return nil
	}
	return out
}
