package toppicks

import (
	"fmt"

	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

func init() {
	kit.Register(kit.Type[Settings]{
		Name:  "top_picks",
		Score: 0.25,
		Read: func(t *kit.Table, s *Settings) {
			s.FilePath = t.Str("top_picks_file_path", "")
			s.Index.QueryCharLimit = t.Int("query_char_limit", 4, 1, 64)
			s.Index.FirefoxCharLimit = t.Int("firefox_char_limit", 2, 1, 64)
			s.ResyncInterval = t.Seconds("resync_interval_sec", 43200)
			s.DomainBlocklist = t.Strings("domain_blocklist", Blocklist)
			switch {
			case t.Failed():
			case s.FilePath == "":
				t.Fail("top_picks_file_path", "required: a file path or an http(s):// URL")
			case s.Index.FirefoxCharLimit > s.Index.QueryCharLimit:
				t.Fail("firefox_char_limit", "must not exceed query_char_limit (%d), got %d", s.Index.QueryCharLimit, s.Index.FirefoxCharLimit)
			}
		},
		New: func(s *Settings, env *kit.Env) (suggest.Provider, error) {
			p := New(*s)
			src, err := loaders.NewSource(s.FilePath, loaders.HTTPOptions{MaxBytes: env.Config.SourceLimits().TopPicks})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", env.Path("top_picks_file_path"), err)
			}
			log := env.Log()
			env.Sync(env.Name(), src, s.ResyncInterval, Loader(p, log), log)
			return p, nil
		},
	})
}
