package tree

import (
	"context"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// SwitchSettings configure a client_variant_switch: {client_variant, matching_provider,
// default_provider}.
type SwitchSettings struct {
	suggest.Base
	ClientVariant           string
	Matching, DefaultBranch *kit.Node
}

// Switch answers with its matching provider when the request's client_variants holds
// ClientVariant as a whole item (`testing` is not `test`), else with its default provider,
// also when the request has no client_variants.
type Switch struct {
	suggest.Base
	variant            string
	matching, fallback suggest.Provider
}

func init() {
	kit.Register(kit.Type[SwitchSettings]{
		Name: "client_variant_switch",
		Tree: true,
		Read: func(t *kit.Table, s *SwitchSettings) {
			s.ClientVariant = t.Str("client_variant", "")
			if s.ClientVariant == "" && !t.Failed() {
				t.Fail("client_variant", "required: the client variant that selects matching_provider")
			}
			s.Matching = t.Child("matching_provider")
			s.DefaultBranch = t.Child("default_provider")
		},
		New: func(s *SwitchSettings, env *kit.Env) (suggest.Provider, error) {
			ps, err := build(env, s.Matching, s.DefaultBranch)
			if err != nil {
				return nil, err
			}
			return &Switch{Base: s.Base, variant: s.ClientVariant, matching: ps[0], fallback: ps[1]}, nil
		},
	})
}

func (p *Switch) pick(req *suggest.Request) suggest.Provider {
	for _, v := range req.ClientVariants {
		if v == p.variant {
			return p.matching
		}
	}
	return p.fallback
}

// Inline implements suggest.Provider: when both branches are.
func (p *Switch) Inline() bool { return p.matching.Inline() && p.fallback.Inline() }

// Validate implements suggest.Provider: the chosen branch's.
func (p *Switch) Validate(req *suggest.Request) error { return p.pick(req).Validate(req) }

// AppendKey implements suggest.Keyer: which branch, then its key.
func (p *Switch) AppendKey(dst []byte, req *suggest.Request) []byte {
	b := p.pick(req)
	if b == p.matching {
		dst = append(dst, 1)
	} else {
		dst = append(dst, 0)
	}
	return suggest.AppendKey(dst, b, req)
}

// Query implements suggest.Provider.
func (p *Switch) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	return p.pick(req).Query(ctx, req, dst)
}
