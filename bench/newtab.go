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
var newTabMarkets = []struct {
	locale, region string
	weight         int
	sections       bool
}{
	{"en-US", "US", 40, true}, {"de-DE", "DE", 14, false}, {"en-GB", "GB", 8, true}, {"fr-FR", "FR", 8, false},
	{"en-CA", "CA", 5, true}, {"es-ES", "ES", 5, false}, {"it-IT", "IT", 4, false}, {"pl-PL", "PL", 4, false},
	{"en-US", "IN", 3, false}, {"de-AT", "AT", 2, false}, {"de-CH", "CH", 2, false}, {"fr-BE", "BE", 1, false},
	{"en-IE", "IE", 1, true}, {"en-US", "", 1, false}, {"fr-CA", "CA", 1, false}, {"es-MX", "MX", 1, false},
}

// newTabStream builds n New Tab requests; the stream depends only on seed.
func newTabStream(sc *scenario, n int, seed uint64) *stream {
	st := &stream{scenario: sc.name, kinds: []string{"newtab", "legacy"}}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	total := 0
	for _, m := range newTabMarkets {
		total += m.weight
	}
	b := &browser{userAgent: userAgents[0], acceptLanguage: acceptLanguages[0]}
	for len(st.items) < n {
		w := rng.IntN(total)
		i := 0
		for ; w >= newTabMarkets[i].weight; i++ {
			w -= newTabMarkets[i].weight
		}
		m := newTabMarkets[i]
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
