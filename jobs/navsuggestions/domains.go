package navsuggestions

import (
	"bytes"
	_ "embed" // the custom domains
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/mozilla-services/merino-go/jobs/bigquery"
)

// Sources of a domain, the manifest's "source".
const (
	SourceTopPicks = "top-picks"
	SourceCustom   = "custom-domains"
	SourceLocal    = "local-test"
)

// Domain is one row of the domain list: BigQuery's query row, plus its source.
type Domain struct {
	Rank   int64
	Domain string
	Host   string
	Origin string
	// Suffix is the public suffix ("co.uk").
	Suffix     string
	Categories []string
	Source     string
}

// customDomains is merino-py's CUSTOM_DOMAINS (custom_domains.txt, built by
// data/gen/customdomains; see PROVENANCE.md).
//
//go:embed custom_domains.txt
var customDomains string

// CustomDomains returns the embedded curated domains, in merino-py's order.
func CustomDomains() []string { return strings.Fields(customDomains) }

// domainQuery is merino-py's DOMAIN_DATA_QUERY: the top 1,000 apex domains Firefox users in
// the US and Canada visited since the start of last month, without the categories Mozilla
// does not recommend.
const domainQuery = `with apex_names as (
  select
    coalesce(tranco_host_rank, tranco_domain_rank) as rank,
    domain,
    replace(domain, suffix, "") as apex,
    host,
    origin,
    suffix
  FROM ` + "`moz-fx-data-shared-prod.domain_metadata_derived.top_domains_v1`" + `
  WHERE submission_date >= date_trunc(date_sub(current_date(), interval 1 month), month)
  and country_code in ('us', 'ca')
), ranked_apex_names as (
    select
      distinct first_value(domain) over apex_rank as domain,
      first_value(rank) over apex_rank as rank,
      first_value(host) over apex_rank as host,
      first_value(origin) over apex_rank as origin,
      first_value(suffix) over apex_rank as suffix,
    from apex_names
    window apex_rank as (
      partition by apex_names.apex order by rank asc
    )
    order by 2
), domains_with_categories AS (
    SELECT
      domain,
      categories
    FROM
      ` + "`moz-fx-data-shared-prod.domain_metadata_derived.domain_categories_v2`" + `
    WHERE
      NOT EXISTS(
        SELECT * FROM UNNEST(categories) AS c
        WHERE
          c.parent_id in (2, 8, 17, 21, 29, 31, 32, 33)
        OR
          c.id IN (81)
      )
      AND array_length(categories) > 0
)
select
  rank() over (order by rank) as rank,
  domain,
  host,
  origin,
  suffix,
  array(select c.name from unnest(categories) c) as categories,
from
  ranked_apex_names
inner join
  domains_with_categories
using (domain)
order by rank
limit 1000
`

// fromBigQuery runs the domain query and returns its rows as top-picks domains.
func fromBigQuery(rows []bigquery.Row) ([]Domain, error) {
	out := make([]Domain, 0, len(rows))
	for i, r := range rows {
		d := Domain{Source: SourceTopPicks}
		d.Rank, _ = r["rank"].(int64)
		d.Domain, _ = r["domain"].(string)
		d.Host, _ = r["host"].(string)
		d.Origin, _ = r["origin"].(string)
		d.Suffix, _ = r["suffix"].(string)
		if cats, ok := r["categories"].([]any); ok {
			for _, c := range cats {
				if s, ok := c.(string); ok {
					d.Categories = append(d.Categories, s)
				}
			}
		}
		if err := d.check(); err != nil {
			return nil, fmt.Errorf("BigQuery row %d: %w", i+1, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// checkHost reports whether host can be a domain to scrape: at least two lower-case ASCII
// labels of letters, digits, underscores and inner hyphens (punycode for other scripts).
func checkHost(host string) error {
	if len(host) == 0 || len(host) > 253 {
		return fmt.Errorf("%q is not a host name", clip(host))
	}
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return fmt.Errorf("%q is not a host name (one label)", clip(host))
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("%q is not a host name", clip(host))
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("%q is not a host name", clip(host))
			}
		}
	}
	return nil
}

// check validates a row and fills what a row may omit (host, origin, suffix, source).
func (d *Domain) check() error {
	d.Domain = strings.ToLower(strings.TrimSpace(d.Domain))
	host, path, _ := strings.Cut(d.Domain, "/")
	if checkHost(host) != nil {
		return fmt.Errorf("domain: %q is not a host name", clip(d.Domain))
	}
	for _, r := range path {
		if r <= ' ' || r == 0x7f || r == '?' || r == '#' || r == '\\' {
			return fmt.Errorf("domain: %q has a path that is not a URL path", clip(d.Domain))
		}
	}
	if d.Host == "" {
		d.Host = d.Domain
	}
	if d.Origin == "" {
		d.Origin = "http://" + d.Domain
	}
	if d.Suffix == "" {
		_, _, d.Suffix = splitHost(host)
	}
	if d.Source == "" {
		d.Source = SourceTopPicks
	}
	if d.Categories == nil {
		d.Categories = []string{}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// splitHost splits a host name as tldextract does with the ICANN section of the Public
// Suffix List: subdomain, registrable label and suffix ("www.example.co.uk" → "www",
// "example", "co.uk"). A private suffix (blogspot.com) is not one here, as in tldextract's
// default; a TLD missing from the list (".test") counts as one label of suffix, where
// tldextract makes it the label (jobs.md §8.1).
func splitHost(host string) (sub, label, suffix string) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	suffix, icann := publicsuffix.PublicSuffix(host)
	for !icann && strings.Contains(suffix, ".") {
		next, ok := publicsuffix.PublicSuffix(suffix[strings.IndexByte(suffix, '.')+1:])
		suffix, icann = next, ok
	}
	if suffix == host {
		return "", "", suffix
	}
	rest := strings.TrimSuffix(host, "."+suffix)
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		return rest[:i], rest[i+1:], suffix
	}
	return "", rest, suffix
}

// registrableLabel is tldextract's `domain` of a domain string (a path after it ignored).
func registrableLabel(domain string) string {
	host, _, _ := strings.Cut(domain, "/")
	_, label, _ := splitHost(host)
	return label
}

// parseCustomDomain is merino-py's _parse_custom_domain: a bare domain, possibly with a
// scheme, subdomains or a path, made a row; a "www." subdomain is dropped, others kept.
func parseCustomDomain(s string, rank int64) (Domain, error) {
	raw := s
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return Domain{}, fmt.Errorf("%q is not a domain", clip(s))
	}
	sub, label, suffix := splitHost(u.Hostname())
	if sub == "www" {
		sub = ""
	}
	full := label + "." + suffix
	if sub != "" {
		full = sub + "." + full
	}
	if u.Path != "" && u.Path != "/" {
		full += "/" + strings.TrimPrefix(u.Path, "/")
	}
	d := Domain{Rank: rank, Domain: full, Host: full, Origin: "http://" + full, Suffix: suffix, Categories: []string{"Inconclusive"}, Source: SourceCustom}
	if err := d.check(); err != nil {
		return Domain{}, err
	}
	return d, nil
}

