package tree

import (
	"context"
	"fmt"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// TimeoutSettings configure a timeout: {max_time_ms = 200, inner}.
type TimeoutSettings struct {
	suggest.Base
	MaxTime time.Duration
	Inner   *kit.Node
}

// Timeout answers what its inner provider answers within MaxTime, or nothing (and no
// error) once the time is up; the inner call is cancelled. An inner error is its error.
type Timeout struct {
	wrapper
	max      time.Duration
	timeouts *metrics.Counter
}

func init() {
	kit.Register(kit.Type[TimeoutSettings]{
		Name: "timeout",
		Tree: true,
		Read: func(t *kit.Table, s *TimeoutSettings) {
			s.MaxTime = time.Duration(t.Int("max_time_ms", 200, 1, 3600_000)) * time.Millisecond
			s.Inner = t.Child("inner")
		},
		New: func(s *TimeoutSettings, env *kit.Env) (suggest.Provider, error) {
			inner, err := env.Build(s.Inner)
			if err != nil {
				return nil, err
			}
			return &Timeout{wrapper: wrapper{s.Base, inner}, max: s.MaxTime,
				timeouts: metrics.GetOrCreateCounter(fmt.Sprintf(`merino_provider_tree_timeouts_total{provider=%q}`, s.Name))}, nil
		},
	})
}

// Query implements suggest.Provider. Over an inline provider (which never waits) the timeout
// has nothing to cut, and runs inline too.
func (p *Timeout) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	if p.inner.Inline() {
		return p.inner.Query(ctx, req, dst)
	}
	c, cancel := context.WithTimeout(ctx, p.max)
	defer cancel()
	ch := make(chan result, 1)
	async(c, p.inner, req, 0, ch)
	select {
	case r := <-ch:
		if r.err != nil {
			return dst, r.err
		}
		return append(dst, r.out...), nil
	case <-c.Done():
		p.timeouts.Inc()
		return dst, nil
	}
}
