package surface

import (
	"testing"
	"time"
)

// merino-py's test_utils.py: locale and region pairs (region "" = None).
func TestSelect(t *testing.T) {
	f := func(locale, region string, want ID) {
		t.Helper()
		if got := Select(locale, region, nil).ID; got != want {
			t.Errorf("Select(%q, %q) = %s, want %s", locale, region, got, want)
		}
	}
	f("en-CA", "US", EnUS)
	f("en-GB", "US", EnUS)
	f("en-US", "US", EnUS)
	f("en-CA", "CA", EnCA)
	f("en-GB", "CA", EnCA)
	f("en-US", "CA", EnCA)
	f("de", "DE", DeDE)
	f("de-AT", "DE", DeDE)
	f("de-CH", "DE", DeDE)
	f("de-AT", "AT", DeAT)
	f("de-CH", "CH", DeCH)
	f("en-CA", "GB", EnGB)
	f("en-GB", "GB", EnGB)
	f("en-US", "GB", EnGB)
	f("en-CA", "IE", EnIE)
	f("en-GB", "IE", EnIE)
	f("en-US", "IE", EnIE)
	f("fr", "BE", FrBE)
	f("fr", "FR", FrFR)
	f("it", "IT", ItIT)
	f("es", "ES", EsES)
	f("pl", "PL", PlPL)
	f("pl-PL", "PL", PlPL)
	f("pl", "", PlPL)
	f("pl-PL", "", PlPL)
	f("en-CA", "IN", EnINTL)
	f("en-GB", "IN", EnINTL)
	f("en-US", "IN", EnINTL)
	f("de", "CH", DeCH)
	f("de", "AT", DeAT)
	f("de", "BE", DeDE)
	f("en", "CA", EnCA)
	f("en", "US", EnUS)
	f("en", "GB", EnGB)
	f("en", "IE", EnIE)
	f("en", "IN", EnINTL)
	f("de", "US", DeDE)
	f("en", "FR", EnUS)
	f("es", "DE", EsES)
	f("fr", "ES", FrFR)
	f("it", "CA", ItIT)
	f("en-US", "", EnUS)
	f("en-GB", "", EnGB)
	f("en-IE", "", EnIE)
	f("eN-US", "", EnUS)
	f("En-GB", "", EnGB)
	f("EN-ie", "", EnIE)
	f("en-cA", "", EnCA)
	f("en", "gB", EnGB)
	f("en", "Ie", EnIE)
	f("en", "in", EnINTL)
	f("en", "XX", EnUS)
	f("xx", "US", EnUS)
	f("xx", "CA", EnCA)
	f("xx", "GB", EnGB)
	f("xx", "IE", EnIE)
	f("xx", "YY", EnUS)
	// The region is read leniently: the first two consecutive letters.
	f("en-US", "SXM", EnUS)
	f("en", "1gb", EnGB)
	f("en-GB", "1A", EnGB)
}

func TestSelectExperiments(t *testing.T) {
	f := func(name, locale, region, branch string, want ID) {
		t.Helper()
		if got := Select(locale, region, &Experiment{Name: name, Branch: branch}).ID; got != want {
			t.Errorf("Select(%q, %q, %s/%s) = %s, want %s", locale, region, name, branch, got, want)
		}
	}
	eu, es := "sections-in-en-europe", "sections-in-global-spanish"
	for _, r := range []string{"DE", "FR", "AT", "CH", "BE", "IT", "ES", "PL"} {
		f(eu, "en", r, "treatment", EnXE)
	}
	f(eu, "en-DE", "", "treatment", EnXE)
	f("optin-"+eu, "en", "DE", "treatment", EnXE)
	f(eu, "en", "US", "treatment", EnUS)
	f(eu, "en", "GB", "treatment", EnGB)
	f(eu, "en", "CA", "treatment", EnCA)
	f(eu, "en", "IE", "treatment", EnIE)
	f(eu, "en", "IN", "treatment", EnINTL)
	f(eu, "en", "DE", "control", EnUS)
	f(eu, "en", "NL", "treatment", EnUS)
	f(eu, "de", "DE", "treatment", DeDE)
	f(eu, "es", "ES", "treatment", EsES)
	f(es, "es", "MX", "treatment", EsXA)
	f(es, "es", "US", "treatment", EsXA)
	f(es, "es", "", "treatment", EsXA)
	f(es, "es-MX", "", "treatment", EsXA)
	f(es, "es", "ES", "treatment", EsES)
	f(es, "es-ES", "", "treatment", EsES)
	f(es, "es", "MX", "control", EsES)
	f(es, "en", "DE", "treatment", EnUS)
	f(es, "en", "MX", "treatment", EnUS)
	// Without a request (the legacy endpoints) the experiment surfaces are out of reach.
	if got := Select("es", "MX", nil).ID; got != EsES {
		t.Errorf("legacy es/MX = %s", got)
	}
}

