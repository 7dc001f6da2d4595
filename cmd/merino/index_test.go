package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/mozlog"
	"github.com/mozilla-services/merino-go/server"
)

func TestIndexCommandUsage(t *testing.T) {
	f := func(code int, want string, args ...string) {
		t.Helper()
		var out, errb bytes.Buffer
		if got := runIndex(context.Background(), args, &out, &errb); got != code || !strings.Contains(errb.String(), want) {
			t.Errorf("index %q = %d, %q; want %d, %q", args, got, errb.String(), code, want)
		}
	}
	f(2, "usage: merino index wikipedia")
	f(2, "usage: merino index wikipedia", "amo")
	f(1, "--input is required", "wikipedia", "--out", t.TempDir())
	f(1, "--out is required", "wikipedia", "--input", "x")
	f(1, "--input: open /nonexistent", "wikipedia", "--input", "/nonexistent", "--out", filepath.Join(t.TempDir(), "x"))
	f(1, "--max-docs must be positive", "wikipedia", "--input", "x", "--out", "y", "--max-docs", "0")
	f(1, "--category-blocklist", "wikipedia", "--input", "x", "--out", "y", "--category-blocklist", "/nonexistent.csv")
	f(1, `--lang: no analysis is defined for language "es" (merino-py's indexer defines de, en, fr, it, pl)`, "wikipedia", "--input", "x", "--out", "y", "--lang", "es")
}

// buildWiki runs `merino index wikipedia` as an operator would and checks its summary line.
func buildWiki(t *testing.T, input, out, lang string, extra ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"wikipedia", "--input", input, "--out", out, "--lang", lang}, extra...)
	if code := runIndex(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("index %q: exit %d: %s", args, code, stderr.String())
	}
	summary := regexp.MustCompile(`^wikipedia ` + lang + `: \d+ documents in, \d+ kept, \d+ blocked, \d+ other namespace, \d+ rejected, \d+ corrupt lines; \S+ \(\d+ documents/s\); index [0-9.]+ \S+ at ` + regexp.QuoteMeta(out) + "\n$")
	if !summary.MatchString(stdout.String()) {
		t.Fatalf("summary line: %q", stdout.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr without a terminal: %q", stderr.String())
	}
}

// wikiServer is the real server on a loopback port with a wikipedia provider over index_dir,
// its syncers run once.
type wikiServer struct {
	t    *testing.T
	ctx  context.Context
	app  *app
	logs *bytes.Buffer
	base string
}

// startWikiServer serves the indexes under dir (env adds settings) until the test ends.
func startWikiServer(t *testing.T, dir string, env ...string) *wikiServer {
	t.Helper()
	env = append([]string{
		"MERINO_ENV=testing",
		"MERINO_PROVIDERS__WIKIPEDIA__TYPE=wikipedia",
		"MERINO_PROVIDERS__WIKIPEDIA__ENABLED_BY_DEFAULT=true",
		"MERINO_PROVIDERS__WIKIPEDIA__INDEX_DIR=" + dir,
	}, env...)
	cfg, err := config.Load(func() []string { return env })
	if err != nil {
		t.Fatal(err)
	}
	s := &wikiServer{t: t, logs: &bytes.Buffer{}}
	logw := mozlog.NewWriter(s.logs, true, "merino", slog.LevelDebug)
	s.app, err = build(cfg, slog.New(mozlog.NewHandler(logw)), logw)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.ctx = ctx
	s.sync()
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- serverListen(ctx, s.app, func(a net.Addr) { addr <- a })
	}()
	s.base = "http://" + (<-addr).String()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return s
}

// sync runs every syncer once, as a poll would.
func (s *wikiServer) sync() {
	for _, sy := range s.app.syncers {
		sy.Sync(s.ctx)
	}
}

// suggestions asks for q with an Accept-Language header (none when lang is "") and returns
// the response's suggestions array, as JSON.
func (s *wikiServer) suggestions(q, lang string) string {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.base+"/api/v1/suggest?providers=wikipedia&q="+url.QueryEscape(q), nil)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		s.t.Fatalf("%q: %d %s", q, resp.StatusCode, b)
	}
	// Keep the suggestions array only: the rest is the server's business.
	body := string(b)
	return body[strings.Index(body, `"suggestions":`)+14 : strings.Index(body, `,"request_id"`)]
}

// wikiSuggestion is one wikipedia suggestion as merino-py renders it.
func wikiSuggestion(title, u, kw string) string {
	return `{"title":"` + title + `","url":"` + u + `","provider":"wikipedia","is_sponsored":false,"score":0.23,` +
		`"icon":"https://prod-images.merino.prod.webservices.mozgcp.net/favicons/4c8bf96d667fa2e9f072bdd8e9f25c8ba6ba2ad55df1af7d9ea0dd575c12abee_1313.png",` +
		`"categories":[6],"full_keyword":"` + kw + `","advertiser":"dynamic-wikipedia","block_id":0}`
}

