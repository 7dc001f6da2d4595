package main

import (
	"reflect"
	"testing"
)

func TestDamerau1(t *testing.T) {
	f := func(a, b string, want edit) {
		t.Helper()
		if got := damerau1(a, b); got != want {
			t.Errorf("damerau1(%q, %q) = %d; want %d", a, b, got, want)
		}
	}
	f("google", "google", editNone)
	f("google", "goggle", editSubstitute)
	f("google", "goolge", editTranspose)
	f("google", "ogogle", editTranspose)
	f("google", "googel", editTranspose)
	f("google", "googlwe", editInsert)
	f("google", "xgoogle", editInsert)
	f("google", "googlex", editInsert)
	f("yahoo", "yahooo", editDouble)
	f("hulu", "hullu", editDouble)
	f("marriott", "marriot", editUndouble)
	f("youtube", "yutube", editDelete)
	f("youtube", "youtub", editDelete)
	f("google", "gogle", editUndouble)
	f("google", "elgoog", editNone)
	f("google", "gogole", editTranspose)
	f("google", "gogoel", editNone) // two transpositions: distance 2
	f("google", "goo", editNone)
	f("ab", "ba", editTranspose)
	f("", "a", editInsert)
	f("a", "", editDelete)
	f("", "", editNone)
}

func TestLabelOf(t *testing.T) {
	f := func(host, want string) {
		t.Helper()
		if got := labelOf(host); got != want {
			t.Errorf("labelOf(%q) = %q; want %q", host, got, want)
		}
	}
	f("www.google.com", "google")
	f("bbc.co.uk", "bbc")
	f("www.bbc.co.uk", "bbc")
	f("mozilla.org", "mozilla")
	f("play.google.com", "google")
	f("WWW.Amazon.CO.JP", "amazon")
	f("abc.net.au", "abc")
	f("104.com.tw", "104")
	f("localhost", "localhost")
	f("example.com.", "example")
}

func TestSimilarsOf(t *testing.T) {
	counts := map[string]int{
		"googel": 1, "goolge": 1, "googlwe": 1, "goggle": 2, // goggle is an English word
		"oogle": 3,              // first letter dropped
		"bing":  9, "king": 143, // another site; different first letter
		"bini": 1, "bign": 1, // short label: substitution no, transposition yes
		"craiglist": 2, "craigslit": 1, "criagslist": 1, "craigslst": 1, "craigelist": 1, "caigslist": 1,
		"googl3": 5, // digits are not kept
	}
	siteLabels := map[string]bool{"google": true, "bing": true, "craigslist": true}
	words := map[string]bool{"goggle": true}
	f := func(label string, want ...string) {
		t.Helper()
		if want == nil {
			want = []string{}
		}
		if got := similarsOf(label, counts, siteLabels, words); !reflect.DeepEqual(got, want) {
			t.Errorf("similarsOf(%q) = %q; want %q", label, got, want)
		}
	}
	f("google", "googel", "googlwe", "goolge")
	f("bing", "bign")
	f("craigslist", "craiglist", "caigslist", "craigelist", "craigslit", "craigslst")
	f("cnn")
}

func TestTokens(t *testing.T) {
	got := tokens("Is wal-mart open? macy's.com  GOOGLE!")
	want := []string{"is", "wal-mart", "open", "macy's", "com", "google"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tokens = %q; want %q", got, want)
	}
}
