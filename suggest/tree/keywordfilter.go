package tree

import (
	"context"
	"fmt"
	"regexp"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// KeywordFilterSettings configure a keyword_filter: {suggestion_blocklist = {rule_id =
// "regex", …}, inner}.
type KeywordFilterSettings struct {
	suggest.Base
	Rules []Rule
	Inner *kit.Node
}

// Rule is one entry of suggestion_blocklist.
type Rule struct {
	ID string
	Re *regexp.Regexp
}

// KeywordFilter drops every suggestion of its inner provider whose title matches any rule:
// an unanchored search with Go's regexp, as written. Operators use it as the rapid
// blocklist. An inner error answers nothing, as in Rust Merino (and is counted).
type KeywordFilter struct {
	wrapper
	rules   []Rule
	matches []*metrics.Counter // by rule
	errors  *metrics.Counter
}

func init() {
	kit.Register(kit.Type[KeywordFilterSettings]{
		Name: "keyword_filter",
		Tree: true,
		Read: func(t *kit.Table, s *KeywordFilterSettings) {
			for _, kv := range t.StringMap("suggestion_blocklist", nil) {
				re, err := regexp.Compile(kv[1])
				if err != nil {
					if !t.Failed() {
						t.Fail("suggestion_blocklist."+kv[0], "invalid regular expression: %v", err)
					}
					continue
				}
				s.Rules = append(s.Rules, Rule{ID: kv[0], Re: re})
			}
			s.Inner = t.Child("inner")
		},
		New: func(s *KeywordFilterSettings, env *kit.Env) (suggest.Provider, error) {
			inner, err := env.Build(s.Inner)
			if err != nil {
				return nil, err
			}
			p := &KeywordFilter{wrapper: wrapper{s.Base, inner}, rules: s.Rules, errors: errorsOf(s.Name)}
			for _, r := range s.Rules {
				// Rust Merino's keywordfilter.match counter, tagged with the rule id.
				p.matches = append(p.matches, metrics.GetOrCreateCounter(
					fmt.Sprintf(`merino_keyword_filter_matches_total{provider=%q,rule=%q}`, s.Name, r.ID)))
			}
			return p, nil
		},
	})
}

// Query implements suggest.Provider. It keeps the suggestions that pass in dst, in order,
// without allocating (but for a title with JSON escapes): filtering is memory work, so the
// filter is inline when its inner provider is.
func (p *KeywordFilter) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	start := len(dst)
	out, err := p.inner.Query(ctx, req, dst)
	if err != nil {
		p.errors.Inc()
		return dst[:start], nil
	}
	kept := start
	for i := start; i < len(out); i++ {
		title, _ := out[i].Title(nil)
		if !p.blocked(title) {
			out[kept] = out[i]
			kept++
		}
	}
	clear(out[kept:])
	return out[:kept], nil
}

// blocked reports whether title matches a rule, counting the match.
func (p *KeywordFilter) blocked(title []byte) bool {
	for i, r := range p.rules {
		if r.Re.Match(title) {
			p.matches[i].Inc()
			return true
		}
	}
	return false
}
