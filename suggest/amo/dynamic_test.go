package amo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
	. "github.com/mozilla-services/merino-go/suggest/amo"
	"github.com/mozilla-services/merino-go/suggest/amo/amotest"
)

var discard = slog.New(slog.DiscardHandler)

func slugs() []string {
	var s []string
	for _, a := range Addons {
		s = append(s, a.Slug)
	}
	return s
}

// newDynamic wires what cmd/merino does for backend = "dynamic": a provider without details,
// and a syncer over a Source of the fake AMO.
func newDynamic(t *testing.T, f *amotest.Server) (*Provider, *loaders.Syncer) {
	t.Helper()
	p, err := New(Settings{Base: suggest.Base{Name: "amo", Score: 0.25, QueryTimeout: 200 * time.Millisecond}, MinChars: 4}, Addons)
	if err != nil {
		t.Fatal(err)
	}
	// The default api_url ends with '/': one slash separates it from the slug.
	src, err := NewSource(f.URL+"/api/v5/addons/addon/", slugs(), loaders.HTTPOptions{RequestTimeout: 5 * time.Second}, discard)
	if err != nil {
		t.Fatal(err)
	}
	return p, loaders.NewSyncer("amo", src, 24*time.Hour, Loader(p, discard), discard)
}

func answer(t *testing.T, p *Provider, q string) string {
	t.Helper()
	out, err := p.Query(context.Background(), &suggest.Request{Query: q}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		return ""
	}
	b := append([]byte(nil), out[0].Head...)
	b = jsonw.AppendFloat(b, out[0].Score)
	return string(append(b, out[0].Tail...))
}

func darkReader(rating string) string {
	return `{"title":"Dark Reader","url":"https://addons.mozilla.org/en-US/firefox/addon/darkreader/","provider":"amo","is_sponsored":false,"score":0.25,` +
		`"description":"Get night mode for the entire internet. Adjust colors and reduce eye strain.",` +
		`"icon":"https://addons.mozilla.org/user-media/addon_icons/darkreader-64.png?modified=1",` +
		`"custom_details":{"amo":{"rating":"` + rating + `","number_of_ratings":4962,"guid":"addon@darkreader.org"}},"is_top_pick":true}`
}

