package wikiofflineuploader

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/jobs/jobstest"
	"github.com/mozilla-services/merino-go/jobs/wikimedia"
	"github.com/mozilla-services/merino-go/jobs/wikimedia/wikimediatest"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/kinto/kintotest"
)

func TestKeywords(t *testing.T) {
	f := func(words []string, seen []string, want ...string) {
		t.Helper()
		s := map[string]bool{}
		for _, k := range seen {
			s[k] = true
		}
		if got := keywords(words, s); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("keywords(%q, %q) = %q; want %q", words, seen, got, want)
		}
	}
	// merino-py's test_make_suggestions.py.
	f([]string{"the", "suggestion"}, nil, "the su", "the sug", "the sugg", "the sugge", "the sugges", "the suggest", "the suggesti", "the suggestio", "the suggestion")
	f([]string{"the", "suggestion"}, []string{"the su", "the sun"}, "the sug", "the sugg", "the sugge", "the sugges", "the suggest", "the suggesti", "the suggestio", "the suggestion")
	f([]string{"2024", "summer"}, nil, "2024 su", "2024 sum", "2024 summ", "2024 summe", "2024 summer")
	f([]string{"ab"}, nil, "ab")
	f([]string{"pokémon"}, nil, "po", "pok", "poké", "pokém", "pokémo", "pokémon")
	f([]string{"a", "an"}, nil) // nothing extends the skip words
	if n := len(keywords(strings.Split("april fools' day", " "), map[string]bool{})); n != 15 {
		t.Errorf("April Fools' Day: %d keywords", n)
	}
	if n := len(keywords([]string{strings.Repeat("x", 40)}, map[string]bool{})); n != maxKeywords {
		t.Errorf("long title: %d keywords", n)
	}
}

func TestSuggestions(t *testing.T) {
	got := suggestions("fr", []ranked{{"Pokémon", 9}, {"AC/DC", 8}, {"Ab", 7}, {"The_Beatles", 6}}, 0.25)
	want := `[{"id": 0, "url": "https://fr.wikipedia.org/wiki/Pok%C3%A9mon", "iab_category": "5 - Education", "icon": "161351842074695", "advertiser": "Wikipedia", "title": "Wikip\u00e9dia - Pok\u00e9mon", "keywords": ["po", "pok", "pok\u00e9", "pok\u00e9m", "pok\u00e9mo", "pok\u00e9mon"], "full_keywords": [["Pok\u00e9mon", 6]], "score": 0.25}, ` +
		`{"id": 0, "url": "https://fr.wikipedia.org/wiki/AC/DC", "iab_category": "5 - Education", "icon": "161351842074695", "advertiser": "Wikipedia", "title": "Wikip\u00e9dia - AC/DC", "keywords": ["ac", "ac/", "ac/d", "ac/dc"], "full_keywords": [["AC/DC", 4]], "score": 0.25}, ` +
		`{"id": 0, "url": "https://fr.wikipedia.org/wiki/The_Beatles", "iab_category": "5 - Education", "icon": "161351842074695", "advertiser": "Wikipedia", "title": "Wikip\u00e9dia - The Beatles", "keywords": ["the be", "the bea", "the beat", "the beatl", "the beatle", "the beatles"], "full_keywords": [["The Beatles", 6]], "score": 0.25}]`
	if b := string(jsonw.Python.Marshal(got)); b != want {
		t.Errorf("\n got %s\nwant %s", b, want)
	}
}

func TestBlocklist(t *testing.T) {
	b, err := blocklist()
	if err != nil || len(b) < 15000 || !b["main_page"] || !b["adolf_hitler"] || !b["heinrich_müller_(gestapo)"] {
		t.Fatalf("%d titles, %v", len(b), err)
	}
	days := [][]wikimedia.Article{{{Article: "Main_Page", Views: 100}, {Article: "Special:Search", Views: 99}, {Article: "Adolf_Hitler", Views: 98}, {Article: "Python_(language)", Views: 1}}}
	for _, recency := range []bool{false, true} {
		if r := rank(days, recency, b); len(r) != 1 || r[0].title != "Python_(language)" {
			t.Errorf("recency %t: %v", recency, r)
		}
	}
}

// titles returns n Wikipedia titles: the shared popular titles (capitalised, with
// underscores), or made-up ones when ../shared is absent.
func titles(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	f, err := os.Open("../../../shared/data/wikipedia/enwiki-popular-titles.lower.txt.gz")
	if err == nil {
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(zr)
		for len(out) < n && sc.Scan() {
			s := sc.Text()
			r, size := utf8.DecodeRuneInString(s)
			out = append(out, strings.ReplaceAll(string(unicode.ToUpper(r))+s[size:], " ", "_"))
		}
	}
	for i := len(out); i < n; i++ {
		out = append(out, fmt.Sprintf("Generated_title_%d", i))
	}
	return out
}

