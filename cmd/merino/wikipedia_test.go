package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/index/fulltext"
)

// Each language analyses titles and queries with its own merino-py analyzer, over HTTP, on
// five indexes built by `merino index wikipedia` from testdata/analysis-<lang>.json: the
// same six titles in every language (ß, full-width letters, ’, [) plus two of the
// language's own.
func TestWikipediaAnalysisOverHTTP(t *testing.T) {
	dir := t.TempDir()
	for _, lang := range fulltext.Languages() {
		buildWiki(t, "testdata/analysis-"+lang+".json", filepath.Join(dir, lang+"wiki"), lang)
	}
	srv := startWikiServer(t, dir, "MERINO_PROVIDERS__WIKIPEDIA__MAX_SUGGESTIONS=3")
	if strings.Contains(srv.logs.String(), "no Wikipedia index") {
		t.Errorf("an index is missing:\n%s", srv.logs.String())
	}
	titleRE := regexp.MustCompile(`"title":"Wikip[ée]dia - ((?:[^"\\]|\\.)*)"`)
	titles := func(q, lang string) string {
		var got []string
		for _, m := range titleRE.FindAllStringSubmatch(srv.suggestions(q, lang), -1) {
			got = append(got, m[1])
		}
		return strings.Join(got, "|")
	}
	f := func(lang, q, want string) {
		t.Helper()
		if got := titles(q, lang); got != want {
			t.Errorf("%s %q: %q, want %q", lang, q, got, want)
		}
	}
	others := []string{"fr", "de", "it", "pl"}
	for _, lang := range append([]string{"en"}, others...) {
		// A query that analyses to no token finds nothing, in every language; the ones
		// Firefox sends as the user starts typing.
		for _, q := range []string{"", " ", "-", "_", "'", ",", `"`, "--", "''", ",,", "_-", "- ", "\t"} {
			f(lang, q, "")
		}
		// A leading or trailing space still matches.
		f(lang, "strassenb ", "Strassenbahn")
		f(lang, " strassenb", "Strassenbahn")
		f(lang, " Strassenb  ", "Strassenbahn")
	}
	// English: nfkc_cf folds ß to ss and full-width letters to ASCII; ’ and [ break words.
	f("en", "strasse", "Straße des 17. Juni|Strassenbahn")
	f("en", "straße", "Straße des 17. Juni|Strassenbahn")
	f("en", "abc", "ＡＢＣ|Abc Verlag")
	f("en", "ａｂｃ", "ＡＢＣ|Abc Verlag")
	f("en", "l’", "L’Étranger")
	f("en", "l é", "L’Étranger")
	f("en", "roméo j", "Roméo[Juliette]")
	f("en", "roméo[j", "Roméo[Juliette]")
	f("en", "ελλάς σ", "Ελλάς Σοφός")
	f("en", "ZOË", "Zoë Saldaña")
	// The others lower-case as Lucene does (ß and full-width letters stay) and break on
	// _ , - ' " only.
	for _, lang := range others {
		f(lang, "strasse", "Strassenbahn")
		f(lang, "straße", "Straße des 17. Juni")
		f(lang, "STRASSE", "Strassenbahn")
		f(lang, "abc", "Abc Verlag")
		f(lang, "ａｂｃ", "ＡＢＣ")
		f(lang, "ＡＢ", "ＡＢＣ")
		f(lang, "l’", "L’Étranger")
		f(lang, "l’é", "L’Étranger")
		f(lang, "l'é", "") // ' breaks: two tokens, and the title is one
		f(lang, "l é", "")
		f(lang, "roméo j", "")
		f(lang, "roméo[j", "Roméo[Juliette]")
		f(lang, "roméo_j", "")
	}
	f("fr", "œuvre d’", "Œuvre d’art")
	f("fr", "forêt de b", "Forêt de Brocéliande")
	f("fr", "foret", "") // no accent folding
	f("de", "KÖ", "Köln")
	f("de", "rock’n", "Rock’n’Roll")
	f("de", "rock n", "")
	f("it", "città d", "Città del Vaticano")
	f("it", "dell’u", "Dell’Utri")
	f("pl", "ŁÓ", "Łódź")
	f("pl", "zażółć gęś", "Zażółć gęślą jaźń")
	f("pl", "zazolc", "")
	// Unsupported languages use English's index and English's analysis.
	f("es", "straße", "Straße des 17. Juni|Strassenbahn")

	// Whole suggestions: the title as stored, the URL quoted, full_keyword from the query.
	if got, want := srv.suggestions("straße", "de-DE"), "["+wikiSuggestion("Wikipedia - Straße des 17. Juni", "https://de.wikipedia.org/wiki/Stra%C3%9Fe_des_17._Juni", "straße")+"]"; got != want {
		t.Errorf("straße (de):\n got %s\nwant %s", got, want)
	}
	if got, want := srv.suggestions("l’", "fr"), "["+wikiSuggestion("Wikipédia - L’Étranger", "https://fr.wikipedia.org/wiki/L%E2%80%99%C3%89tranger", "l’étranger")+"]"; got != want {
		t.Errorf("l’ (fr):\n got %s\nwant %s", got, want)
	}
}
