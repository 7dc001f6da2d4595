// Package surface holds the New Tab's markets as merino-py defines them: the locales Firefox
// may send, the surfaces (NEW_TAB_EN_US, ...) a locale and region map to, each surface's
// constants (utm_source, scheduling time zone, Popular Today title, whether sections have rolled
// out), and the topics stories are filed under.
package surface

import (
	"time"
	_ "time/tzdata" // the scheduling time zones must resolve in a minimal container too
)

// Locales are the values of merino-py's Locale enum, in its declaration order (the order its
// validation message lists them in).
var Locales = [...]string{"fr", "fr-BE", "fr-FR", "es", "es-ES", "it", "it-IT", "en", "en-CA", "en-GB",
	"en-IE", "en-US", "de", "de-DE", "de-AT", "de-CH", "pl", "pl-PL"}

// IsLocale reports whether s is one of Locales (case-sensitive, as the enum is).
func IsLocale(s string) bool {
	for _, l := range Locales {
		if l == s {
			return true
		}
	}
	return false
}

// ID names a surface, e.g. "NEW_TAB_EN_US".
type ID string

// The surfaces of merino-py's SurfaceId enum.
const (
	DeAT   ID = "NEW_TAB_DE_AT"
	DeCH   ID = "NEW_TAB_DE_CH"
	DeDE   ID = "NEW_TAB_DE_DE"
	EnCA   ID = "NEW_TAB_EN_CA"
	EnGB   ID = "NEW_TAB_EN_GB"
	EnIE   ID = "NEW_TAB_EN_IE"
	EnINTL ID = "NEW_TAB_EN_INTL"
	EnUS   ID = "NEW_TAB_EN_US"
	EnXE   ID = "NEW_TAB_EN_XE"
	EsES   ID = "NEW_TAB_ES_ES"
	EsXA   ID = "NEW_TAB_ES_XA"
	FrBE   ID = "NEW_TAB_FR_BE"
	FrFR   ID = "NEW_TAB_FR_FR"
	ItIT   ID = "NEW_TAB_IT_IT"
	PlPL   ID = "NEW_TAB_PL_PL"
)

// Surface is one market's constants.
type Surface struct {
	ID ID
	// UTMSource is the utm_source set on every story URL; "" leaves URLs alone.
	UTMSource string
	// Zone is the time zone whose day (starting at 03:00) picks the scheduled stories.
	Zone *time.Location
	// PopularToday is the localised title of the Popular Today section; "" for a surface
	// without sections.
	PopularToday string
	// RolledOut surfaces answer requests without the sections feed from the sections query,
	// flattened (merino-py's ROLLED_OUT_SECTION_SURFACES); the others from ScheduledSurface.
	RolledOut bool
}

// HasSections reports whether the surface serves the sections feed.
func (s *Surface) HasSections() bool { return s.PopularToday != "" }

// All lists every surface, in SurfaceId declaration order.
var All = []*Surface{
	{ID: DeAT, PopularToday: "Meistgelesen", RolledOut: true},
	{ID: DeCH, PopularToday: "Meistgelesen", RolledOut: true},
	{ID: DeDE, UTMSource: "firefox-newtab-de-de", Zone: MustLoadZone("Europe/Berlin"), PopularToday: "Meistgelesen", RolledOut: true},
	{ID: EnCA, UTMSource: "firefox-newtab-en-ca", Zone: MustLoadZone("America/Toronto"), PopularToday: "Popular Today", RolledOut: true},
	{ID: EnGB, UTMSource: "firefox-newtab-en-gb", Zone: MustLoadZone("Europe/London"), PopularToday: "Popular Today", RolledOut: true},
	{ID: EnIE, UTMSource: "firefox-newtab-en-ie", PopularToday: "Popular Today", RolledOut: true},
	{ID: EnINTL, UTMSource: "firefox-newtab-en-intl", Zone: MustLoadZone("Asia/Kolkata")},
	{ID: EnUS, UTMSource: "firefox-newtab-en-us", Zone: MustLoadZone("America/New_York"), PopularToday: "Popular Today", RolledOut: true},
	{ID: EnXE, UTMSource: "firefox-newtab-en-xe", Zone: MustLoadZone("Europe/Berlin"), PopularToday: "Popular Today"},
	{ID: EsES, UTMSource: "firefox-newtab-es-es", Zone: MustLoadZone("Europe/Madrid"), PopularToday: "Tendencias", RolledOut: true},
	{ID: EsXA, UTMSource: "firefox-newtab-es-xa", Zone: MustLoadZone("America/Mexico_City"), PopularToday: "Tendencias"},
	{ID: FrBE, PopularToday: "Tendances du jour", RolledOut: true},
	{ID: FrFR, UTMSource: "firefox-newtab-fr-fr", Zone: MustLoadZone("Europe/Paris"), PopularToday: "Tendances du jour", RolledOut: true},
	{ID: ItIT, UTMSource: "firefox-newtab-it-it", Zone: MustLoadZone("Europe/Rome"), PopularToday: "I più letti", RolledOut: true},
	{ID: PlPL, UTMSource: "firefox-newtab-pl-pl", Zone: MustLoadZone("Europe/Warsaw"), PopularToday: "Przegląd dnia"},
}