var now = time.Date(2026, 8, 21, 17, 0, 0, 0, time.UTC)

const (
	bucket = "main-workspace"
	coll   = "quicksuggest-other"
)

func fakes(t *testing.T) (*wikimediatest.Server, *kintotest.Server) {
	t.Helper()
	wm := wikimediatest.New(t)
	fake := kintotest.NewWritable(t, bucket+"/"+coll)
	fake.RequireAuth("Bearer t")
	return wm, fake
}

func run(t *testing.T, wm *wikimediatest.Server, fake *kintotest.Server, args ...string) jobstest.Result {
	t.Helper()
	return jobstest.Run(t, Job, jobstest.Defaults(t, fake.URL), now,
		append([]string{"wiki-offline-uploader", "upload", "--auth", "Bearer t", "--pageviews-base-url", wm.Base}, args...)...)
}

func TestUpload(t *testing.T) {
	wm, fake := fakes(t)
	list := titles(t, 300)
	for i := 2; i <= 4; i++ {
		var en []wikimedia.Article
		for k, title := range list {
			en = append(en, wikimedia.Article{Article: title, Views: int64(10000 - 10*k - i)})
		}
		en = append(en, wikimedia.Article{Article: "Main_Page", Views: 1 << 30}, wikimedia.Article{Article: "Special:Search", Views: 1 << 29})
		wm.SetDay("en", "all-access", now.AddDate(0, 0, -i), en)
		wm.SetDay("fr", "all-access", now.AddDate(0, 0, -i), []wikimedia.Article{{Article: "Pokémon", Views: 50}, {Article: "Tour_Eiffel", Views: 40}})
	}
	fake.Seed(bucket, coll, map[string]any{"id": "data-wikipedia-en-0-999", "type": "wikipedia"}, []byte("[]"), nil)
	fake.Seed(bucket, coll, map[string]any{"id": "data-wikipedia-fr", "type": "wikipedia"}, []byte("[]"), nil)
	fake.Seed(bucket, coll, map[string]any{"id": "data-wikipedia-en-x", "type": "other"}, []byte("[]"), nil)
	fake.Log()

	res := run(t, wm, fake, "--languages", "en,fr", "--days", "3")
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "wiki-offline-uploader upload: 2 uploaded, 0 unchanged, 1 deleted") {
		t.Fatalf("%+v", res)
	}
	reqs := wm.Requests()
	want := "/api/rest_v1/metrics/pageviews/top/en.wikipedia.org/all-access/2026/08/17 /api/rest_v1/metrics/pageviews/top/en.wikipedia.org/all-access/2026/08/18 /api/rest_v1/metrics/pageviews/top/en.wikipedia.org/all-access/2026/08/19 " +
		"/api/rest_v1/metrics/pageviews/top/fr.wikipedia.org/all-access/2026/08/17 /api/rest_v1/metrics/pageviews/top/fr.wikipedia.org/all-access/2026/08/18 /api/rest_v1/metrics/pageviews/top/fr.wikipedia.org/all-access/2026/08/19"
	if got := strings.Join(reqs, " "); got != want {
		t.Errorf("requests:\n got %s\nwant %s", got, want)
	}
	if ua := wm.UserAgents(); len(ua) != 1 || ua[0] != "merino-go/test (+https://github.com/mozilla-services/merino-go)" {
		t.Errorf("User-Agent %q", ua)
	}
	log := fake.Log()
	if w := strings.Join(jobstest.Writes(log), ", "); w != "DELETE data-wikipedia-en-0-999, PUT data-wikipedia-en, POST data-wikipedia-en/attachment, PUT data-wikipedia-fr, POST data-wikipedia-fr/attachment" {
		t.Errorf("writes %s", w)
	}
	for _, r := range log {
		if r.Method == "PUT" && strings.HasSuffix(r.Path, "/data-wikipedia-en") && string(r.Body) != `{"data": {"id": "data-wikipedia-en", "type": "wikipedia", "filter_expression": "env.locale in ['en-CA', 'en-GB', 'en-US']"}}` {
			t.Errorf("en record %s", r.Body)
		}
	}
	var en []struct {
		URL, Title   string
		Keywords     []string
		FullKeywords [][]any `json:"full_keywords"`
	}
	if err := json.Unmarshal(fake.Attachment(bucket, coll, "data-wikipedia-en"), &en); err != nil || len(en) < 200 {
		t.Fatalf("%d suggestions, %v", len(en), err)
	}
	first := list[0]
	if en[0].URL != "https://en.wikipedia.org/wiki/"+httpurl.Quote(first, "/") || en[0].Title != "Wikipedia - "+strings.ReplaceAll(first, "_", " ") {
		t.Errorf("the most viewed page first: %+v", en[0])
	}
	taken := map[string]string{}
	for _, s := range en {
		if strings.Contains(s.URL, "Main_Page") || strings.Contains(s.URL, "Special:") || len(s.Keywords) < 3 || len(s.Keywords) > 25 {
			t.Errorf("suggestion %+v", s)
		}
		for _, k := range s.Keywords {
			if taken[k] != "" {
				t.Errorf("keyword %q of %s is also %s's", k, s.URL, taken[k])
			}
			taken[k] = s.URL
		}
	}
	if fr := string(fake.Attachment(bucket, coll, "data-wikipedia-fr")); !strings.HasPrefix(fr, `[{"id": 0, "url": "https://fr.wikipedia.org/wiki/Pok%C3%A9mon", "iab_category": "5 - Education", "icon": "161351842074695", "advertiser": "Wikipedia", "title": "Wikip\u00e9dia - Pok\u00e9mon"`) {
		t.Errorf("fr %s", fr)
	}

	if res := run(t, wm, fake, "--languages", "en,fr", "--days", "3"); res.Code != 0 || len(jobstest.Writes(fake.Log())) != 0 {
		t.Errorf("re-run: %+v", res)
	}
	if res := run(t, wm, fake, "--languages", "en,fr", "--days", "3", "--score", "0.5", "--dry-run"); res.Code != 0 || len(jobstest.Writes(fake.Log())) != 0 || !strings.Contains(res.Stdout, "2 uploaded") {
		t.Errorf("dry run: %+v", res)
	}

	// One day failing is a warning; every day failing fails the job before any write.
	wm.FailDay("fr", "all-access", now.AddDate(0, 0, -3), http.StatusInternalServerError)
	if res := run(t, wm, fake, "--languages", "en,fr", "--days", "3"); res.Code != 0 || !strings.Contains(res.Stderr, "fr: 1 of 3 days could not be fetched") {
		t.Errorf("one failed day: %+v", res.LastLine())
	}
	fake.Log()
	res = run(t, wm, fake, "--languages", "en,de", "--days", "2")
	if res.Code != 1 || !strings.Contains(res.LastLine(), "Wikimedia: no page views of dewiki could be fetched (GET "+wm.Base+"/de.wikipedia.org/all-access/2026/08/19: HTTP 404: The date(s) you used are valid") ||
		!strings.HasSuffix(res.LastLine(), "; nothing was written") || len(jobstest.Writes(fake.Log())) != 0 {
		t.Errorf("no de days: %s", res.LastLine())
	}
}

