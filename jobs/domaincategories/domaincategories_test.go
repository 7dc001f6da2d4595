package domaincategories

import (
	"strings"
	"testing"
)

func TestKey(t *testing.T) {
	// merino-py's documented examples (jobs.md §5).
	for domain, want := range map[string]string{"sports.com": "mqzeM3Cm0XLuAd0kKwCttg==", "sportsnnews.com": "g01iNP2/b7ehY5hQXQRP1g==", "inconclusive.com": "uQX8/1Xq/Q9wZOXXGogCaQ=="} {
		if got := Key(domain); got != want {
			t.Errorf("Key(%q) = %q; want %q", domain, got, want)
		}
	}
}

func TestProduction(t *testing.T) {
	m, err := Production()
	if err != nil {
		t.Fatal(err)
	}
	multi := 0
	for _, cs := range m {
		if len(cs) > 1 {
			multi++
		}
	}
	if len(m) != 34151 || multi != 661 {
		t.Errorf("%d domains, %d with several categories; want 34151 and 661", len(m), multi)
	}
	// The first entries of merino-py's table, and one with two categories in order.
	if c := m["BPNrX9JDOSGaN/1l4qozIg=="]; len(c) != 1 || c[0] != Home {
		t.Errorf("BPNrX9JDOSGaN/1l4qozIg==: %v", c)
	}
	if c := m["xhD+bEE3ynJRg6FDyfYnxA=="]; len(c) != 2 || c[0] != Business || c[1] != Sports {
		t.Errorf("xhD+bEE3ynJRg6FDyfYnxA==: %v", c)
	}
	if tm, _ := ForEnv("testing"); len(tm) != 4 {
		t.Error("testing table")
	}
	if pm, _ := ForEnv("production"); len(pm) != len(m) {
		t.Error("production table")
	}
}

func TestRead(t *testing.T) {
	m, err := Read(strings.NewReader(`{"mqzeM3Cm0XLuAd0kKwCttg==": [17, 14]}`))
	if err != nil || len(m) != 1 || m["mqzeM3Cm0XLuAd0kKwCttg=="][1] != News {
		t.Errorf("%v %v", m, err)
	}
	if _, err := Read(strings.NewReader(`{"x": [11]}`)); err == nil || !strings.Contains(err.Error(), "unknown category code 11") {
		t.Errorf("Health: %v", err)
	}
	if _, err := Read(strings.NewReader(`[1]`)); err == nil {
		t.Error("not an object: no error")
	}
	if Category(15).String() != "RealEstate" || Category(11).String() != "Category(11)" {
		t.Error("String")
	}
}