func TestRegionAndLanguage(t *testing.T) {
	f := func(locale, region, want string) {
		t.Helper()
		if got := Region(locale, region); got != want {
			t.Errorf("Region(%q, %q) = %q, want %q", locale, region, got, want)
		}
	}
	f("fr-FR", "", "FR")
	f("de-CH", "", "CH")
	f("de", "US", "US")
	f("it", "CA", "CA")
	f("123", "123", "")
	f("123", "", "")
	f("en", "", "")
	f("en_gb", "", "GB")
	f("en-US", "us", "US")
	for l, want := range map[string]string{"fr": "fr", "fr-FR": "fr", "en-CA": "en", "de-CH": "de", "1234": ""} {
		if got := Language(l); got != want {
			t.Errorf("Language(%q) = %q", l, got)
		}
	}
}

func TestEngagementRegion(t *testing.T) {
	f := func(locale, region, name, branch, want string) {
		t.Helper()
		if got := EngagementRegion(locale, region, Experiment{name, branch}); got != want {
			t.Errorf("EngagementRegion(%q, %q, %s/%s) = %q, want %q", locale, region, name, branch, got, want)
		}
	}
	pc := "publisher-constraint-in-germany"
	f("de-DE", "DE", pc, "control", "DE-publisher-constraint-in-germany-control")
	f("de-DE", "DE", pc, "treatment", "DE-publisher-constraint-in-germany-treatment")
	f("de-DE", "DE", "optin-"+pc, "treatment", "DE-publisher-constraint-in-germany-treatment")
	f("de-DE", "DE", "some-other-experiment", "treatment", "DE")
	f("de-DE", "DE", pc, "other", "DE")
	f("de-DE", "DE", pc, "", "DE")
	f("de-DE", "DE", "", "treatment", "DE")
	for _, r := range []string{"US", "FR", "CA"} {
		f("en-US", r, pc, "treatment", r)
	}
}

func TestEnrolled(t *testing.T) {
	f := func(name, branch string, want bool) {
		t.Helper()
		if got := (Experiment{name, branch}).Enrolled("exp1", "control"); got != want {
			t.Errorf("%s/%s: %v", name, branch, got)
		}
	}
	f("exp1", "control", true)
	f("optin-exp1", "control", true)
	f("exp1", "treatment", false)
	f("other", "control", false)
	f("", "control", false)
	f("exp1", "", false)
}

func TestTopics(t *testing.T) {
	for corpus, want := range map[string]string{"ENTERTAINMENT": "arts", "EDUCATION": "education", "GAMING": "hobbies",
		"PARENTING": "society-parenting", "BUSINESS": "business", "SCIENCE": "education-science", "PERSONAL_FINANCE": "finance",
		"FOOD": "food", "POLITICS": "government", "HEALTH_FITNESS": "health", "HOME": "home", "SELF_IMPROVEMENT": "society",
		"SPORTS": "sports", "TECHNOLOGY": "tech", "TRAVEL": "travel", "career": "career", "CORONAVIRUS": "", "": ""} {
		if got := CorpusTopic(corpus).String(); got != want {
			t.Errorf("CorpusTopic(%q) = %q, want %q", corpus, got, want)
		}
		if want != "" && TopicOf(want) == NoTopic {
			t.Errorf("TopicOf(%q) = none", want)
		}
	}
	if !IsLegacySection("food") || IsLegacySection("nfl") || IsLegacySection("Food") {
		t.Error("IsLegacySection")
	}
}

func TestSurfaces(t *testing.T) {
	rolled := 0
	for _, s := range All {
		if s.RolledOut {
			rolled++
			if !s.HasSections() {
				t.Errorf("%s rolled out without sections", s.ID)
			}
		}
	}
	if rolled != 11 {
		t.Errorf("%d rolled-out surfaces, want 11", rolled)
	}
	if Get(EnINTL).HasSections() || Get("NOPE") != nil {
		t.Error("EN_INTL has no sections; NOPE is no surface")
	}
	// The day flips at 03:00 in the surface's zone.
	now := time.Date(2025, 3, 17, 6, 59, 0, 0, time.UTC) // 02:59 in New York (EDT)
	if got := Get(EnUS).ScheduledDate(now); got != "2025-03-16" {
		t.Errorf("EN_US date at 02:59 = %s", got)
	}
	if got := Get(EnUS).ScheduledDate(now.Add(time.Minute)); got != "2025-03-17" {
		t.Errorf("EN_US date at 03:00 = %s", got)
	}
	if got := Get(DeAT).ScheduledDate(now); got != "2025-03-17" {
		t.Errorf("DE_AT (UTC) date = %s", got)
	}
}
