package corpus

import (
	"strings"
	"unicode/utf8"

	"github.com/mozilla-services/merino-go/httpurl"
)

// SetUTMSource is merino-py's update_url_utm_source: Python's urlparse, the query read with
// parse_qsl into a dict, utm_source set, the query written back with urlencode, and the URL put
// together with geturl. Its quirks are kept: blank parameters and parameters without '=' vanish,
// repeated keys keep their first place and last value, the query is re-encoded (a space becomes
// '+', '/' becomes %2F), an existing utm_source is replaced where it stands, and an empty
// fragment ('#' with nothing after it) is dropped. The caller normalises the result as pydantic's
// HttpUrl.
func SetUTMSource(rawURL, source string) string {
	scheme, netloc, path, params, query, fragment := urlparse(rawURL)

	type pair struct{ k, v string }
	var pairs []pair
	for _, nv := range strings.Split(query, "&") {
		if nv == "" {
			continue
		}
		k, v, ok := strings.Cut(nv, "=")
		if !ok || v == "" {
			continue
		}
		k, v = unquotePlus(k), unquotePlus(v)
		replaced := false
		for i := range pairs {
			if pairs[i].k == k {
				pairs[i].v, replaced = v, true
				break
			}
		}
		if !replaced {
			pairs = append(pairs, pair{k, v})
		}
	}
	found := false
	for i := range pairs {
		if pairs[i].k == "utm_source" {
			pairs[i].v, found = source, true
		}
	}
	if !found {
		pairs = append(pairs, pair{"utm_source", source})
	}
	var q strings.Builder
	for i, p := range pairs {
		if i > 0 {
			q.WriteByte('&')
		}
		q.WriteString(quotePlus(p.k))
		q.WriteByte('=')
		q.WriteString(quotePlus(p.v))
	}
	if params != "" {
		path += ";" + params
	}
	return urlunsplit(scheme, netloc, path, q.String(), fragment)
}

// urlparse is Python's urllib.parse.urlparse for the schemes the corpus uses.
func urlparse(u string) (scheme, netloc, path, params, query, fragment string) {
	// WHATWG C0 controls and space are stripped at both ends; tabs and newlines go everywhere.
	u = strings.TrimLeft(u, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	u = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(u)
	if i := strings.IndexByte(u, ':'); i > 0 && isAlpha(u[0]) {
		ok := true
		for j := 0; j < i; j++ {
			c := u[j]
			if !isAlpha(c) && !('0' <= c && c <= '9') && c != '+' && c != '-' && c != '.' {
				ok = false
				break
			}
		}
		if ok {
			scheme, u = strings.ToLower(u[:i]), u[i+1:]
		}
	}
	if strings.HasPrefix(u, "//") {
		end := len(u)
		for _, c := range "/?#" {
			if i := strings.IndexRune(u[2:], c); i >= 0 && i+2 < end {
				end = i + 2
			}
		}
		netloc, u = u[2:end], u[end:]
	}
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u, fragment = u[:i], u[i+1:]
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u, query = u[:i], u[i+1:]
	}
	if usesParams(scheme) && strings.Contains(u, ";") {
		from := strings.LastIndexByte(u, '/')
		if from < 0 {
			from = 0
		}
		if i := strings.IndexByte(u[from:], ';'); i >= 0 {
			u, params = u[:from+i], u[from+i+1:]
		}
	}
	return scheme, netloc, u, params, query, fragment
}

func usesParams(scheme string) bool {
	switch scheme {
	case "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtsps", "rtspu", "sip", "sips", "mms", "sftp", "tel":
		return true
	}
	return false
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// urlunsplit is Python 3.14's: "//" + netloc when there is a netloc, and empty query and
// fragment left out.
func urlunsplit(scheme, netloc, path, query, fragment string) string {
	var b strings.Builder
	if scheme != "" {
		b.WriteString(scheme)
		b.WriteByte(':')
	}
	switch {
	case netloc != "":
		b.WriteString("//")
		b.WriteString(netloc)
		if path != "" && path[0] != '/' {
			b.WriteByte('/')
		}
	case strings.HasPrefix(path, "//"):
		b.WriteString("//")
	case scheme != "" && (path == "" || path[0] == '/') && usesNetloc(scheme):
		b.WriteString("//")
	}
	b.WriteString(path)
	if query != "" {
		b.WriteByte('?')
		b.WriteString(query)
	}
	if fragment != "" {
		b.WriteByte('#')
		b.WriteString(fragment)
	}
	return b.String()
}

func usesNetloc(scheme string) bool {
	switch scheme {
	case "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp", "snews",
		"prospero", "rtsp", "rtsps", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git", "git+ssh", "ws", "wss", "itms-services":
		return true
	}
	return false
}

// quotePlus is Python's quote_plus(s, safe=""): spaces become '+'.
func quotePlus(s string) string {
	if !strings.Contains(s, " ") {
		return httpurl.Quote(s, "")
	}
	return strings.ReplaceAll(httpurl.Quote(s, " "), " ", "+")
}

// unquotePlus is parse_qsl's decoding: '+' is a space, %XX sequences are bytes, and the bytes
// are read as UTF-8 with invalid sequences replaced.
func unquotePlus(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s)+0 && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}
