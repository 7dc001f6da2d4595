package navsuggestions

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/index/domains"
	"github.com/mozilla-services/merino-go/jobs/jobstest"
	"github.com/mozilla-services/merino-go/jobs/navsuggestions/webtest"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/toppicks"
)

// TestTopSites100 runs the job over the first 100 domains of ../shared/data/top-sites (Moz's
// top 500) against a fake web built from them, the favicons the 16 real tippy-top PNGs and
// generated images, the sites of ten kinds (a redirect to www., an SVG, only /favicon.ico, only
// a manifest, an apple-touch icon, too small an icon, a bot wall, several sizes, a hanging
// site, a 5 MB icon beside a good one). It checks that the top picks loader accepts the
// manifest and that the provider serves each site that should be served, and reports the
// run's duration and peak heap. It takes a few seconds but needs ../shared/data: set
// MERINO_NAV_TOPSITES=1 (make nav-topsites).
func TestTopSites100(t *testing.T) {
	if os.Getenv("MERINO_NAV_TOPSITES") == "" {
		t.Skip("the 100-domain run: set MERINO_NAV_TOPSITES=1 (make nav-topsites)")
	}
	var top []struct {
		Rank       int    `json:"rank"`
		RootDomain string `json:"rootDomain"`
	}
	var raw []byte
	for _, dir := range []string{"../../../shared/data", "/work/shared/data"} {
		if b, err := os.ReadFile(filepath.Join(dir, "top-sites/top-sites.moz-top500.json")); err == nil {
			raw = b
			break
		}
	}
	if raw == nil {
		t.Skip("../shared/data/top-sites is absent")
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatal(err)
	}
	icons, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "data", "top-sites", "tippy-top-sites-npm", "images", "*.png"))
	if len(icons) == 0 {
		icons, _ = filepath.Glob("/work/shared/data/top-sites/tippy-top-sites-npm/images/*.png")
	}
	var real [][]byte
	for _, p := range icons {
		b, _ := os.ReadFile(p)
		real = append(real, b)
	}
	if len(real) == 0 {
		real = [][]byte{webtest.PNG(160, 160)}
	}

	h := newHarness(t)
	var list []string
	served := map[string]bool{} // domain → expected in the manifest with a URL
	seen := map[string]bool{}
	for _, s := range top {
		d := strings.TrimPrefix(strings.ToLower(s.RootDomain), "www.")
		if seen[d] {
			continue
		}
		seen[d] = true
		i := len(list)
		list = append(list, d)
		title := capitalize(registrableLabel(d)) + " — the site"
		pg := func(head string) webtest.Response { return homePage(title, head) }
		sites := map[string]webtest.Response{}
		host := d
		switch i % 10 {
		case 0:
			h.web.Site(d, map[string]webtest.Response{"/": {Status: http.StatusMovedPermanently, Location: "https://www." + d + "/"}})
			host = "www." + d
			sites["/"] = pg(`<link rel="icon" href="/i.png" sizes="128x128">`)
			sites["/i.png"] = img("image/png", webtest.PNG(128, 128))
		case 1:
			sites["/"] = pg(`<link rel="icon" href="/logo.svg" type="image/svg+xml"><link rel="icon" href="/f.ico">`)
			sites["/logo.svg"] = img("image/svg+xml", webtest.SVG)
		case 2:
			sites["/"] = pg("")
			sites["/favicon.ico"] = img("image/x-icon", webtest.ICO(16, 32, 64))
		case 3:
			sites["/"] = pg(`<link rel="manifest" href="/manifest.json">`)
			sites["/manifest.json"] = webtest.Response{ContentType: "application/manifest+json", Body: []byte(`{"name":"x","icons":[{"src":"/a/192.png","sizes":"192x192"},{"src":"/a/512.png"}]}`)}
			sites["/a/192.png"] = img("image/png", webtest.PNG(192, 192))
			sites["/a/512.png"] = img("image/png", webtest.PNG(512, 512))
		case 4:
			sites["/"] = pg(`<link rel="apple-touch-icon" href="/apple-touch-icon.png"><link rel="icon" href="/16.png" sizes="16x16">`)
			sites["/apple-touch-icon.png"] = img("image/png", real[i%len(real)])
			sites["/16.png"] = img("image/png", webtest.PNG(16, 16))
		case 5:
			sites["/"] = pg(`<link rel="icon" href="/32.png">`)
			sites["/32.png"] = img("image/png", webtest.PNG(32, 32))
		case 6:
			sites["/"] = webtest.Response{Status: http.StatusForbidden, ContentType: "text/html", Body: htmlDoc("Attention Required! | Cloudflare", "")}
		case 7:
			sites["/"] = pg(`<link rel="icon" href="/16.png" sizes="16x16"><link rel="icon" href="/96.png" sizes="96x96"><link rel="icon" href="/48.png" sizes="48x48">`)
			sites["/16.png"] = img("image/png", webtest.PNG(16, 16))
			sites["/48.png"] = img("image/png", webtest.PNG(48, 48))
			sites["/96.png"] = img("image/png", webtest.PNG(96, 96))
		case 8:
			if i%20 == 8 {
				sites["/"] = webtest.Response{Hang: true}
			} else {
				sites["/"] = pg(`<meta name="msapplication-TileImage" content="/tile.png">`)
				sites["/tile.png"] = img("image/png", webtest.PNG(144, 144))
			}
		case 9:
			sites["/"] = pg(`<link rel="icon" href="/big.png"><link rel="icon" href="/ok.png">`)
			sites["/big.png"] = webtest.Response{ContentType: "image/png", Body: webtest.PNG(1024, 1024), Size: 5 << 20}
			sites["/ok.png"] = img("image/png", webtest.PNG(64, 64))
		}
		h.web.Site(host, sites)
		served[d] = i%10 != 6 && i%20 != 8
		if len(list) == 100 {
			break
		}
	}
	// The hand-picked favicons of merino-py, served where they point.
	for label, u := range customFavicons {
		if !seen[label+".com"] {
			continue
		}
		host, path, _ := strings.Cut(strings.TrimPrefix(u, "https://"), "/")
		h.web.Site(host, map[string]webtest.Response{"/" + path: img("image/png", webtest.PNG(128, 128))})
	}
	domainsFile := h.file("top100.txt", strings.Join(list, "\n")+"\n")

	stop := jobstest.PeakHeap()
	start := time.Now()
	r := h.run("--domains-file", domainsFile, "--timeout", "3s")
	elapsed := time.Since(start)
	peak := stop()
	if r.Code != 0 {
		t.Fatalf("exit %d:\n%s", r.Code, r.LastLine())
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("100 domains in %s; peak heap growth %.1f MiB (Sys %.1f MiB); %s", elapsed.Round(time.Millisecond), float64(peak)/(1<<20), float64(ms.Sys)/(1<<20), strings.TrimSpace(r.Stdout))

	data := h.gcs.Bytes(bucket, "top_picks_latest.json")
	entries, err := toppicks.Parse(data, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("the top picks loader refuses the manifest: %v", err)
	}
	p := toppicks.New(toppicks.Settings{Base: suggest.Base{Name: "top_picks", Score: 0.25}, Index: domains.Options{QueryCharLimit: 4, FirefoxCharLimit: 2}})
	if _, err := toppicks.Loader(p, slog.New(slog.DiscardHandler))(data); err != nil {
		t.Fatal(err)
	}
	// Each expected site is served for its label, unless an earlier site has that label.
	firstOfLabel := map[string]string{}
	var missing []string
	for _, d := range list {
		label := registrableLabel(d)
		if !served[d] || len(label) < 2 {
			continue // a one-letter label (x.com) is shorter than any query the index answers
		}
		if _, ok := firstOfLabel[label]; ok {
			continue
		}
		firstOfLabel[label] = d
		out, _ := p.Query(context.Background(), &suggest.Request{Query: label}, nil)
		if len(out) != 1 || !strings.Contains(string(out[0].Head), `://`) || !strings.Contains(string(out[0].Head)+string(out[0].Tail), d) {
			missing = append(missing, d)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d sites not served for their label: %v", len(missing), missing)
	}
	if len(entries) < len(firstOfLabel) {
		t.Errorf("%d entries for %d expected sites", len(entries), len(firstOfLabel))
	}
	fmt.Fprintf(os.Stderr, "top-sites run: %d domains, %d served labels, %s, peak heap +%.1f MiB\n", len(list), len(firstOfLabel), elapsed.Round(time.Millisecond), float64(peak)/(1<<20))
}
