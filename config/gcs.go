package config

import "net/url"

// GCS configures how merino-go reaches Google Cloud Storage: the gs:// sources of `merino
// serve` and the writes of `merino job`.
type GCS struct {
	// EndpointURL is gcs.endpoint_url, merino-py's key: "" for Google's endpoint, reached
	// with Google credentials (the metadata server, or application default credentials);
	// else the base URL of an emulator or a fake, spoken to anonymously.
	EndpointURL string
}

func init() {
	sections["gcs"] = func(tr *tableReader) any {
		g := &GCS{EndpointURL: tr.Str("endpoint_url", "")}
		if g.EndpointURL != "" {
			u, err := url.Parse(g.EndpointURL)
			if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.User != nil {
				tr.Fail("endpoint_url", "must be an absolute http(s) URL such as http://127.0.0.1:4443 (or empty for Google's), got %q", g.EndpointURL)
			}
		}
		return g
	}
}

// GCS returns the [gcs] section.
func (c *Config) GCS() *GCS {
	g, _ := c.Sections["gcs"].(*GCS)
	return g
}
