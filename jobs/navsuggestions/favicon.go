package navsuggestions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mozilla-services/merino-go/jobs/navsuggestions/imagesize"
)

// maxIcons is how many candidates a page gives at most (DEFAULT_MAX_FAVICON_ICONS).
const maxIcons = 5

// sourcePriority is FAVICON_SOURCE_PRIORITY: a candidate from a <link> beats one from a
// <meta>, which beats a manifest's, which beats /favicon.ico, whatever their sizes.
var sourcePriority = map[string]int{"link": 1, "meta": 2, "manifest": 3, "default": 4}

// candidate is one favicon URL found for a site.
type candidate struct {
	href string
	// source is link, meta, manifest or default.
	source string
	// attrs are the element's attributes (a "mask" one marks a Safari mask icon).
	attrs attrs
}

// icon is a downloaded image.
type icon struct {
	url, contentType string
	data             []byte
	cand             candidate
}

// problematic are URLs merino-py skips (is_problematic_favicon_url).
func problematic(u string) bool {
	l := strings.ToLower(u)
	return strings.HasPrefix(l, "javascript:") || strings.HasPrefix(l, "mailto:") || strings.HasPrefix(l, "data:") ||
		strings.Contains(l, "/application/manifest+json;base64,")
}

// join is urllib's urljoin(base, ref); "" when either does not parse.
func join(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	return b.ResolveReference(r).String()
}

// candidateURL is merino-py's process_favicon_url: nothing for a problematic URL, a relative
// one resolved against base.
func candidateURL(href, base, source string, a attrs) (candidate, bool) {
	if problematic(href) {
		return candidate{}, false
	}
	if !strings.HasPrefix(href, "http://") && !strings.HasPrefix(href, "https://") && !strings.HasPrefix(href, "//") {
		href = join(base, href)
		if href == "" {
			return candidate{}, false
		}
	}
	return candidate{href: href, source: source, attrs: a}, true
}

// normalizePath removes dot segments as urljoin("http://dummy", path) does.
func normalizePath(u *url.URL) string {
	if u.Path == "" {
		u.RawPath = ""
		return u.String()
	}
	dummy := &url.URL{Scheme: "http", Host: "dummy"}
	u.Path = dummy.ResolveReference(&url.URL{Path: u.Path}).Path
	u.RawPath = ""
	return u.String()
}

// fixURL is merino-py's fix_url: a protocol-relative URL made https, dot segments removed, a
// scheme-less "example.com/f.ico" made https, other relative ones resolved against base; ""
// when nothing sensible remains.
func fixURL(raw, base string) string {
	switch {
	case raw == "" || raw == "/":
		return ""
	case strings.HasPrefix(raw, "//"):
		return "https:" + raw
	case strings.HasPrefix(raw, "http://") || strings.HasPrefix(raw, "https://"):
		u, err := url.Parse(raw)
		if err != nil {
			return ""
		}
		return normalizePath(u)
	case strings.HasPrefix(raw, "/") || (base != "" && !(strings.Contains(raw, "://") || strings.Count(raw, ".") > 1)):
		if base == "" {
			return ""
		}
		return join(base, raw)
	case strings.Contains(raw, ".") && !strings.HasPrefix(raw, "."):
		u, err := url.Parse("https://" + raw)
		if err != nil {
			return ""
		}
		return normalizePath(u)
	case base != "":
		return join(base, raw)
	}
	return ""
}

// linkPriority is Firefox's order of <link> icons (merino-py's _link_priority_key): SVGs,
// then apple-touch icons, then icons with sizes by width descending, then the rest.
func linkPriority(a attrs) (int, int) {
	href := strings.ToLower(a["href"])
	if strings.HasSuffix(href, ".svg") {
		return 0, 0
	}
	if strings.Contains(a["rel"], "apple-touch") {
		return 1, 0
	}
	if sizes := strings.ToLower(a["sizes"]); strings.Contains(sizes, "x") {
		if w, err := strconv.Atoi(pyIntText(sizes[:strings.IndexByte(sizes, 'x')])); err == nil {
			return 2, -w
		}
	}
	return 3, 0
}

