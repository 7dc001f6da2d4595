package config

import (
	"net/url"
	"time"
)

// ADM configures an adm provider (sponsored AMP suggestions).
type ADM struct {
	// Backend is mars, remote_settings or file.
	Backend string
	// FilePath is the file backend's MARS response body, served for every segment.
	FilePath       string
	ResyncInterval time.Duration
	// FuzzyEnabled is fuzzy.enabled, the kill switch of the fuzzy fallback.
	FuzzyEnabled bool
	// FuzzyMinSubstitutionLen is fuzzy.min_substitution_len.
	FuzzyMinSubstitutionLen int
}

// MARS is the [mars] section: where the mars backend fetches and which segments.
type MARS struct {
	BaseURL           string
	SuggestionURLPath string
	Countries         []string
	FormFactors       []string
	ConnectTimeout    time.Duration
	RequestTimeout    time.Duration
}

// RemoteSettings is the [remote_settings] section: the Kinto API root, bucket and collection.
type RemoteSettings struct {
	Server     string
	Bucket     string
	Collection string
}

// ADM returns the settings of an adm provider (nil for another type).
func (p *Provider) ADM() *ADM {
	a, _ := p.Settings.(*ADM)
	return a
}

// MARS returns the [mars] section.
func (c *Config) MARS() *MARS {
	m, _ := c.Sections["mars"].(*MARS)
	return m
}

// RemoteSettings returns the [remote_settings] section.
func (c *Config) RemoteSettings() *RemoteSettings {
	rs, _ := c.Sections["remote_settings"].(*RemoteSettings)
	return rs
}

func init() {
	providerTypes["adm"] = func(pr *tableReader) (float64, any) {
		a := &ADM{
			Backend:                 pr.Str("backend", "mars"),
			FilePath:                pr.Str("file_path", ""),
			ResyncInterval:          pr.Seconds("resync_interval_sec", 3600),
			FuzzyEnabled:            pr.Bool("fuzzy.enabled", true),
			FuzzyMinSubstitutionLen: pr.Int("fuzzy.min_substitution_len", 7, 0, 1<<20),
		}
		switch a.Backend {
		case "mars", "remote_settings":
		case "file":
			if a.FilePath == "" && !pr.Failed() {
				pr.Fail("file_path", "required by the file backend: the path of a MARS response body")
			}
		default:
			if !pr.Failed() {
				pr.Fail("backend", "must be mars, remote_settings or file, got %q", a.Backend)
			}
		}
		return 0.31, a
	}
	sections["mars"] = func(tr *tableReader) any {
		m := &MARS{
			BaseURL:           tr.Str("base_url", "https://ads.mozilla.org/v1/suggest/"),
			SuggestionURLPath: tr.Str("suggestion_url_path", "data"),
			Countries:         tr.Strings("countries", []string{"US"}),
			FormFactors:       tr.Strings("form_factors", []string{"desktop"}),
			ConnectTimeout:    secondsToDuration(tr.Float("connect_timeout_sec", 5, 0.001, 600)),
			RequestTimeout:    secondsToDuration(tr.Float("request_timeout_sec", 10, 0.001, 600)),
		}
		if u, err := url.Parse(m.BaseURL); (err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https")) && !tr.Failed() {
			tr.Fail("base_url", "must be an absolute http(s) URL, got %q", m.BaseURL)
		}
		for _, c := range m.Countries {
			if c == "" && !tr.Failed() {
				tr.Fail("countries", "a country may not be empty")
			}
		}
		for _, ff := range m.FormFactors {
			// merino-py's FormFactor enum has DESKTOP and PHONE only.
			if ff != "desktop" && ff != "phone" && !tr.Failed() {
				tr.Fail("form_factors", "must hold desktop or phone, got %q", ff)
			}
		}
		return m
	}
	sections["remote_settings"] = func(tr *tableReader) any {
		rs := &RemoteSettings{
			Server:     tr.Str("server", "https://firefox.settings.services.mozilla.com/v1"),
			Bucket:     tr.Str("bucket", "main"),
			Collection: tr.Str("collection", "quicksuggest"),
		}
		if u, err := url.Parse(rs.Server); (err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https")) && !tr.Failed() {
			tr.Fail("server", "must be an absolute http(s) URL, got %q", rs.Server)
		}
		return rs
	}
}
