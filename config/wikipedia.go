package config

import "time"

// Wikipedia configures a wikipedia provider.
type Wikipedia struct {
	// Backend is "bleve", the only one: indexes built by `merino index wikipedia`.
	Backend string
	// IndexDir holds one index per language, <index_dir>/<lang>wiki.
	IndexDir string
	// Languages are the supported language codes (merino-py's suggest_supported_languages).
	Languages      []string
	MaxSuggestions int
	// TitleBlocklist entries are compared with the bare article title, case-insensitively,
	// '_' read as a space (a deliberate fix: merino-py compares the prefixed title).
	TitleBlocklist []string
	// Fallback turns on the full-text fallback (not in merino-py; off by default).
	Fallback bool
	// CircuitBreakerFailureThreshold and CircuitBreakerRecoverTimeout keep merino-py's names.
	CircuitBreakerFailureThreshold int
	CircuitBreakerRecoverTimeout   time.Duration
	// ResyncInterval is how often index_dir is checked for a newly built index.
	ResyncInterval time.Duration
}

// Wikipedia returns the settings of a wikipedia provider (nil for another type).
func (p *Provider) Wikipedia() *Wikipedia {
	w, _ := p.Settings.(*Wikipedia)
	return w
}

func init() {
	providerTypes["wikipedia"] = func(pr *tableReader) (float64, any) {
		w := &Wikipedia{
			Backend:                        pr.Str("backend", "bleve"),
			IndexDir:                       pr.Str("index_dir", ""),
			Languages:                      pr.Strings("languages", []string{"en", "fr", "de", "it", "pl"}),
			MaxSuggestions:                 pr.Int("max_suggestions", 1, 1, 32),
			TitleBlocklist:                 pr.Strings("title_blocklist", []string{}),
			Fallback:                       pr.Bool("fallback", false),
			CircuitBreakerFailureThreshold: pr.Int("circuit_breaker_failure_threshold", 10, 1, 1<<31-1),
			CircuitBreakerRecoverTimeout:   secondsToDuration(pr.Float("circuit_breaker_recover_timeout_sec", 30, 0, 86400)),
			ResyncInterval:                 pr.Seconds("resync_interval_sec", 60),
		}
		switch {
		case pr.Failed():
		case w.Backend != "bleve":
			pr.Fail("backend", "must be \"bleve\" (merino-go has no Elasticsearch backend), got %q", w.Backend)
		case w.IndexDir == "":
			pr.Fail("index_dir", "required: the directory holding <lang>wiki indexes built by `merino index wikipedia`")
		case len(w.Languages) == 0:
			pr.Fail("languages", "must name at least one language")
		default:
			seen := map[string]bool{}
			for _, l := range w.Languages {
				if !isLangCode(l) {
					pr.Fail("languages", "%q is not a lower-case language code (2 to 12 of a-z and -)", l)
					break
				}
				if seen[l] {
					pr.Fail("languages", "%q is listed twice", l)
					break
				}
				seen[l] = true
			}
		}
		return 0.23, w
	}
}

// isLangCode accepts Wikipedia language codes as directory names: lower-case letters and
// '-' (e.g. "simple", "zh-yue"), nothing that could escape index_dir.
func isLangCode(s string) bool {
	if len(s) < 2 || len(s) > 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z') && !(c == '-' && i > 0) {
			return false
		}
	}
	return true
}