// withCustomDomains appends the custom domains not already in the list (by exact string),
// ranked after the list's largest rank, as merino-py's download_data does. It returns the
// list and how many were duplicates.
func withCustomDomains(domains []Domain, custom []string) ([]Domain, int, error) {
	seen := make(map[string]bool, len(domains))
	rank := int64(0)
	for _, d := range domains {
		seen[d.Domain] = true
		rank = max(rank, d.Rank)
	}
	dups := 0
	for _, c := range custom {
		if seen[c] {
			dups++
			continue
		}
		seen[c] = true
		rank++
		d, err := parseCustomDomain(c, rank)
		if err != nil {
			return nil, 0, fmt.Errorf("custom domain: %w", err)
		}
		domains = append(domains, d)
	}
	return domains, dups, nil
}

// localSample is merino-py's local mode list: the first n custom domains.
func localSample(custom []string, n int) []Domain {
	n = min(n, len(custom))
	out := make([]Domain, 0, n)
	for i, c := range custom[:n] {
		out = append(out, Domain{Rank: int64(i + 1), Domain: c, Host: c, Origin: "https://" + c,
			Suffix: c[strings.LastIndexByte(c, '.')+1:], Categories: []string{"Local_Testing"}, Source: SourceLocal})
	}
	return out
}

// maxDomainsFile bounds a --domains-file.
const maxDomainsFile = 64 << 20

// readDomainsFile reads --domains-file: a JSON array of rows (`bq query --format=json`
// writes one, ranks as strings), JSON lines of rows, or one domain a line (blank lines and
// "#" comments skipped; ranked in file order). Every row is checked before anything is
// requested: a bad one is an error naming its line (or array index) and field.
func readDomainsFile(path string) ([]Domain, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxDomainsFile {
		return nil, fmt.Errorf("%s: %d bytes is more than the %d allowed", path, st.Size(), maxDomainsFile)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	var out []Domain
	switch {
	case len(trimmed) > 0 && trimmed[0] == '[':
		var rows []json.RawMessage
		if err := json.Unmarshal(trimmed, &rows); err != nil {
			return nil, fmt.Errorf("%s: not a JSON array of rows: %w", path, err)
		}
		for i, raw := range rows {
			d, err := parseRow(raw, int64(i+1))
			if err != nil {
				return nil, fmt.Errorf("%s row %d: %w", path, i+1, err)
			}
			out = append(out, d)
		}
	default:
		for n, line := range bytes.Split(data, []byte("\n")) {
			line = bytes.TrimSpace(line)
			if len(line) == 0 || line[0] == '#' {
				continue
			}
			var d Domain
			var err error
			if line[0] == '{' {
				d, err = parseRow(line, int64(len(out)+1))
			} else {
				d = Domain{Rank: int64(len(out) + 1), Domain: string(line)}
				err = d.check()
			}
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %w", path, n+1, err)
			}
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no domain", path)
	}
	return out, nil
}

// parseRow reads one row object; rank may be a number or a numeric string, and defaults to
// the row's position.
func parseRow(raw []byte, pos int64) (Domain, error) {
	var r struct {
		Rank       json.RawMessage `json:"rank"`
		Domain     *string         `json:"domain"`
		Host       string          `json:"host"`
		Origin     string          `json:"origin"`
		Suffix     string          `json:"suffix"`
		Categories []string        `json:"categories"`
		Source     string          `json:"source"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return Domain{}, fmt.Errorf("not a row object: %w", err)
	}
	if r.Domain == nil {
		return Domain{}, fmt.Errorf("domain: missing")
	}
	d := Domain{Rank: pos, Domain: *r.Domain, Host: r.Host, Origin: r.Origin, Suffix: r.Suffix, Categories: r.Categories, Source: r.Source}
	if len(r.Rank) > 0 && string(r.Rank) != "null" {
		s := strings.Trim(string(r.Rank), `"`)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return Domain{}, fmt.Errorf("rank: %s is not a whole number", clip(string(r.Rank)))
		}
		d.Rank = n
	}
	switch d.Source {
	case "", SourceTopPicks, SourceCustom, SourceLocal:
	default:
		return Domain{}, fmt.Errorf("source: %q is not top-picks, custom-domains or local-test", clip(d.Source))
	}
	return d, d.check()
}
