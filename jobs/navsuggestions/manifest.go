package navsuggestions

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"github.com/mozilla-services/merino-go/jobs/domaincategories"
	"github.com/mozilla-services/merino-go/jsonw"
)

// entry is one domain of the top picks manifest.
type entry struct {
	rank       int64
	domain     string
	categories []string
	serp       []int64 // nil writes null
	url, title string
	icon       string
	source     string
}

// object is the entry with merino-py's keys, in its order.
func (e *entry) object() jsonw.Object {
	var serp any // null when nil
	if e.serp != nil {
		serp = e.serp
	}
	return jsonw.Object{
		{Key: "rank", Value: e.rank}, {Key: "domain", Value: e.domain}, {Key: "categories", Value: e.categories},
		{Key: "serp_categories", Value: serp}, {Key: "url", Value: e.url}, {Key: "title", Value: e.title},
		{Key: "icon", Value: e.icon}, {Key: "source", Value: e.source},
	}
}

// serpCategories is merino-py's get_serp_categories: the categories of the URL's host in the
// domain → category table, Inconclusive (0) when absent.
func serpCategories(mapping domaincategories.Mapping, rawURL string) []int64 {
	u, err := url.Parse(rawURL)
	if err != nil {
		return []int64{int64(domaincategories.Inconclusive)}
	}
	cats, ok := mapping[domaincategories.Key(strings.ToLower(u.Hostname()))]
	if !ok {
		return []int64{int64(domaincategories.Inconclusive)}
	}
	out := make([]int64, len(cats))
	for i, c := range cats {
		out[i] = int64(c)
	}
	return out
}

// topPicks builds the manifest's domains (merino-py's construct_top_picks): every domain
// with a URL, in input order, except those not from top-picks that have no icon.
func topPicks(domains []Domain, results []result, mapping domaincategories.Mapping) []*entry {
	var out []*entry
	for i, d := range domains {
		r := results[i]
		if r.URL == "" || (r.Icon == "" && d.Source != SourceTopPicks) {
			continue
		}
		out = append(out, &entry{rank: d.Rank, domain: r.Domain, categories: d.Categories, serp: serpCategories(mapping, r.URL),
			url: r.URL, title: r.Title, icon: r.Icon, source: d.Source})
	}
	return out
}

// partnerEntry is one of the manifest's partners.
type partnerEntry struct {
	partner
	gcsIcon string
}

// manifestJSON is the top picks document, written as json.dumps(indent=4) writes it.
func manifestJSON(entries []*entry, partners []partnerEntry) []byte {
	ds := make([]any, len(entries))
	for i, e := range entries {
		ds[i] = e.object()
	}
	ps := make([]any, len(partners))
	for i, p := range partners {
		ps[i] = jsonw.Object{{Key: "domain", Value: p.domain}, {Key: "url", Value: p.url},
			{Key: "original_icon_url", Value: p.icon}, {Key: "gcs_icon_url", Value: p.gcsIcon}}
	}
	return jsonw.PythonIndent4.Marshal(jsonw.Object{{Key: "domains", Value: ds}, {Key: "partners", Value: ps}})
}

// errorsJSON is the errors manifest (construct_errors_manifest): every domain without an
// icon that has a reason.
func errorsJSON(domains []Domain, results []result) ([]byte, int) {
	var errs []any
	for i, d := range domains {
		if r := results[i]; r.Icon == "" && r.Reason != "" {
			errs = append(errs, jsonw.Object{{Key: "domain", Value: d.Domain}, {Key: "error_reason", Value: r.Reason}})
		}
	}
	if errs == nil {
		errs = []any{}
	}
	return jsonw.PythonIndent4.Marshal(jsonw.Object{{Key: "errors", Value: errs}}), len(errs)
}

// diff compares the new manifest with the previous one (merino-py's DomainDiff): unchanged
// and added second-level domains, added URLs.
func diff(entries []*entry, previous []byte, datedName string) jsonw.Object {
	var old struct {
		Domains []struct {
			Domain any `json:"domain"`
			URL    any `json:"url"`
		} `json:"domains"`
	}
	_ = json.Unmarshal(previous, &old) // a previous file that does not parse compares as empty
	oldDomains, oldURLs := map[string]bool{}, map[string]bool{}
	for _, d := range old.Domains {
		if s, ok := d.Domain.(string); ok {
			oldDomains[s] = true
		}
		if s, ok := d.URL.(string); ok {
			oldURLs[s] = true
		}
	}
	unchanged, added, addedURLs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, e := range entries {
		if oldDomains[e.domain] {
			unchanged[e.domain] = true
		} else {
			added[e.domain] = true
		}
		if !oldURLs[e.url] {
			addedURLs[e.url] = true
		}
	}
	urls := make([]string, 0, len(addedURLs))
	for u := range addedURLs {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	return jsonw.Object{
		{Key: "title", Value: "Top Picks Diff File for: " + datedName},
		{Key: "total_domains_unchanged", Value: len(unchanged)},
		{Key: "newly_added_domains", Value: len(added)},
		{Key: "newly_added_urls", Value: len(addedURLs)},
		{Key: "new_urls_summary", Value: urls},
	}
}