// TestRecency: recency ranks the newest days until 8,000 titles are seen; frequency all days.
func TestRecency(t *testing.T) {
	wm, fake := fakes(t)
	list := titles(t, rankedN+1000) // some are blocklisted
	var newest []wikimedia.Article
	for k, title := range list {
		newest = append(newest, wikimedia.Article{Article: title, Views: int64(100000 - k)})
	}
	wm.SetDay("en", "all-access", now.AddDate(0, 0, -2), newest)
	wm.SetDay("en", "all-access", now.AddDate(0, 0, -3), []wikimedia.Article{{Article: "Old_news_story", Views: 1 << 40}})
	for _, mode := range []string{"recency", "frequency"} {
		res := run(t, wm, fake, "--languages", "en", "--days", "2", "--relevance-type", mode, "--dry-run")
		if res.Code != 0 {
			t.Fatalf("%s: %s", mode, res.LastLine())
		}
	}
	// The dry run wrote nothing, so read the ranking itself.
	days := [][]wikimedia.Article{newest, {{Article: "Old_news_story", Views: 1 << 40}}}
	b, _ := blocklist()
	if r := rank(days, true, b); len(r) != rankedN || r[0].title == "Old_news_story" {
		t.Errorf("recency: %d titles, first %v", len(r), r[0])
	}
	if r := rank(days, false, b); r[0].title != "Old_news_story" {
		t.Errorf("frequency: first %v", r[0])
	}
}

func TestUsage(t *testing.T) {
	wm, fake := fakes(t)
	f := func(want string, args ...string) {
		t.Helper()
		res := run(t, wm, fake, args...)
		if res.Code != 2 || !strings.Contains(res.LastLine(), want) {
			t.Errorf("%q: %d %s", args, res.Code, res.LastLine())
		}
	}
	f(`--relevance-type must be frequency or recency, got "popularity"`, "--relevance-type", "popularity")
	f(`--access-type must be one of all-access, desktop, mobile-app, mobile-web, got "tablet"`, "--access-type", "tablet")
	f(`--languages: "EN/" is not a Wikipedia language code`, "--languages", "en,EN/")
	f("--days must be between 1 and 3660", "--days", "0")
	if r := wm.Requests(); len(r) != 0 || len(fake.Log()) != 0 {
		t.Errorf("requests were sent: %v", r)
	}
}