func TestDynamicRefresh(t *testing.T) {
	f := amotest.New(t)
	p, sy := newDynamic(t, f)
	if answer(t, p, "dark mode") != "" {
		t.Fatal("answered before the first refresh")
	}
	changed, err := sy.Sync(context.Background())
	if err != nil || !changed {
		t.Fatalf("first sync: %v, %v", changed, err)
	}
	if got, want := answer(t, p, "dark mode"), darkReader("4.6"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(p.Details()) != len(Addons) {
		t.Errorf("%d add-ons have details, want %d", len(p.Details()), len(Addons))
	}
	// One request per add-on plus its redirect; the path has one slash before the slug.
	if n := f.Requests(); n != int64(2*len(Addons)) {
		t.Errorf("%d requests, want %d", n, 2*len(Addons))
	}
	if !f.Requested("/api/v5/addons/addon/darkreader") {
		t.Error("darkreader was not requested at /api/v5/addons/addon/darkreader")
	}

	// Unchanged answers: no rebuild.
	before := p.Details()
	if changed, err := sy.Sync(context.Background()); err != nil || changed {
		t.Errorf("unchanged sync: %v, %v", changed, err)
	}
	if fmt.Sprintf("%p", p.Details()) != fmt.Sprintf("%p", before) {
		t.Error("an unchanged refresh rebuilt the snapshot")
	}

	// A new rating is swapped in.
	f.SetAverage("darkreader", 4.25)
	if changed, err := sy.Sync(context.Background()); err != nil || !changed {
		t.Fatalf("changed sync: %v, %v", changed, err)
	}
	if got, want := answer(t, p, "dark mode"), darkReader("4.2"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// AMO down: the last details keep serving.
	for _, s := range slugs() {
		f.Set(s, amotest.Status(503, "unavailable"))
	}
	if _, err := sy.Sync(context.Background()); err == nil {
		t.Error("a sync with every request failing succeeded")
	}
	if got := answer(t, p, "dark mode"); got != darkReader("4.2") {
		t.Errorf("after a failed refresh: %s", got)
	}
	if st := sy.Status(); !st.Loaded || st.LastError == "" {
		t.Errorf("status %+v", st)
	}
}

// merino-py's test_fetch_addons_skipped_api_request_failure and _bad_response: one add-on
// failing leaves it out and the others in.
func TestDynamicPartial(t *testing.T) {
	for name, h := range map[string]func(http.ResponseWriter){
		"400":      amotest.Status(400, "Not Found"),
		"not JSON": amotest.Status(200, "bad response!! Not JSON"),
		"no icon":  amotest.Status(200, `{"ratings":{"average":4.1,"count":1}}`),
	} {
		t.Run(name, func(t *testing.T) {
			f := amotest.New(t)
			f.Set("video-downloadhelper", h)
			p, sy := newDynamic(t, f)
			if _, err := sy.Sync(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := len(p.Details()); n != len(Addons)-1 {
				t.Errorf("%d add-ons have details, want %d", n, len(Addons)-1)
			}
			if answer(t, p, "video download") != "" {
				t.Error("the failed add-on answered")
			}
			if answer(t, p, "dark mode") == "" {
				t.Error("the others do not answer")
			}
			// The next refresh brings it back; the others keep theirs.
			f.Set("video-downloadhelper", nil)
			if _, err := sy.Sync(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(answer(t, p, "video download"), `"title":"Video DownloadHelper"`) {
				t.Error("the add-on did not come back")
			}
		})
	}
}

// A refresh where one add-on's ratings has the wrong type fails as a whole, as merino-py's
// TypeError escapes its task group: every add-on keeps its last details.
func TestDynamicTypeErrorKeepsAll(t *testing.T) {
	f := amotest.New(t)
	p, sy := newDynamic(t, f)
	if _, err := sy.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.SetAverage("darkreader", 3.0)
	f.Set("languagetool", amotest.Status(200, `{"icon_url":"x","ratings":[1,2]}`))
	if _, err := sy.Sync(context.Background()); err == nil {
		t.Fatal("a refresh with a malformed ratings succeeded")
	}
	if got := answer(t, p, "dark mode"); got != darkReader("4.6") {
		t.Errorf("darkreader changed: %s", got)
	}
}

func TestParse(t *testing.T) {
	// Ratings as Python's f"{average:.1f}" writes them (values checked in Python).
	rating := func(avg, want string) {
		t.Helper()
		d, err := Parse([]byte(`{"a":{"icon_url":"i","ratings":{"average":`+avg+`,"count":7}}}`), discard)
		if err != nil || d["a"].Rating != want || d["a"].NumberOfRatings != 7 || d["a"].Icon != "i" {
			t.Errorf("average %s: %+v, %v; want rating %q", avg, d, err, want)
		}
	}
	rating("4.123", "4.1")
	rating("4.25", "4.2")
	rating("4.35", "4.3")
	rating("4.45", "4.5")
	rating("4.05", "4.0")
	rating("0.05", "0.1")
	rating("4.95", "5.0")
	rating("4.9999", "5.0")
	rating("5", "5.0")
	rating("0", "0.0")
	rating("-0.0", "-0.0")
	rating("1e30", "1000000000000000019884624838656.0")
	rating("2.5e-7", "0.0")
	rating("true", "1.0")

	count := func(c string, want int64, ok bool) {
		t.Helper()
		d, err := Parse([]byte(`{"a":{"icon_url":"i","ratings":{"average":4,"count":`+c+`}}}`), discard)
		if err != nil {
			t.Fatalf("count %s: %v", c, err)
		}
		got, present := d["a"]
		if present != ok || (ok && got.NumberOfRatings != want) {
			t.Errorf("count %s: %+v (present %v), want %d (present %v)", c, got, present, want, ok)
		}
	}
	count("12", 12, true)
	count("4.9", 4, true)
	count("-4.9", -4, true)
	count("true", 1, true)
	count(`" 12 "`, 12, true)
	count(`"1_2"`, 12, true)
	count(`"+3"`, 3, true)
	count(`"12.0"`, 0, false)
	count(`""`, 0, false)
	count("null", 0, false)
	count("[]", 0, false)
	count("1e300", 0, false)

	// Missing keys leave the add-on out; wrong types of the answer, ratings or average fail.
	left := func(doc string) {
		t.Helper()
		d, err := Parse([]byte(doc), discard)
		if err != nil || len(d) != 0 {
			t.Errorf("%s: %v, %v; want the add-on left out", doc, d, err)
		}
	}
	left(`{"a":{}}`)
	left(`{"a":{"ratings":{"average":4,"count":1}}}`)
	left(`{"a":{"icon_url":"i"}}`)
	left(`{"a":{"icon_url":"i","ratings":{"count":1}}}`)
	left(`{"a":{"icon_url":"i","ratings":{"average":4}}}`)
	left(`{"a":{"icon_url":null,"ratings":{"average":4,"count":1}}}`)
	left(`{"a":{"icon_url":5,"ratings":{"average":4,"count":1}}}`)
	left(`{"a":{"ratings":[]}}`) // the KeyError of icon_url comes first
	fail := func(doc string) {
		t.Helper()
		if d, err := Parse([]byte(doc), discard); err == nil {
			t.Errorf("%s: %v, want an error", doc, d)
		}
	}
	fail(``)
	fail(`null`)
	fail(`[]`)
	fail(`{"a":[]}`)
	fail(`{"a":"x"}`)
	fail(`{"a":null}`)
	fail(`{"a":{"icon_url":"i","ratings":null}}`)
	fail(`{"a":{"icon_url":"i","ratings":"x"}}`)
	fail(`{"a":{"icon_url":"i","ratings":{"average":"4.5","count":1}}}`)
	fail(`{"a":{"icon_url":"i","ratings":{"average":null,"count":1}}}`)
	fail(`{"a":{"icon_url":"i","ratings":{"average":1e400,"count":1}}}`)
}

func TestLoaderEmpty(t *testing.T) {
	p, err := New(Settings{Base: suggest.Base{Name: "amo"}, MinChars: 4}, Addons)
	if err != nil {
		t.Fatal(err)
	}
	p.Merge(StaticDetails(Addons))
	before := maps.Clone(p.Details())
	apply := Loader(p, discard)
	if _, err := apply([]byte(`{"darkreader":{"ratings":{}}}`)); !errors.Is(err, loaders.ErrEmpty) {
		t.Errorf("nothing readable: %v, want ErrEmpty", err)
	}
	if !maps.Equal(p.Details(), before) {
		t.Error("an empty refresh changed the details")
	}
	if n, err := apply([]byte(`{"darkreader":{"icon_url":"i","ratings":{"average":1,"count":2}}}`)); err != nil || n != len(Addons) {
		t.Errorf("apply: %d, %v", n, err)
	}
}

func TestFetchUnreachable(t *testing.T) {
	f := amotest.New(t)
	url := f.URL
	f.Close()
	src, err := NewSource(url+"/api/v5/addons/addon/", slugs(), loaders.HTTPOptions{ConnectTimeout: time.Second, RequestTimeout: 2 * time.Second}, discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, changed, err := src.Fetch(context.Background(), loaders.Version{}); err == nil || changed {
		t.Errorf("unreachable AMO: changed %v, err %v", changed, err)
	}
}

// FuzzParse: hostile combined documents never panic; every add-on read has a rating that
// parses as a number.
func FuzzParse(f *testing.F) {
	tmpl := amotest.Detail()
	f.Add(append(append([]byte(`{"darkreader":`), tmpl...), '}'))
	f.Add([]byte(`{"a":{"icon_url":"i","ratings":{"average":4.25,"count":"1_0"}},"b":{"ratings":[]}}`))
	f.Add([]byte(`{"a":{"icon_url":"i","ratings":{"average":-1e308,"count":-9223372036854775808}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data, discard)
		if err != nil {
			return
		}
		for slug, v := range d {
			var x float64
			if json.Unmarshal([]byte(v.Rating), &x) != nil {
				t.Fatalf("%s: rating %q", slug, v.Rating)
			}
		}
	})
}
