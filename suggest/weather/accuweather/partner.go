package accuweather

import (
	"net/url"
	"strings"
)

// AddPartnerCode is merino-py's add_partner_code: AccuWeather's link is turned into https
// (the first "http:" replaced) and the newtab partner code is appended as a query
// parameter. merino-py does this with httpx's URL.copy_add_param, which re-encodes the
// whole query with urlencode; so does this.
func (c *Client) AddPartnerCode(link string) string {
	if !strings.HasPrefix(link, "https:") {
		link = strings.Replace(link, "http:", "https:", 1)
	}
	if c.cfg.PartnerParam == "" || c.cfg.PartnerNewtab == "" {
		return link
	}
	return withParam(link, c.cfg.PartnerParam, c.cfg.PartnerNewtab, false)
}

// SetSuggestPartnerCode is merino-py's update_weather_url_with_suggest_partner_code for one
// URL: the partner parameter is set (replacing its value in place) to the Firefox Suggest
// code. The caller normalises the result as pydantic's HttpUrl would.
func (c *Client) SetSuggestPartnerCode(u string) string {
	if c.cfg.PartnerParam == "" {
		return u
	}
	return withParam(u, c.cfg.PartnerParam, c.cfg.PartnerFFSuggest, true)
}

// withParam adds (or, with set, replaces) one query parameter the way httpx's
// QueryParams does: the query is parsed as parse_qsl(keep_blank_values=True) would, and
// written back with urlencode (quote_plus). A set keeps the parameter's first position and
// drops its other occurrences.
func withParam(u, key, value string, set bool) string {
	base, frag, hasFrag := strings.Cut(u, "#")
	base, query, _ := strings.Cut(base, "?")
	type kv struct{ k, v string }
	var pairs []kv
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		pairs = append(pairs, kv{unquotePlus(k), unquotePlus(v)})
	}
	if set {
		found := false
		out := pairs[:0]
		for _, p := range pairs {
			if p.k == key {
				if found {
					continue
				}
				found = true
				p.v = value
			}
			out = append(out, p)
		}
		pairs = out
		if !found {
			pairs = append(pairs, kv{key, value})
		}
	} else {
		pairs = append(pairs, kv{key, value})
	}
	var b strings.Builder
	b.WriteString(base)
	b.WriteByte('?')
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(quotePlus(p.k))
		b.WriteByte('=')
		b.WriteString(quotePlus(p.v))
	}
	if hasFrag {
		b.WriteByte('#')
		b.WriteString(frag)
	}
	return b.String()
}

// unquotePlus is Python's urllib.parse.unquote_plus: "+" is a space and an invalid escape
// is kept as is.
func unquotePlus(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if out, err := url.PathUnescape(s); err == nil {
		return out
	}
	// Python keeps malformed escapes literally; decode the valid ones only.
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func ishex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// quotePlus is Python's urllib.parse.quote_plus with its default safe set: letters,
// digits and "_.-~" stay, a space becomes "+", everything else is %XX (upper case).
func quotePlus(s string) string {
	const hexdigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '_', c == '.', c == '-', c == '~':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexdigits[c>>4])
			b.WriteByte(hexdigits[c&15])
		}
	}
	return b.String()
}
