package wikipedia

import (
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/breaker"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

func init() {
	kit.Register(kit.Type[Settings]{
		Name:  "wikipedia",
		Score: 0.23,
		Read: func(t *kit.Table, s *Settings) {
			s.Backend = t.Str("backend", "bleve")
			s.IndexDir = t.Str("index_dir", "")
			s.Languages = t.Strings("languages", DefaultLanguages)
			s.MaxSuggestions = t.Int("max_suggestions", 1, 1, 32)
			s.TitleBlocklist = t.Strings("title_blocklist", []string{})
			s.Fallback = t.Bool("fallback", false)
			s.FailureThreshold = t.Int("circuit_breaker_failure_threshold", 10, 1, 1<<31-1)
			s.RecoverTimeout = t.FloatSeconds("circuit_breaker_recover_timeout_sec", 30, 0, 86400)
			s.ResyncInterval = t.Seconds("resync_interval_sec", 60)
			switch {
			case t.Failed():
			case s.Backend != "bleve":
				t.Fail("backend", "must be \"bleve\" (merino-go has no Elasticsearch backend), got %q", s.Backend)
			case s.IndexDir == "":
				t.Fail("index_dir", "required: the directory holding <lang>wiki indexes built by `merino index wikipedia`")
			case len(s.Languages) == 0:
				t.Fail("languages", "must name at least one language")
			default:
				seen := map[string]bool{}
				for _, l := range s.Languages {
					if !isLangCode(l) {
						t.Fail("languages", "%q is not a lower-case language code (2 to 12 of a-z and -)", l)
						break
					}
					if seen[l] {
						t.Fail("languages", "%q is listed twice", l)
						break
					}
					seen[l] = true
				}
			}
		},
		New: func(s *Settings, env *kit.Env) (suggest.Provider, error) {
			p := New(*s)
			// One syncer per language: each watches <index_dir>/<lang>wiki/meta.json and swaps
			// a newly built index in (hot reload); a missing one is logged once and serves
			// nothing.
			for _, lang := range s.Languages {
				dir := IndexDir(s.IndexDir, lang)
				log := env.Log().With("lang", lang)
				env.Sync(env.Name()+"-"+lang, NewIndexSource(dir, log), s.ResyncInterval, Loader(p, lang, dir), log)
			}
			// merino-py's WikipediaCircuitBreaker.
			return breaker.Wrap(p, breaker.New(s.FailureThreshold, s.RecoverTimeout, nil), nil), nil
		},
	})
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
