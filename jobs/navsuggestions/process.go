package navsuggestions

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"unicode"
)

// customFavicons is merino-py's CUSTOM_FAVICONS: favicons chosen by hand for sites that
// block scrapers or whose pages name only small icons, by registrable label.
var customFavicons = map[string]string{
	"axios":      "https://static.axios.com/icons/favicon.svg",
	"espn":       "https://a.espncdn.com/favicon.ico",
	"ign":        "https://kraken.ignimgs.com/favicon.ico",
	"infobae":    "https://www.infobae.com/pf/resources/favicon/favicon-32x32.png?d=3209",
	"mozilla":    "https://www.mozilla.org/media/img/favicons/mozilla/favicon-196x196.e143075360ea.png",
	"ndtv":       "https://www.ndtv.com/images/icons/ndtv.ico",
	"reuters":    "https://www.reuters.com/pf/resources/images/reuters/favicon/tr_kinesis_v2.svg?d=287",
	"si":         "https://images2.minutemediacdn.com/image/upload/v1713365891/shape/cover/sport/SI-f87ae31620c381274a85426b5c4f1341.ico",
	"telegraph":  "https://www.telegraph.co.uk/etc.clientlibs/settings/wcm/designs/telegraph/core/clientlibs/core/resources/icons/favicon-196x196.png",
	"theverge":   "https://www.theverge.com/static-assets/icons/android-chrome-512x512.png",
	"yahoo":      "https://s.yimg.com/rz/l/favicon.ico",
	"bloomberg":  "https://www.bloomberg.com/apple-touch-icon.png",
	"britannica": "https://cdn.britannica.com/mendel-resources/3-124/images/shared/default3.png",
	"carvana":    "https://www.carvana.com/apple-touch-icon.png",
	"dell":       "https://www.dell.com/apple-touch-icon.png",
	"lego":       "https://www.lego.com/apple-touch-icon.png",
	"patreon":    "https://www.patreon.com/apple-touch-icon.png",
	"pixabay":    "https://www.pixabay.com/apple-touch-icon.png",
	"rumble":     "https://www.rumble.com/apple-touch-icon.png",
	"bing":       "https://www.bing.com/apple-touch-icon.png",
	"booking":    "https://www.booking.com/apple-touch-icon.png",
	"ebay":       "https://www.ebay.com/apple-touch-icon.png",
	"etsy":       "https://www.etsy.com/apple-touch-icon.png",
	"google":     "https://www.gstatic.com/images/branding/googleg/1x/googleg_standard_color_128dp.png",
	"imdb":       "https://www.imdb.com/apple-touch-icon.png",
	"twitch":     "https://www.twitch.tv/apple-touch-icon.png",
}

// partner is one of merino-py's PARTNER_FAVICONS, re-hosted on the CDN for the manifest's
// "partners".
type partner struct{ domain, url, icon string }

var partnerFavicons = []partner{{
	domain: "wikipedia",
	url:    "https://www.wikipedia.org",
	icon:   "https://prod-images.merino.prod.webservices.mozgcp.net/favicons/4c8bf96d667fa2e9f072bdd8e9f25c8ba6ba2ad55df1af7d9ea0dd575c12abee_1313.png",
}}

// secondLevelDomain is merino-py's get_second_level_domain: the domain less its suffix, then
// the last label, or the last two when the last is a two-letter country-like one
// ("example.co.uk" with suffix "uk" → "example.co"); the whole domain when the suffix does
// not match, "" when the domain is the suffix.
func secondLevelDomain(domain, suffix string) string {
	if domain == "" || suffix == "" || domain == suffix {
		return ""
	}
	rest, ok := strings.CutSuffix(domain, "."+suffix)
	if !ok {
		return domain
	}
	parts := strings.Split(rest, ".")
	if len(parts) >= 2 {
		last := parts[len(parts)-1]
		if len([]rune(last)) == 2 && isAlpha(last) {
			return parts[len(parts)-2] + "." + last
		}
		return last
	}
	return parts[0]
}

