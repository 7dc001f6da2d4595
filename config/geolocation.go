package config

// Geolocation configures a geolocation provider (merino-py's dummy_url and dummy_title: the
// suggestion carries the location, not something to show).
type Geolocation struct {
	URL   string
	Title string
}

func init() {
	providerTypes["geolocation"] = func(pr *tableReader) (float64, any) {
		g := &Geolocation{
			URL:   pr.Str("dummy_url", "https://merino.services.mozilla.com/"),
			Title: pr.Str("dummy_title", ""),
		}
		// merino-py hard-codes the score: a configured one would be ignored there too.
		return 0, g
	}
}
