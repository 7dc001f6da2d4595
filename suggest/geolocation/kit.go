package geolocation

import (
	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

func init() {
	kit.Register(kit.Type[Settings]{
		Name: "geolocation",
		// merino-py hard-codes the score (0): a configured one is ignored there too.
		Read: func(t *kit.Table, s *Settings) {
			u := t.Str("dummy_url", "https://merino.services.mozilla.com/")
			s.Title = t.Str("dummy_title", "")
			var err error
			if s.URL, err = httpurl.Normalize(u); err != nil && !t.Failed() {
				t.Fail("dummy_url", "%v", err)
			}
		},
		New: func(s *Settings, _ *kit.Env) (suggest.Provider, error) { return New(*s), nil },
	})
}
