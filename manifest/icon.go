package manifest

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/VictoriaMetrics/metrics"
	"golang.org/x/net/publicsuffix"

	"github.com/mozilla-services/merino-go/httpurl"
)

// icon is one entry of a snapshot's icon table.
type icon struct {
	url    string // the icon, as pydantic's HttpUrl writes it; "" when it is not a valid URL
	domain string // the registrable label (tldextract's "domain"), for the invalid-icon metric
}

// iconTable builds the domain lookup from the rendered body (whose urls are normalised).
func iconTable(body []byte) map[string]icon {
	var doc struct {
		Domains []struct{ URL, Icon string } `json:"domains"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	t := make(map[string]icon, len(doc.Domains))
	for _, d := range doc.Domains {
		full, label := FullDomain(hostOf(d.URL))
		if full == "" {
			continue
		}
		u, err := httpurl.Normalize(d.Icon)
		if err != nil {
			u = ""
		}
		t[full] = icon{url: u, domain: label}
	}
	return t
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// FullDomain is merino-py's _extract_full_domain on a host: the host without a leading "www"
// label when that label is the whole subdomain (www.bbc.co.uk → bbc.co.uk; news.bbc.co.uk and
// www.news.bbc.co.uk stay). It also returns the registrable label ("bbc").
func FullDomain(host string) (full, label string) {
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return "", ""
	}
	reg, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		// A bare suffix or a single label: tldextract keeps it whole.
		return host, host
	}
	label, _, _ = strings.Cut(reg, ".")
	if host == "www."+reg {
		return reg, label
	}
	return host, label
}

// Icon returns the icon of the manifest entry whose full domain is pageURL's, as merino-py's
// get_icon_url does for the curated corpus: "" when there is no entry, no manifest, or the
// entry's icon is not a valid URL (counted as merino_manifest_invalid_icon_url_total{domain}).
// It is called when a corpus response is parsed, not per request.
func (h *Holder) Icon(pageURL string) string {
	s := h.Load()
	if s == nil || s.icons == nil {
		return ""
	}
	norm, err := httpurl.Normalize(pageURL)
	if err != nil {
		return ""
	}
	full, _ := FullDomain(hostOf(norm))
	e, ok := s.icons[full]
	if !ok {
		return ""
	}
	if e.url == "" {
		metrics.GetOrCreateCounter(`merino_manifest_invalid_icon_url_total{domain="` + promLabel(e.domain) + `"}`).Inc()
	}
	return e.url
}

// promLabel escapes a Prometheus label value.
func promLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