// MustLoadZone loads a time zone from the embedded database; a missing one is a build defect.
func MustLoadZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("BUG: time zone " + name + ": " + err.Error())
	}
	return loc
}

// Get returns the surface with the given id, nil for an unknown one.
func Get(id ID) *Surface {
	for _, s := range All {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Experiment is a request's Nimbus enrolment (experimentName, experimentBranch; "" when absent).
type Experiment struct{ Name, Branch string }

// Enrolled is merino-py's is_enrolled_in_experiment: the name, or "optin-" + name, and the
// branch.
func (e Experiment) Enrolled(name, branch string) bool {
	// Compared in two parts: "optin-"+name would allocate for long names on every request.
	const optin = "optin-"
	n := e.Name
	if len(n) == len(optin)+len(name) && n[:len(optin)] == optin {
		n = n[len(optin):]
	}
	return n == name && e.Branch == branch
}

// Region is merino-py's derive_region: the first two consecutive ASCII letters of region,
// upper-cased, when region is not empty and has them; else the two letters after the first '-'
// or '_' of the locale; else none ("").
func Region(locale, region string) string {
	if r := twoLetters(region, false); r != "" {
		return r
	}
	return twoLetters(locale, true)
}

// twoLetters finds [a-zA-Z]{2} in s (after a '-' or '_' when afterSep) and upper-cases it.
func twoLetters(s string, afterSep bool) string {
	if l := letters(s, afterSep); l != "" {
		return withCase(l, 'A')
	}
	return ""
}

// letters finds [a-zA-Z]{2} in s (after a '-' or '_' when afterSep), as written.
func letters(s string, afterSep bool) string {
	for i := 0; i+1 < len(s); i++ {
		start := i
		if afterSep {
			if s[i] != '-' && s[i] != '_' {
				continue
			}
			start = i + 1
			if start+1 >= len(s) {
				break
			}
		}
		if isLetter(s[start]) && isLetter(s[start+1]) {
			return s[start : start+2]
		}
	}
	return ""
}

// withCase returns two ASCII letters in upper ('A') or lower ('a') case, without allocating
// when they already are (as in nearly every request).
func withCase(ab string, base byte) string {
	up := base == 'A'
	if (ab[0] < 'a') == up && (ab[1] < 'a') == up {
		return ab
	}
	return string([]byte{base + (ab[0] | 0x20 - 'a'), base + (ab[1] | 0x20 - 'a')})
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// Language is the locale's first two letters, lower-cased.
func Language(locale string) string {
	l := letters(locale, false)
	if l == "" {
		return ""
	}
	return withCase(l, 'a')
}

// The experiments that choose a surface or an engagement region.
const (
	sectionsInEnEurope      = "sections-in-en-europe"
	sectionsInGlobalSpanish = "sections-in-global-spanish"
	publisherConstraintDE   = "publisher-constraint-in-germany"
)

// enXERegions are the continental regions whose English users the sections-in-en-europe
// treatment sends to NEW_TAB_EN_XE.
var enXERegions = [...]string{"DE", "FR", "AT", "CH", "BE", "IT", "ES", "PL"}

// Select is merino-py's get_recommendation_surface_id. exp is nil where merino-py passes no
// request (the legacy endpoints), which keeps the experiment-only surfaces out of reach.
func Select(locale, region string, exp *Experiment) *Surface {
	r := Region(locale, region)
	switch Language(locale) {
	case "de":
		switch r {
		case "AT":
			return Get(DeAT)
		case "CH":
			return Get(DeCH)
		}
		return Get(DeDE)
	case "pl":
		return Get(PlPL)
	case "es":
		if exp != nil && r != "ES" && exp.Enrolled(sectionsInGlobalSpanish, "treatment") {
			return Get(EsXA)
		}
		return Get(EsES)
	case "fr":
		if r == "BE" {
			return Get(FrBE)
		}
		return Get(FrFR)
	case "it":
		return Get(ItIT)
	}
	switch r {
	case "CA":
		return Get(EnCA)
	case "IE":
		return Get(EnIE)
	case "", "US":
		return Get(EnUS)
	case "GB":
		return Get(EnGB)
	case "IN":
		return Get(EnINTL)
	}
	if exp != nil && exp.Enrolled(sectionsInEnEurope, "treatment") {
		for _, x := range enXERegions {
			if x == r {
				return Get(EnXE)
			}
		}
	}
	return Get(EnUS)
}

// EngagementRegion is merino-py's derive_engagement_region: the region, except for German
// requests in a branch of publisher-constraint-in-germany, whose engagement rows carry the
// synthetic region "DE-publisher-constraint-in-germany-<branch>".
func EngagementRegion(locale, region string, exp Experiment) string {
	r := Region(locale, region)
	if r == "DE" && (exp.Branch == "control" || exp.Branch == "treatment") && exp.Enrolled(publisherConstraintDE, exp.Branch) {
		return "DE-" + publisherConstraintDE + "-" + exp.Branch
	}
	return r
}

// ScheduledDate is the day whose ScheduledSurface items a request at now is served: now in the
// surface's time zone (UTC where it has none) minus three hours, as YYYY-MM-DD.
func (s *Surface) ScheduledDate(now time.Time) string {
	z := s.Zone
	if z == nil {
		z = time.UTC
	}
	return now.In(z).Add(-3 * time.Hour).Format("2006-01-02")
}