func isAlpha(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// blocked is merino-py's is_domain_blocked: the domain, its registrable label or its second
// level domain is in the blocklist.
func blocked(d Domain, blocklist map[string]bool) bool {
	return d.Domain != "" && len(blocklist) > 0 &&
		(blocklist[d.Domain] || blocklist[registrableLabel(d.Domain)] || blocklist[secondLevelDomain(d.Domain, d.Suffix)])
}

// matchingDomain is merino-py's _is_matching_domain: the final URL of a scrape belongs to
// the domain when it contains it, or has the same registrable label (zoom.us → zoom.com).
func matchingDomain(domain, finalURL string) bool {
	if strings.Contains(finalURL, domain) {
		return true
	}
	expected := registrableLabel(domain)
	host := finalURL
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	host, _, _ = strings.Cut(host, "/")
	host, _, _ = strings.Cut(host, ":")
	return expected != "" && expected == registrableLabel(host)
}

// result is what processing one domain found (merino-py's per-domain dict).
type result struct {
	// URL is the site's scheme and host; "" when nothing was found (merino-py's None).
	URL    string
	Title  string
	Icon   string
	Domain string // the second-level domain
	// Reason is the error_reason, "" when none.
	Reason string
	// Custom says the icon is a custom favicon.
	Custom bool
}

// processor works out each domain's result.
type processor struct {
	web       *web
	store     store
	minWidth  int
	blocklist map[string]bool
	// cdnPrefix is "https://<cdn hostname>": a favicon URL already there is not re-hosted.
	cdnPrefix string
	force     bool
	log       *slog.Logger
}

// process handles one domain. Fetches run under siteCtx (the domain's time budget), uploads
// under ctx: a slow site never cuts an upload short. Nothing here fails the run: every
// failure becomes the result's reason.
func (p *processor) process(ctx, siteCtx context.Context, d Domain) (r result) {
	defer func() {
		if e := recover(); e != nil {
			p.log.Error(fmt.Sprintf("Error processing domain: %v", e), "domain", d.Domain)
			r = result{Reason: fmt.Sprintf("processing_exception: %v", e)}
		}
	}()
	if blocked(d, p.blocklist) {
		return result{Reason: "domain_in_blocklist"}
	}
	sld := secondLevelDomain(d.Domain, d.Suffix)
	f := &fetcher{w: p.web, client: p.web.client(nil), cache: map[string]*response{}}
	if r, ok := p.customFavicon(ctx, siteCtx, f, d.Domain, sld); ok {
		return r
	}
	return p.scrape(ctx, siteCtx, f, d.Domain, sld)
}

// rehost downloads a favicon from u and uploads it; a URL already on the CDN is kept. It
// returns "" when the download fails.
func (p *processor) rehost(ctx, siteCtx context.Context, f *fetcher, u string) (string, error) {
	if p.cdnPrefix != "" && strings.HasPrefix(u, p.cdnPrefix) {
		return u, nil
	}
	ic := download(siteCtx, f, []candidate{{href: u}}, []string{u})[0]
	if ic == nil {
		return "", nil
	}
	return p.store.putFavicon(ctx, faviconName(ic.data, ic.contentType), ic.data, ic.contentType, p.force)
}

// customFavicon uses the hand-picked favicon of the domain's label, if any, and does not
// scrape the site.
func (p *processor) customFavicon(ctx, siteCtx context.Context, f *fetcher, domain, sld string) (result, bool) {
	u := customFavicons[registrableLabel(domain)]
	if u == "" {
		return result{}, false
	}
	iconURL, err := p.rehost(ctx, siteCtx, f, u)
	if err != nil {
		p.log.Warn(fmt.Sprintf("Failed to process custom favicon for %s: %v", domain, err))
		return result{}, false
	}
	if iconURL == "" {
		return result{}, false
	}
	p.log.Info("Used custom favicon for: " + domain)
	return result{URL: "https://" + domain, Title: capitalize(sld), Icon: iconURL, Domain: sld, Custom: true}, true
}

// scrape opens https://<domain> (then https://www.<domain>), and takes the site's URL, title
// and favicon from the page it lands on.
func (p *processor) scrape(ctx, siteCtx context.Context, f *fetcher, domain, sld string) result {
	c := p.web.client(newJar())
	resp, err := p.web.get(siteCtx, c, "https://"+domain, maxPageBytes, true)
	if err != nil {
		p.log.Debug(fmt.Sprintf("Failed to open https://%s: %v", domain, err))
		resp, err = p.web.get(siteCtx, c, "https://www."+domain, maxPageBytes, true)
	}
	if err != nil {
		p.log.Debug(fmt.Sprintf("Failed to open https://www.%s: %v", domain, err))
		return result{Reason: "connection_failed: timeout or network error"}
	}
	final := resp.URL.String()
	if !matchingDomain(domain, final) {
		return result{Reason: fmt.Sprintf("domain_mismatch_after_redirect: expected %s, got %s", domain, final)}
	}
	pg := parsePage(resp.Body)
	if pg.botBlocked() {
		return result{Reason: fmt.Sprintf("blocked_by_bot_protection: HTTP %d", resp.Status)}
	}
	base := resp.URL.Scheme + "://" + resp.URL.Host
	title := sanitizeTitle(pg.title)
	if title == "" {
		title = capitalize(sld)
	}
	r := result{URL: base, Title: title, Domain: sld}
	cands := candidates(siteCtx, f, pg, base)
	if len(cands) == 0 {
		r.Reason = "no_favicons_found"
		return r
	}
	ic, reason := choose(siteCtx, f, cands, base, p.minWidth)
	if ic == nil {
		r.Reason = reason
		return r
	}
	iconURL, err := p.store.putFavicon(ctx, faviconName(ic.data, ic.contentType), ic.data, ic.contentType, p.force)
	if err != nil {
		p.log.Warn(fmt.Sprintf("Failed to upload favicon of %s: %v", domain, err))
		r.Reason = "favicon_upload_failed"
		return r
	}
	p.log.Info("Found favicon for domain: " + domain)
	r.Icon = iconURL
	return r
}
