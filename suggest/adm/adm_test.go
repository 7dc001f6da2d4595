package adm_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
)

// icons is merino-py's conftest icon map: the fixtures name icon "01".
func icon(id string) string {
	if id == "01" {
		return "attachment-host/main-workspace/quicksuggest/icon-01"
	}
	return adm.MissingIcon
}

// newProvider loads merino-py's conftest fixtures (testdata) into their
// segments, as its fake backend does.
func newProvider(t testing.TB, fuzzy bool, files map[adm.Segment]string) *adm.Provider {
	t.Helper()
	p := adm.New(adm.Settings{Base: suggest.Base{Name: "adm", Score: 0.31, EnabledByDefault: true, QueryTimeout: 200 * time.Millisecond}, Fuzzy: fuzzy, MinSubstitutionLen: 7})
	for seg, file := range files {
		data, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		apply := adm.MARSLoader(p, seg, adm.LoadOptions{ProviderID: "adm", Icon: icon}, slog.New(slog.DiscardHandler))
		if _, err := apply(data); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

var (
	usDesktop = adm.Segment{Country: "US", FormFactor: adm.Desktop}
	dePhone   = adm.Segment{Country: "DE", FormFactor: adm.Phone}
)

type req struct {
	q, country, ff string
	variants       []string
}

func render(p *adm.Provider, r req) string {
	sr := &suggest.Request{Query: r.q, ClientVariants: r.variants}
	sr.Location.Country = r.country
	sr.UserAgent.FormFactor = r.ff
	out, err := p.Query(context.Background(), sr, nil)
	if err != nil {
		return "error: " + err.Error()
	}
	var b []byte
	for i := range out {
		b = out[i].AppendJSON(b)
	}
	return string(b)
}

// firefoxAccounts is merino-py's expected NonsponsoredSuggestion of test_query_success.
const firefoxAccounts = `{"title":"Mozilla Firefox Accounts","url":"https://example.org/target/mozfirefoxaccounts","provider":"adm","is_sponsored":false,"score":0.31,"icon":"attachment-host/main-workspace/quicksuggest/icon-01","custom_details":{"amp":{"header_text":"Example.org header text","suggestion_id":"11111111-1111-1111-1111-111111111111"}},"categories":[],"is_top_pick":false,"block_id":2,"full_keyword":"firefox accounts","advertiser":"Example.org","impression_url":"https://example.org/impression/mozilla","click_url":"https://example.org/click/mozilla"}`

func TestQuery(t *testing.T) {
	p := newProvider(t, true, map[adm.Segment]string{usDesktop: "us_desktop.json", dePhone: "de_phone.json"})
	fz := []string{"other", adm.FuzzyVariant}
	f := func(r req, want string) {
		t.Helper()
		got := render(p, r)
		if got != want {
			t.Errorf("%+v:\n got %s\nwant %s", r, got, want)
		}
		if got != "" && !json.Valid([]byte(got)) {
			t.Errorf("%+v: invalid JSON %s", r, got)
		}
	}
	// test_query_success, and normalisation (lstrip + lower; trailing space kept).
	f(req{q: "firefox", country: "US", ff: "desktop"}, firefoxAccounts)
	f(req{q: "  FireFox", country: "US", ff: "desktop"}, firefoxAccounts)
	f(req{q: "\u001cfirefox", country: "US", ff: "desktop"}, firefoxAccounts)
	f(req{q: "firefox ", country: "US", ff: "desktop"}, "")
	// test_query_with_missing_key: no geolocation, no user agent → US / desktop.
	f(req{q: "firefox"}, firefoxAccounts)
	f(req{q: "firefox", ff: "other"}, firefoxAccounts)
	f(req{q: "firefox", country: "US", ff: "bogus"}, firefoxAccounts)
	// Collapse: "firefox account" and "firefox accounts" report the run's full keyword.
	f(req{q: "firefox account"}, firefoxAccounts)
	f(req{q: "mozilla firefox account"}, strings.Replace(firefoxAccounts, `"full_keyword":"firefox accounts"`, `"full_keyword":"mozilla firefox accounts"`, 1))
	// Segments: DE phones and tablets; DE desktop and unknown countries have no index.
	de := render(p, req{q: "firefox", country: "DE", ff: "tablet"})
	if !strings.Contains(de, `"advertiser":"de.Example.org"`) || !strings.Contains(de, `"full_keyword":"firefox accounts de"`) {
		t.Errorf("DE tablet: %s", de)
	}
	f(req{q: "firefox", country: "DE", ff: "desktop"}, "")
	f(req{q: "firefox", country: "FR", ff: "desktop"}, "")
	f(req{q: "firefox", country: "US", ff: "phone"}, "")
	// Fuzzy: only with the treatment variant, through the guardrails.
	f(req{q: "firefox accountz"}, "")
	f(req{q: "firefox accountz", variants: []string{"some_other_variant"}}, "")
	f(req{q: "firefox accountz", variants: fz}, firefoxAccounts)
	f(req{q: "girefox accounts", variants: fz}, "")              // first_char_substitution
	f(req{q: "firefox", variants: fz}, firefoxAccounts)          // exact wins
	f(req{q: "firefox accuonts", variants: fz}, firefoxAccounts) // transposition
	f(req{q: "ffirefox accounts", variants: fz}, "")             // first_char_delete
	f(req{q: "irefox accounts", variants: fz}, "")               // first_char_insert

	// The kill switch.
	off := newProvider(t, false, map[adm.Segment]string{usDesktop: "us_desktop.json"})
	if got := render(off, req{q: "firefox accountz", variants: fz}); got != "" {
		t.Errorf("fuzzy.enabled=false: %s", got)
	}
}

func TestTopPickAndSponsored(t *testing.T) {
	p := newProvider(t, true, map[adm.Segment]string{usDesktop: "top_pick_prefix.json"})
	want := `{"title":"Mozilla Firefox Accounts","url":"https://example.org/target/mozfirefoxaccounts","provider":"adm","is_sponsored":true,"score":0.31,"icon":"attachment-host/main-workspace/quicksuggest/icon-01","custom_details":{"amp":{"header_text":"Example.org header text","suggestion_id":"22222222-2222-2222-2222-222222222222"}},"categories":[],"is_top_pick":true,"block_id":2,"full_keyword":"firefox","advertiser":"Example.org","impression_url":"https://example.org/click/mozilla","click_url":"https://example.org/click/mozilla"}`
	if got := render(p, req{q: "firefox"}); got != want {
		t.Errorf("firefox:\n got %s\nwant %s", got, want)
	}
	got := render(p, req{q: "mozilla"})
	if !strings.Contains(got, `"is_top_pick":false`) || !strings.Contains(got, `"full_keyword":"mozilla"`) {
		t.Errorf("mozilla: %s", got)
	}
}

func TestNoCustomDetails(t *testing.T) {
	p := newProvider(t, true, map[adm.Segment]string{usDesktop: "no_custom_details.json"})
	want := `{"title":"Mozilla Firefox Accounts","url":"https://example.org/target/mozfirefoxaccounts","provider":"adm","is_sponsored":false,"score":0.31,"icon":"attachment-host/main-workspace/quicksuggest/icon-01","categories":[],"is_top_pick":false,"block_id":2,"full_keyword":"firefox accounts","advertiser":"Example.org","impression_url":"https://example.org/impression/mozilla","click_url":"https://example.org/click/mozilla"}`
	if got := render(p, req{q: "firefox"}); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

func TestMozMerinoExtData(t *testing.T) {
	p := newProvider(t, true, map[adm.Segment]string{usDesktop: "moz_merino_ext_test_amp_data.json"})
	// Only header_text null: no custom_details (both null); serp_categories [1,2]; an unknown
	// icon id is merino-py's "-1"; top_pick_prefix "good" does not prefix "la".
	want := `{"title":"Lasagna Come Out Tomorrow","url":"https://www.lasagna.restaurant/","provider":"adm","is_sponsored":false,"score":0.31,"icon":"-1","categories":[1,2],"is_top_pick":false,"block_id":101,"full_keyword":"lasagna","advertiser":"Good Place Eats","impression_url":"https://example.com/impression_url","click_url":"https://example.com/click_url"}`
	if got := render(p, req{q: "la"}); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	if got := render(p, req{q: "los"}); !strings.Contains(got, `"is_top_pick":true`) || !strings.Contains(got, `"full_keyword":"los pollos"`) {
		t.Errorf("los: %s", got)
	}
	if got := render(p, req{q: "los pollos hermanas", variants: []string{adm.FuzzyVariant}}); !strings.Contains(got, `"full_keyword":"los pollos hermanos"`) {
		t.Errorf("fuzzy rescue: %s", got)
	}
}

func TestUnservableAnswersNothing(t *testing.T) {
	p := adm.New(adm.Settings{Base: suggest.Base{Name: "adm", Score: 0.31}})
	data, err := os.ReadFile("testdata/us_desktop.json")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), `"serp_categories": []`, `"serp_categories": [11]`, 1)
	apply := adm.MARSLoader(p, usDesktop, adm.LoadOptions{ProviderID: "adm"}, slog.New(slog.DiscardHandler))
	if _, err := apply([]byte(bad)); err != nil {
		t.Fatal(err)
	}
	if got := render(p, req{q: "firefox"}); got != "" {
		t.Errorf("category 11 served: %s", got)
	}
}

func TestRejectionReason(t *testing.T) {
	// merino-py tests/unit/providers/suggest/adm/test_fuzzy.py.
	f := func(q, c string, want adm.Reason) {
		t.Helper()
		if got := adm.RejectionReason([]byte(q), c, 7); got != want {
			t.Errorf("RejectionReason(%q, %q) = %v, want %v", q, c, got, want)
		}
	}
	f("mountain", "fountain", adm.FirstCharSubstitution)
	f("chevy", "chewy", adm.ShortSubstitution)
	f("range", "orange", adm.FirstCharInsert)
	f("xrange", "range", adm.FirstCharDelete)
	f("fragrence", "fragrance", adm.Keep)
	f("swithc", "switch", adm.Keep)
	f("swich", "switch", adm.Keep)
	f("switchh", "switch", adm.Keep)
	f("abc", "abcde", adm.Keep)
	f("planton", "plantox", adm.Keep)
	f("plants", "plantx", adm.ShortSubstitution)
	f("abcd", "aXcY", adm.ShortSubstitution) // two non-adjacent mismatches: a "substitution"
	f("same", "same", adm.ShortSubstitution) // merino-py's loop falls through to substitute
	f("", "", adm.ShortSubstitution)
	f("éclair", "ëclair", adm.FirstCharSubstitution)
}

func TestNormalizeQuery(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := adm.NormalizeString(in); got != want {
			t.Errorf("NormalizeQuery(%q) = %q, want %q", in, got, want)
		}
	}
	// merino-py test_normalize_query.
	f("example", "example")
	f("EXAMPLE", "example")
	f("ExAmPlE", "example")
	f("example ", "example ")
	f(" example ", "example ")
	f("  example", "example")
	f("example  ", "example  ")
	f("   example   ", "example   ")
	// Python's str.lower specials.
	f("İstanbul", "i̇stanbul")
	f("ΟΔΟΣ", "οδος")
	f("ΟΔΟΣ ΣΑ", "οδος σα")
	f("Σ", "σ")
	f("\u00a0\u2003Ab", "ab")
}

func TestFormFactors(t *testing.T) {
	for ua, want := range map[string]adm.FormFactor{"desktop": adm.Desktop, "other": adm.Desktop, "": adm.Desktop, "phone": adm.Phone, "tablet": adm.Phone, "x": adm.Desktop} {
		if got := adm.RequestFormFactor(ua); got != want {
			t.Errorf("RequestFormFactor(%q) = %v", ua, got)
		}
	}
	if _, err := adm.ParseFormFactor("tablet"); err == nil {
		t.Error("tablet is no MARS form factor")
	}
	if s := usDesktop.String(); s != "US/(0,)" {
		t.Errorf("segment id %q", s)
	}
}
