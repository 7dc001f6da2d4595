package config

import "time"

// TopPicks configures a top_picks provider.
type TopPicks struct {
	// FilePath is a local path or an http(s):// URL of a merino-py top_picks.json.
	FilePath         string
	QueryCharLimit   int
	FirefoxCharLimit int
	ResyncInterval   time.Duration
	DomainBlocklist  []string
}

// TopPicksBlocklist is merino-py's TOP_PICKS_BLOCKLIST, the default of domain_blocklist.
var TopPicksBlocklist = []string{
	"4channel", "draftkings", "furaffinity", "internalfb", "megapersonals", "myvidster",
	"rt", "sniffies", "thegatewaypundit", "urbandictionary", "winloot", "worldstarhiphop",
}

func init() {
	providerTypes["top_picks"] = func(pr *tableReader) (float64, any) {
		tp := &TopPicks{
			FilePath:         pr.Str("top_picks_file_path", ""),
			QueryCharLimit:   pr.Int("query_char_limit", 4, 1, 64),
			FirefoxCharLimit: pr.Int("firefox_char_limit", 2, 1, 64),
			ResyncInterval:   pr.Seconds("resync_interval_sec", 43200),
			DomainBlocklist:  pr.Strings("domain_blocklist", TopPicksBlocklist),
		}
		if tp.FilePath == "" && !pr.Failed() {
			pr.Fail("top_picks_file_path", "required: a file path or an http(s):// URL")
		}
		if tp.FirefoxCharLimit > tp.QueryCharLimit && !pr.Failed() {
			pr.Fail("firefox_char_limit", "must not exceed query_char_limit (%d), got %d", tp.QueryCharLimit, tp.FirefoxCharLimit)
		}
		return 0.25, tp
	}
}
