package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/gcs/gcstest"
	"github.com/mozilla-services/merino-go/jobs/navsuggestions/webtest"
)

// TestNavigationalRoundTrip is the job and the server together, as in production: `merino job
// navigational-suggestions prepare-domain-metadata` publishes the manifest to a (fake) bucket,
// `merino serve` reads it through a gs:// top picks source and the /api/v1/manifest source,
// and a second run of the job reaches the running server with no restart.
func TestNavigationalRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := sharedBinary(t)
	// merino-py's test_cli: the top help names the commands, a command's help its subcommands.
	for args, want := range map[string][]string{
		"job --help":                   {"wikipedia-indexer copy-export", "wikipedia-indexer index", "navigational-suggestions prepare-domain-metadata"},
		"job wikipedia-indexer --help": {"copy-export", "index"},
		"job navigational-suggestions prepare-domain-metadata --help": {"-connect-to", "-domains-file", "-write-xcom", "-dst-gcs-bucket"},
	} {
		c := exec.Command(bin, strings.Fields(args)...)
		c.Env = cleanEnv("MERINO_ENV=testing")
		out, err := c.Output()
		for _, w := range want {
			if err != nil || !strings.Contains(string(out), w) {
				t.Errorf("%s: %v, no %q in\n%s", args, err, w, out)
			}
		}
	}
	web := webtest.New(t)
	site := func(title string) {
		web.Site("example.com", map[string]webtest.Response{
			"/":         {ContentType: "text/html", Body: []byte(`<html><head><title>` + title + `</title><link rel="icon" href="/i.png"></head></html>`)},
			"/i.png":    {ContentType: "image/png", Body: webtest.PNG(64, 64)},
			"/icon.svg": {ContentType: "image/svg+xml", Body: webtest.SVG},
		})
	}
	site("Example Domain")
	web.Site("firefox.com", map[string]webtest.Response{
		"/":         {ContentType: "text/html", Body: []byte(`<html><head><title>Get Firefox</title><link rel="icon" href="/icon.svg"></head></html>`)},
		"/icon.svg": {ContentType: "image/svg+xml", Body: webtest.SVG},
	})
	fake := gcstest.New(t, "merino-images")
	domains := filepath.Join(t.TempDir(), "domains.txt")
	if err := os.WriteFile(domains, []byte("example.com\nfirefox.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	shared := []string{"MERINO_GCS__ENDPOINT_URL=" + fake.URL, "SSL_CERT_FILE=" + web.CAFile,
		"MERINO_JOBS__NAVIGATIONAL_SUGGESTIONS__DESTINATION_GCS_BUCKET=merino-images",
		"MERINO_JOBS__NAVIGATIONAL_SUGGESTIONS__DESTINATION_CDN_HOSTNAME=merino-images.services.mozilla.test"}
	env := cleanEnv(append([]string{"MERINO_ENV=testing", "MERINO_LOGGING__FORMAT=mozlog"}, shared...)...)
	runJob := func() {
		t.Helper()
		c := exec.Command(bin, "job", "navigational-suggestions", "prepare-domain-metadata", "--domains-file", domains,
			"--custom-domains", "none", "--connect-to", web.Addr, "--no-progress")
		c.Env = env
		var stdout, stderr bytes.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		if err := c.Run(); err != nil {
			t.Fatalf("job: %v\n%s", err, stderr.String())
		}
		if !strings.HasPrefix(stdout.String(), "2 domains: 2 with a favicon (0 custom), 2 in the manifest, 0 errors; gs://merino-images/top_picks_latest.json") {
			t.Fatalf("job summary %q", stdout.String())
		}
	}
	runJob()

	srv := startBinary(t, bin, append(shared, "MERINO_PROVIDERS__TP__TYPE=top_picks", "MERINO_PROVIDERS__TP__ENABLED_BY_DEFAULT=true",
		"MERINO_PROVIDERS__TP__TOP_PICKS_FILE_PATH=gs://merino-images/top_picks_latest.json", "MERINO_PROVIDERS__TP__RESYNC_INTERVAL_SEC=1",
		"MERINO_MANIFEST__SOURCE=gs://merino-images/top_picks_latest.json", "MERINO_MANIFEST__RESYNC_INTERVAL_SEC=1")...)
	get := func(path string) string {
		resp, err := http.Get(srv.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := get("/api/v1/suggest?q=exam"); !strings.Contains(got, `"title":"Example Domain"`) || !strings.Contains(got, `"url":"https://example.com/"`) ||
		!strings.Contains(got, `"icon":"https://merino-images.services.mozilla.test/favicons/`) {
		t.Fatalf("suggest: %s", got)
	}
	if got := get("/api/v1/manifest"); !strings.Contains(got, `"domain":"example"`) || !strings.Contains(got, `"domain":"firefox"`) || !strings.Contains(got, `"partners":[`) {
		t.Fatalf("manifest: %s", got)
	}

	// The site changes; the weekly run publishes; the server serves it without a restart.
	site("Example Domain, Renamed")
	runJob()
	for deadline := time.Now().Add(20 * time.Second); ; {
		got := get("/api/v1/suggest?q=exam")
		if strings.Contains(got, `"title":"Example Domain, Renamed"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new manifest was not served: %s", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := get("/api/v1/manifest"); !strings.Contains(got, `"title":"Example Domain, Renamed"`) {
		t.Errorf("manifest after the second run: %s", got)
	}
	// Every read of the bucket was anonymous: an emulator endpoint gets no token.
	for _, r := range fake.Log() {
		if r.Authorization != "" {
			t.Errorf("a request carried credentials: %+v", r)
		}
	}
}
