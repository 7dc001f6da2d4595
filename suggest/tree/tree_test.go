package tree_test

import (
	"testing"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit/kittest"
)

// Which trees run inline (on the request goroutine): those that run only inline providers
// and wait for nothing.
func TestInline(t *testing.T) {
	b := kittest.Build(t, kittest.Load(t, "MERINO_ENV=testing", "MERINO_ACCUWEATHER__API_KEY=k",
		"MERINO_PROVIDERS__A__TYPE=keyword_filter", `MERINO_PROVIDERS__A__INNER={type="fixed", value="x"}`,
		"MERINO_PROVIDERS__B__TYPE=multiplexer", `MERINO_PROVIDERS__B__PROVIDERS=[{type="fixed", value="x"}, {type="wiki_fruit"}]`,
		"MERINO_PROVIDERS__C__TYPE=timeout", `MERINO_PROVIDERS__C__INNER={type="null"}`,
		"MERINO_PROVIDERS__D__TYPE=client_variant_switch", "MERINO_PROVIDERS__D__CLIENT_VARIANT=v",
		`MERINO_PROVIDERS__D__MATCHING_PROVIDER={type="null"}`,
		`MERINO_PROVIDERS__D__DEFAULT_PROVIDER={type="timeout", inner={type="accuweather"}}`,
		"MERINO_PROVIDERS__E__TYPE=stealth", `MERINO_PROVIDERS__E__INNER={type="accuweather"}`))
	want := map[string]bool{"a": true, "b": true, "c": true, "d": false, "e": false}
	for _, p := range b.Providers {
		if p.Inline() != want[p.ID()] {
			t.Errorf("%s: Inline() = %v", p.ID(), p.Inline())
		}
	}
}

// A tree's cache key is what its providers read: top_picks-like leaves the query only.
func TestKeys(t *testing.T) {
	b := kittest.Build(t, kittest.Load(t, "MERINO_ENV=testing",
		"MERINO_PROVIDERS__S__TYPE=client_variant_switch", "MERINO_PROVIDERS__S__CLIENT_VARIANT=v",
		`MERINO_PROVIDERS__S__MATCHING_PROVIDER={type="wiki_fruit"}`,
		`MERINO_PROVIDERS__S__DEFAULT_PROVIDER={type="multiplexer", providers=[{type="wiki_fruit"}, {type="fixed", value="x"}]}`))
	p := b.Providers[0]
	key := func(q, country string, variants ...string) string {
		req := &suggest.Request{Query: q, ClientVariants: variants}
		req.Location.Country = country
		return string(suggest.AppendKey(nil, p, req))
	}
	if key("apple", "US") != key("apple", "DE") {
		t.Error("the key depends on a field no provider of the tree reads")
	}
	if key("apple", "US") == key("apples", "US") || key("apple", "US") == key("apple", "US", "v") {
		t.Error("two requests answered differently share a key")
	}
}
