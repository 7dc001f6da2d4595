package adm

import (
	"fmt"
	"net/url"
	"time"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// MARS is the [mars] section: where the mars backend fetches and which segments.
type MARS struct {
	BaseURL           string
	SuggestionURLPath string
	Countries         []string
	FormFactors       []string
	ConnectTimeout    time.Duration
	RequestTimeout    time.Duration
}

// marsSection is [mars], read whether or not an adm provider uses it.
var marsSection = config.NewSection("mars", func(t *config.Table) *MARS {
	m := &MARS{
		BaseURL:           t.Str("base_url", "https://ads.mozilla.org/v1/suggest/"),
		SuggestionURLPath: t.Str("suggestion_url_path", DefaultMARSPath),
		Countries:         t.Strings("countries", []string{"US"}),
		FormFactors:       t.Strings("form_factors", []string{"desktop"}),
		ConnectTimeout:    t.FloatSeconds("connect_timeout_sec", 5, 0.001, 600),
		RequestTimeout:    t.FloatSeconds("request_timeout_sec", 10, 0.001, 600),
	}
	if u, err := url.Parse(m.BaseURL); (err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https")) && !t.Failed() {
		t.Fail("base_url", "must be an absolute http(s) URL, got %q", m.BaseURL)
	}
	for _, c := range m.Countries {
		if c == "" && !t.Failed() {
			t.Fail("countries", "a country may not be empty")
		}
	}
	for _, ff := range m.FormFactors {
		// merino-py's FormFactor enum has DESKTOP and PHONE only.
		if ff != "desktop" && ff != "phone" && !t.Failed() {
			t.Fail("form_factors", "must hold desktop or phone, got %q", ff)
		}
	}
	return m
})

// MARSSettings returns c's [mars] section.
func MARSSettings(c *config.Config) *MARS { return marsSection.Get(c) }

func init() {
	kit.Register(kit.Type[Settings]{
		Name:  "adm",
		Score: 0.31,
		Read: func(t *kit.Table, s *Settings) {
			s.Backend = t.Str("backend", "mars")
			s.FilePath = t.Str("file_path", "")
			s.ResyncInterval = t.Seconds("resync_interval_sec", 3600)
			s.Fuzzy = t.Bool("fuzzy.enabled", true)
			s.MinSubstitutionLen = t.Int("fuzzy.min_substitution_len", 7, 0, 1<<20)
			switch {
			case t.Failed():
			case s.Backend == "mars", s.Backend == "remote_settings":
			case s.Backend != "file":
				t.Fail("backend", "must be mars, remote_settings or file, got %q", s.Backend)
			case s.FilePath == "":
				t.Fail("file_path", "required by the file backend: the path of a MARS response body")
			}
		},
		New: newProvider,
	})
}

// newProvider makes an adm provider and the syncers of its backend.
func newProvider(s *Settings, env *kit.Env) (suggest.Provider, error) {
	p := New(*s)
	log := env.Log()
	m := MARSSettings(env.Config)
	segs, err := marsSegments(m)
	if err != nil {
		return nil, err
	}
	opts := LoadOptions{ProviderID: s.Name}
	http := loaders.HTTPOptions{ConnectTimeout: m.ConnectTimeout, RequestTimeout: m.RequestTimeout, MaxBytes: env.Config.SourceLimits().MARS}
	switch s.Backend {
	case "file":
		src, err := loaders.NewSource(s.FilePath, http)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", env.Path("file_path"), err)
		}
		env.Sync(env.Name(), src, s.ResyncInterval, FileLoader(p, segs, opts, log), log)
		return p, nil
	case "remote_settings":
		rs := env.Config.RemoteSettings()
		c, err := NewKintoClient(KintoOptions{
			Server: rs.Server, Bucket: rs.Bucket, Collection: rs.Collection,
			ConnectTimeout: m.ConnectTimeout, RequestTimeout: m.RequestTimeout,
			MaxBytes: env.Config.SourceLimits().RemoteSettings,
		})
		if err != nil {
			return nil, fmt.Errorf("remote_settings: %w", err)
		}
		env.Sync(env.Name(), NewRemoteSettingsSource(c), s.ResyncInterval, RemoteSettingsLoader(p, opts, log), log)
		return p, nil
	}
	// mars: one syncer per segment, each with its own ETag, keeping its last good index.
	for _, seg := range segs {
		u, err := SegmentURL(m.BaseURL, m.SuggestionURLPath, seg.Country, seg.FormFactor)
		if err != nil {
			return nil, fmt.Errorf("mars.base_url: %w", err)
		}
		src, err := loaders.NewSource(u, http)
		if err != nil {
			return nil, fmt.Errorf("mars.base_url: %w", err)
		}
		name := fmt.Sprintf("%s/%s/%s", env.Name(), seg.Country, seg.FormFactor)
		env.Sync(name, src, s.ResyncInterval, MARSLoader(p, seg, opts, log), log)
	}
	return p, nil
}

// marsSegments is mars.countries × mars.form_factors, duplicates dropped (merino-py
// de-duplicates both lists).
func marsSegments(m *MARS) ([]Segment, error) {
	var segs []Segment
	seen := map[Segment]bool{}
	for _, c := range m.Countries {
		for _, f := range m.FormFactors {
			ff, err := ParseFormFactor(f)
			if err != nil {
				return nil, fmt.Errorf("mars.form_factors: %w", err)
			}
			seg := Segment{Country: c, FormFactor: ff}
			if !seen[seg] {
				seen[seg] = true
				segs = append(segs, seg)
			}
		}
	}
	return segs, nil
}