// iconLinks are the <link> icons in Firefox's order, Safari mask icons (with a color)
// left out.
func iconLinks(all []attrs) []attrs {
	var links []attrs
	for _, l := range all {
		if _, masked := l["color"]; !masked {
			links = append(links, l)
		}
	}
	sort.SliceStable(links, func(i, j int) bool {
		ti, si := linkPriority(links[i])
		tj, sj := linkPriority(links[j])
		return ti < tj || (ti == tj && si < sj)
	})
	return links
}

// pyIntText trims what Python's int() accepts around digits.
func pyIntText(s string) string { return strings.TrimSpace(strings.TrimPrefix(s, "+")) }

// fetcher downloads the resources of one site, each URL once.
type fetcher struct {
	w      *web
	client *http.Client
	mu     sync.Mutex
	cache  map[string]*response
}

// get returns a 200 answer for u, or nil (merino-py's requests_get / download_favicon).
func (f *fetcher) get(ctx context.Context, u string, max int64) *response {
	f.mu.Lock()
	r, ok := f.cache[u]
	f.mu.Unlock()
	if ok {
		return r
	}
	r, err := f.w.get(ctx, f.client, u, max, false)
	if err != nil || r.Status != http.StatusOK {
		r = nil
	}
	f.mu.Lock()
	f.cache[u] = r
	f.mu.Unlock()
	return r
}

// candidates are the favicon URLs of a page (merino-py's FaviconExtractor.extract_favicons),
// at most maxIcons, in priority order: <link> icons (Safari mask icons, with a color,
// skipped), <meta> icons, /apple-touch-icon.png when it answers an image, /favicon.ico
// only when no <link> icon was found (Firefox's rule), the icons of the first manifest.
func candidates(ctx context.Context, f *fetcher, p *page, base string) []candidate {
	links := iconLinks(p.links)
	var out []candidate
	for _, l := range links[:min(len(links), maxIcons)] {
		if c, ok := candidateURL(l["href"], base, "link", l); ok {
			out = append(out, c)
		}
	}
	hasLinks := len(out) > 0
	if len(out) >= maxIcons {
		return out
	}
	for _, m := range p.metas[:min(len(p.metas), maxIcons-len(out))] {
		if c, ok := candidateURL(m["content"], base, "meta", m); ok {
			out = append(out, c)
		}
	}
	if len(out) >= maxIcons {
		return out
	}
	if r := f.get(ctx, join(base, "/apple-touch-icon.png"), maxImageBytes); r != nil && strings.Contains(r.ContentType, "image/") {
		out = append(out, candidate{href: r.URL.String(), source: "link"})
	}
	if len(out) < maxIcons && !hasLinks {
		if r := f.get(ctx, join(base, "favicon.ico"), maxImageBytes); r != nil {
			out = append(out, candidate{href: r.URL.String(), source: "default"})
		}
	}
	if len(out) < maxIcons && len(p.manifests) > 0 {
		if href := p.manifests[0]["href"]; href != "" {
			manifestURL := join(base, href)
			out = append(out, manifestIcons(ctx, f, manifestURL, maxIcons-len(out))...)
		}
	}
	return out
}

// manifestIcons are the icons of a web app manifest, resolved against its URL.
func manifestIcons(ctx context.Context, f *fetcher, manifestURL string, n int) []candidate {
	if manifestURL == "" || problematic(manifestURL) {
		return nil
	}
	r := f.get(ctx, manifestURL, maxManifest)
	if r == nil {
		return nil
	}
	var doc struct {
		Icons []json.RawMessage `json:"icons"`
	}
	if json.Unmarshal(r.Body, &doc) != nil {
		return nil
	}
	var out []candidate
	for _, raw := range doc.Icons[:min(len(doc.Icons), n)] {
		var ic struct {
			Src string `json:"src"`
		}
		if json.Unmarshal(raw, &ic) != nil {
			continue
		}
		if c, ok := candidateURL(ic.Src, manifestURL, "manifest", nil); ok {
			out = append(out, c)
		}
	}
	return out
}

