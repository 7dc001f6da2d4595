package config

// Sources is the [sources] section: how large each kind of data source may be. A larger one
// is refused without being read past its limit and never replaces the data being served.
type Sources struct {
	// The limits in bytes, from the *_max_mb keys.
	TopPicks, MARS, RemoteSettings, Manifest int64
}

func init() {
	sections["sources"] = func(tr *tableReader) any {
		mb := func(name string, def int64) int64 {
			return int64(tr.Int(name, def, 1, 4096)) << 20
		}
		return &Sources{
			TopPicks:       mb("top_picks_max_mb", 16),
			MARS:           mb("mars_max_mb", 48),
			RemoteSettings: mb("remote_settings_max_mb", 48),
			Manifest:       mb("manifest_max_mb", 16),
		}
	}
}

// SourceLimits returns the [sources] section.
func (c *Config) SourceLimits() *Sources {
	s, _ := c.Sections["sources"].(*Sources)
	return s
}
