package config

import "net/url"

// RemoteSettings is the [remote_settings] section: the Kinto API root, bucket and collection
// of the Remote Settings service (the adm provider's remote_settings backend reads it).
type RemoteSettings struct {
	Server     string
	Bucket     string
	Collection string
}

func init() {
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

// RemoteSettings returns the [remote_settings] section.
func (c *Config) RemoteSettings() *RemoteSettings {
	rs, _ := c.Sections["remote_settings"].(*RemoteSettings)
	return rs
}
