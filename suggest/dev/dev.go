// Package dev holds Rust Merino's development provider types, for trying a provider tree
// without data or upstreams: fixed, debug, null and wiki_fruit. They are refused at startup,
// at any depth of a tree, unless the top-level `debug` is true (development and testing set
// it; production never does).
//
// Each answers merino-py's suggestion JSON (title, url in pydantic HttpUrl form, provider,
// is_sponsored, score; no null fields), with its provider's id and score.
package dev

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// render is a constant suggestion of b (its id and score): its head, with the title and
// URL, and its tail.
func render(b *suggest.Base, title, rawURL string) (suggest.Suggestion, error) {
	u, err := httpurl.Normalize(rawURL)
	if err != nil {
		return suggest.Suggestion{}, err
	}
	return rendered(b, title, u), nil
}

// rendered is render with the URL already normalised.
func rendered(b *suggest.Base, title, u string) suggest.Suggestion {
	return b.Suggestion(suggest.AppendHead(nil, title, u, b.Name, false), []byte("}"))
}

// FixedSettings configure a fixed provider: {value}, required.
type FixedSettings struct {
	suggest.Base
	Value string
}

// Fixed answers every request with one suggestion titled Value, as Rust Merino's
// FixedProvider does.
type Fixed struct {
	suggest.Base
	s suggest.Suggestion
}

// FixedURL is the URL of a fixed provider's suggestion (Rust Merino's).
const FixedURL = "https://merino.services.mozilla.com/test/suggestion"

func init() {
	kit.Register(kit.Type[FixedSettings]{
		Name:        "fixed",
		Development: true,
		Read: func(t *kit.Table, s *FixedSettings) {
			s.Value = t.Str("value", "")
			if !t.Has("value") && !t.Failed() {
				t.Fail("value", "required: the title of the one suggestion")
			}
		},
		New: func(s *FixedSettings, env *kit.Env) (suggest.Provider, error) {
			sg, err := render(&s.Base, s.Value, FixedURL)
			if err != nil {
				return nil, fmt.Errorf("BUG: %s: %w", env.Path(""), err)
			}
			return &Fixed{Base: s.Base, s: sg}, nil
		},
	})
	kit.Register(kit.Type[suggest.Base]{
		Name:        "null",
		Development: true,
		New:         func(s *suggest.Base, _ *kit.Env) (suggest.Provider, error) { return &Null{Base: *s}, nil },
	})
	kit.Register(kit.Type[suggest.Base]{
		Name:        "debug",
		Development: true,
		New: func(s *suggest.Base, env *kit.Env) (suggest.Provider, error) {
			u, err := httpurl.Normalize(FixedURL)
			if err != nil {
				return nil, fmt.Errorf("BUG: %s: %w", env.Path(""), err)
			}
			return &Debug{Base: *s, url: u}, nil
		},
	})
	kit.Register(kit.Type[suggest.Base]{
		Name:        "wiki_fruit",
		Development: true,
		New: func(s *suggest.Base, env *kit.Env) (suggest.Provider, error) {
			p := &WikiFruit{Base: *s, fruits: map[string]suggest.Suggestion{}}
			for q, article := range map[string]string{"apple": "Apple", "banana": "Banana", "cherry": "Cherry"} {
				sg, err := render(s, "Wikipedia - "+article, "https://en.wikipedia.org/wiki/"+article)
				if err != nil {
					return nil, fmt.Errorf("BUG: %s: %w", env.Path(""), err)
				}
				p.fruits[q] = sg
			}
			return p, nil
		},
	})
}

// Inline implements suggest.Provider.
func (p *Fixed) Inline() bool { return true }

// AppendKey implements suggest.Keyer: the answer never changes.
func (p *Fixed) AppendKey(dst []byte, _ *suggest.Request) []byte { return dst }

// Query implements suggest.Provider.
func (p *Fixed) Query(_ context.Context, _ *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	return append(dst, p.s), nil
}

// Null answers nothing.
type Null struct{ suggest.Base }

// Inline implements suggest.Provider.
func (p *Null) Inline() bool { return true }

// AppendKey implements suggest.Keyer: the answer never changes.
func (p *Null) AppendKey(dst []byte, _ *suggest.Request) []byte { return dst }

// Query implements suggest.Provider.
func (p *Null) Query(_ context.Context, _ *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	return dst, nil
}

// WikiFruit answers the exact queries apple, banana and cherry (case-sensitive, the whole
// query) with their Wikipedia article, as Rust Merino's WikiFruit does; nothing else (not
// "app", "apples" or "apple pie").
type WikiFruit struct {
	suggest.Base
	fruits map[string]suggest.Suggestion
}

// Inline implements suggest.Provider.
func (p *WikiFruit) Inline() bool { return true }

// AppendKey implements suggest.Keyer: the query alone.
func (p *WikiFruit) AppendKey(dst []byte, req *suggest.Request) []byte {
	return suggest.AppendKeyString(dst, req.Query)
}

// Query implements suggest.Provider.
func (p *WikiFruit) Query(_ context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	if s, ok := p.fruits[req.Query]; ok {
		return append(dst, s), nil
	}
	return dst, nil
}

// Debug answers one suggestion whose title is the request as a JSON object (Rust Merino's
// DebugProvider), so that a developer sees what a provider is given. Rendered per request.
type Debug struct {
	suggest.Base
	url string // FixedURL, normalised once
}

// Inline implements suggest.Provider: it only formats what the request holds.
func (p *Debug) Inline() bool { return true }

// debugRequest is the JSON the title holds.
type debugRequest struct {
	Query          string   `json:"query"`
	Source         string   `json:"source"`
	RequestType    string   `json:"request_type"`
	Country        string   `json:"country"`
	Regions        []string `json:"regions"`
	City           string   `json:"city"`
	Languages      []string `json:"languages"`
	ClientVariants []string `json:"client_variants"`
	Browser        string   `json:"browser"`
	OSFamily       string   `json:"os_family"`
	FormFactor     string   `json:"form_factor"`
	IsSoftPII      bool     `json:"is_soft_pii"`
}

// Query implements suggest.Provider.
func (p *Debug) Query(_ context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	title, err := json.Marshal(debugRequest{
		Query: req.Query, Source: req.Source, RequestType: req.RequestType,
		Country: req.Location.Country, Regions: req.Location.Regions, City: req.Location.City,
		Languages: req.Languages, ClientVariants: req.ClientVariants,
		Browser: req.UserAgent.Browser, OSFamily: req.UserAgent.OSFamily, FormFactor: req.UserAgent.FormFactor,
		IsSoftPII: req.IsSoftPII,
	})
	if err != nil {
		return dst, fmt.Errorf("cannot render the request: %w", err)
	}
	s := rendered(&p.Base, string(title), p.url)
	return append(dst, s), nil
}