// The provider end to end over HTTP: indexes built by the CLI from the fixture corpus, the
// real server on a loopback port, whole response bodies.
func TestWikipediaOverHTTP(t *testing.T) {
	dir := t.TempDir()
	buildWiki(t, "testdata/fixture-en.json", filepath.Join(dir, "enwiki"), "en", "--category-blocklist", "../../loaders/wikipedia/testdata/blocklist.csv")
	buildWiki(t, "testdata/fixture-fr.json", filepath.Join(dir, "frwiki"), "fr")
	buildWiki(t, "testdata/fixture-de.json", filepath.Join(dir, "dewiki"), "de")
	srv := startWikiServer(t, dir, `MERINO_PROVIDERS__WIKIPEDIA__TITLE_BLOCKLIST=["unsafe_content"]`, "MERINO_PROVIDERS__WIKIPEDIA__MAX_SUGGESTIONS=2")
	if strings.Count(srv.logs.String(), "no Wikipedia index") != 2 { // it and pl
		t.Errorf("missing languages not logged once each:\n%s", srv.logs.String())
	}
	sug := wikiSuggestion
	f := func(q, lang string, want ...string) {
		t.Helper()
		if got := srv.suggestions(q, lang); got != "["+strings.Join(want, ",")+"]" {
			t.Errorf("%q (%s):\n got %s\nwant [%s]", q, lang, got, strings.Join(want, ","))
		}
	}
	food := sug("Wikipedia - Food", "https://en.wikipedia.org/wiki/Food", "food")
	f("foO", "", food, sug("Wikipedia - Food for Thought", "https://en.wikipedia.org/wiki/Food_for_Thought", "food"))
	f("foo ", "", food, sug("Wikipedia - Food for Thought", "https://en.wikipedia.org/wiki/Food_for_Thought", "food")) // a trailing space is no token
	f("", "")                                                                                                          // no token: nothing, not the heaviest title
	f("food f", "en-US,en;q=0.5", sug("Wikipedia - Food for Thought", "https://en.wikipedia.org/wiki/Food_for_Thought", "food for"),
		sug("Wikipedia - Food Fortune", "https://en.wikipedia.org/wiki/Food_Fortune", "food fortune"))
	f("dog", "", sug("Wikipedia - Dog food", "https://en.wikipedia.org/wiki/Dog_food", "dog"))
	f("og food", "")         // contains, does not start with
	f("orgasm", "")          // dropped by the category blocklist at index time
	f("wikipedia:about", "") // namespace 4
	f("unsafe", "")          // title_blocklist
	f("mozi", "", sug("Wikipedia - Mozilla, Corporation", "https://en.wikipedia.org/wiki/Mozilla%2C_Corporation", "mozilla"))
	f("café", "", sug("Wikipedia - Café au lait", "https://en.wikipedia.org/wiki/Caf%C3%A9_au_lait", "café"))
	f("ac/", "", sug("Wikipedia - AC/DC", "https://en.wikipedia.org/wiki/AC/DC", "ac/dc"))
	f("nou", "fr-FR,fr;q=0.9", sug("Wikipédia - Nourriture", "https://fr.wikipedia.org/wiki/Nourriture", "nourriture"),
		sug("Wikipédia - Nourriture pour chien", "https://fr.wikipedia.org/wiki/Nourriture_pour_chien", "nourriture"))
	f("matière", "fr", sug("Wikipédia - Matière à réflexion", "https://fr.wikipedia.org/wiki/Mati%C3%A8re_%C3%A0_r%C3%A9flexion", "matière"))
	f("berliner f", "de-DE", sug("Wikipedia - Berliner Flughafen", "https://de.wikipedia.org/wiki/Berliner_Flughafen", "berliner flughafen"),
		sug("Wikipedia - Berliner Freiheit", "https://de.wikipedia.org/wiki/Berliner_Freiheit", "berliner freiheit"))
	f("food", "it-IT")                                                                                                      // it has no index: nothing (not en)
	f("food", "es-ES", food, sug("Wikipedia - Food for Thought", "https://en.wikipedia.org/wiki/Food_for_Thought", "food")) // unsupported: en
	for _, q := range []string{`+foo -bar* ~ "x" :`, strings.Repeat("é", 500)} {
		srv.suggestions(q, "")
	}

	// Hot reload: a new build of enwiki is picked up by the next poll.
	os.WriteFile(filepath.Join(dir, "new.json"), []byte(`{"title":"Foodstuff","popularity_score":0.01}`+"\n"), 0o644)
	buildWiki(t, filepath.Join(dir, "new.json"), filepath.Join(dir, "enwiki"), "en")
	srv.sync()
	f("foo", "", sug("Wikipedia - Foodstuff", "https://en.wikipedia.org/wiki/Foodstuff", "foodstuff"))
}

// serverListen serves app on a loopback port until ctx ends.
func serverListen(ctx context.Context, a *app, ready func(net.Addr)) error {
	return server.ListenAndServe(ctx, "127.0.0.1:0", time.Second, a.server.Serve, a.server.Shutdown, ready)
}
