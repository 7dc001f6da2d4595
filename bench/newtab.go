package main

import (
	"fmt"
	"math/rand/v2"
)

// The newtab scenario is Firefox's New Tab asking for stories (reference §17): a POST per
// New Tab opened or refreshed, the body Firefox 153 sends, spread over the markets by an
// estimate of each one's share of New Tab users; English users in the US, GB, CA and IE ask
// for the sections feed (Firefox's default there). Two in a hundred requests are the legacy
// GETs older Firefoxes send. No request carries a count: Firefox never does.
var newTabMarkets = []newTabMarket{
	{"en-US", "US", 40, true}, {"de-DE", "DE", 14, false}, {"en-GB", "GB", 8, true}, {"fr-FR", "FR", 8, false},
	{"en-CA", "CA", 5, true}, {"es-ES", "ES", 5, false}, {"it-IT", "IT", 4, false}, {"pl-PL", "PL", 4, false},
	{"en-US", "IN", 3, false}, {"de-AT", "AT", 2, false}, {"de-CH", "CH", 2, false}, {"fr-BE", "BE", 1, false},
	{"en-IE", "IE", 1, true}, {"en-US", "", 1, false}, {"fr-CA", "CA", 1, false}, {"es-MX", "MX", 1, false},
}

type newTabMarket struct {
	locale, region string
	weight         int
	sections       bool // Firefox asks for the sections feed there
}

// drawMarket picks a market with probability proportional to its weight.
func drawMarket(rng *rand.Rand, markets []newTabMarket) newTabMarket {
	total := 0
	for _, m := range markets {
		total += m.weight
	}
	w := rng.IntN(total)
	i := 0
	for ; w >= markets[i].weight; i++ {
		w -= markets[i].weight
	}
	return markets[i]
}

// newTabStream builds n New Tab requests; the stream depends only on seed.
func newTabStream(sc *scenario, n int, seed uint64) *stream {
	st := &stream{scenario: sc.name, kinds: []string{"newtab", "legacy"}}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := &browser{userAgent: userAgents[0], acceptLanguage: acceptLanguages[0]}
	for len(st.items) < n {
		m := drawMarket(rng, newTabMarkets)
		locale := m.locale
		if locale == "fr-CA" || locale == "es-MX" {
			locale = locale[:2] // Firefox sends a supported locale; these users have the bare language
		}
		if rng.IntN(50) == 0 {
			uri := "/api/v1/curated-recommendations/legacy-115-129?locale=" + locale + "&region=" + m.region
			prefix := `{"data":[`
			if rng.IntN(2) == 0 {
				uri = "/api/v1/curated-recommendations/legacy-114?locale_lang=" + locale + "&region=" + m.region
				prefix = `{"status":1,`
			}
			st.items = append(st.items, item{uri: uri, browser: b, kind: 1, bodyPrefix: prefix})
			continue
		}
		region := `"` + m.region + `"`
		if m.region == "" {
			region = "null"
		}
		body := fmt.Sprintf(`{"inferredInterests":null,"locale":%q,"region":%s,"topics":[],"sections":[],"enableInterestPicker":false`, locale, region)
		if m.sections {
			body += `,"feeds":["sections"]`
		}
		body += "}"
		st.items = append(st.items, item{uri: "/api/v1/curated-recommendations", browser: b, kind: 0,
			body: []byte(body), bodyPrefix: `{"recommendedAt":`})
	}
	return st
}

// The newtab-sections scenario is the sections feed alone: Firefox's default request in the
// English markets that have it, weighted as in newtab, with the variations users bring: one in
// five shows the interest picker, one in ten has followed or blocked sections (followedAt with
// milliseconds, as Firefox writes it), one in twenty sends the inferred-interest values of the
// v3 model.
var sectionsMarkets = func() []newTabMarket {
	var out []newTabMarket
	for _, m := range newTabMarkets {
		if m.sections {
			out = append(out, m)
		}
	}
	return out
}()

var sectionsFollows = []string{
	`[{"sectionId":"nfl","isFollowed":true,"isBlocked":false,"followedAt":"2026-05-03T18:07:31.991Z"}]`,
	`[{"sectionId":"food","isFollowed":true,"isBlocked":false,"followedAt":"2026-01-17T09:12:03.120Z"},{"sectionId":"government","isFollowed":false,"isBlocked":true}]`,
	`[{"sectionId":"tech","isFollowed":true,"isBlocked":false,"followedAt":"2026-06-01T21:00:00.000Z"},{"sectionId":"sports","isFollowed":true,"isBlocked":false,"followedAt":"2025-11-30T07:45:10.500Z"},{"sectionId":"arts","isFollowed":false,"isBlocked":true}]`,
}

const sectionsInterests = `{"model_id":"inferred-v3-model","values":["0100","0001","1000","0110","0000","0010","0001","0010"]}`

// newTabSectionsStream builds n sections requests; the stream depends only on seed.
func newTabSectionsStream(sc *scenario, n int, seed uint64) *stream {
	st := &stream{scenario: sc.name, kinds: []string{"sections"}}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := &browser{userAgent: userAgents[0], acceptLanguage: acceptLanguages[0]}
	for len(st.items) < n {
		m := drawMarket(rng, sectionsMarkets)
		interests, follows, picker := "null", "[]", rng.IntN(5) == 0
		if rng.IntN(10) == 0 {
			follows = sectionsFollows[rng.IntN(len(sectionsFollows))]
		}
		if rng.IntN(20) == 0 {
			interests = sectionsInterests
		}
		body := fmt.Sprintf(`{"inferredInterests":%s,"locale":%q,"region":%q,"topics":[],"sections":%s,"enableInterestPicker":%v,"feeds":["sections"]}`,
			interests, m.locale, m.region, follows, picker)
		st.items = append(st.items, item{uri: "/api/v1/curated-recommendations", browser: b, kind: 0,
			body: []byte(body), bodyPrefix: `{"recommendedAt":`})
	}
	return st
}