// download fetches the icons of urls concurrently; a failed one is nil.
func download(ctx context.Context, f *fetcher, cands []candidate, urls []string) []*icon {
	out := make([]*icon, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := f.get(ctx, u, maxImageBytes); r != nil {
				ct := r.ContentType
				if ct == "" {
					ct = "image/unknown"
				}
				out[i] = &icon{url: u, contentType: ct, data: r.Body, cand: cands[i]}
			}
		}()
	}
	wg.Wait()
	return out
}

// choose picks the favicon among the candidates (merino-py's FaviconProcessor): the first
// SVG that answers image/svg+xml and is not a mask icon, else the best bitmap — better
// source first, then larger min(width, height) — if it is at least minWidth wide. It returns
// the icon, or nil and merino-py's error reason. Only the choice is uploaded (merino-py
// uploads every successive best).
func choose(ctx context.Context, f *fetcher, cands []candidate, base string, minWidth int) (*icon, string) {
	var svgs, bitmaps []candidate
	var svgURLs, bitmapURLs []string
	for _, c := range cands {
		u := fixURL(c.href, base)
		if !strings.Contains(u, "://") {
			continue
		}
		if strings.HasSuffix(strings.ToLower(u), ".svg") {
			svgs, svgURLs = append(svgs, c), append(svgURLs, u)
		} else {
			bitmaps, bitmapURLs = append(bitmaps, c), append(bitmapURLs, u)
		}
	}
	if len(svgs)+len(bitmaps) == 0 {
		return nil, "no_valid_favicon_urls"
	}
	for _, ic := range download(ctx, f, svgs, svgURLs) {
		if ic == nil || !strings.Contains(ic.contentType, "image/svg+xml") {
			continue
		}
		if _, masked := ic.cand.attrs["mask"]; !masked {
			return ic, ""
		}
	}
	var best *icon
	bestWidth, bestSource, failed := 0, "default", 0
	for _, ic := range download(ctx, f, bitmaps, bitmapURLs) {
		if ic == nil || !strings.Contains(ic.contentType, "image/") {
			continue
		}
		w, h, _, err := imagesize.Of(ic.data)
		if err != nil {
			if strings.Contains(ic.contentType, "image/svg+xml") {
				return ic, "" // an SVG without the .svg name
			}
			failed++
			continue
		}
		width := min(w, h)
		p, bp := priority(ic.cand.source), priority(bestSource)
		if p < bp || (p == bp && width > bestWidth) {
			best, bestWidth, bestSource = ic, width, ic.cand.source
		}
	}
	switch {
	case best != nil && bestWidth >= minWidth:
		return best, ""
	case bestWidth > 0 && bestWidth < minWidth:
		return nil, "below_minimum_width"
	case failed > 0 && failed == len(bitmaps):
		return nil, "all_favicons_invalid_format: PIL cannot decode images"
	case failed > 0:
		return nil, fmt.Sprintf("no_suitable_favicon_found: %d/%d images failed validation", failed, len(bitmaps))
	}
	return nil, "no_suitable_favicon_found"
}

func priority(source string) int {
	if p, ok := sourcePriority[source]; ok {
		return p
	}
	return 4
}

// faviconName is the object name of a favicon: favicons/<sha256 hex>_<length><extension>, the
// extension from the content type matched exactly (merino-py's destination_favicon_name).
func faviconName(data []byte, contentType string) string {
	sum := sha256.Sum256(data)
	ext := ".oct"
	switch contentType {
	case "image/jpeg", "image/jpg":
		ext = ".jpeg"
	case "image/png":
		ext = ".png"
	case "image/svg+xml":
		ext = ".svg"
	case "image/x-icon":
		ext = ".ico"
	case "image/webp":
		ext = ".webp"
	case "image/gif":
		ext = ".gif"
	}
	return "favicons/" + hex.EncodeToString(sum[:]) + "_" + strconv.Itoa(len(data)) + ext
}
