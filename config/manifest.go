package config

import "time"

// Manifest configures the /api/v1/manifest data source.
type Manifest struct {
	// Source is a file path, an http(s):// URL or a gs://bucket/object; "" = no manifest.
	Source         string
	ResyncInterval time.Duration
}

func init() {
	sections["manifest"] = func(tr *tableReader) any {
		return &Manifest{
			Source:         tr.Str("source", ""),
			ResyncInterval: tr.Seconds("resync_interval_sec", 3600),
		}
	}
}

// ManifestSettings returns the [manifest] section.
func (c *Config) ManifestSettings() *Manifest {
	m, _ := c.Sections["manifest"].(*Manifest)
	return m
}
