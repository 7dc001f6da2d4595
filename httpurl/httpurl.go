package httpurl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxLength is the longest input Normalize accepts, in bytes. pydantic's
// HttpUrl sets max_length=2083, and pydantic-core compares it with the
// length of the Rust string, which counts UTF-8 bytes, not characters.
const MaxLength = 2083

// The reasons Normalize gives. They follow the WHATWG validation errors that
// are failures, in words short enough for a log line.
var (
	errEmpty                  = errors.New("input is empty")
	errTooLong                = fmt.Errorf("input is longer than %d bytes", MaxLength)
	errInvalidUTF8            = errors.New("input is not valid utf-8")
	errMissingScheme          = errors.New("missing scheme")
	errUnsupportedScheme      = errors.New("scheme is not http or https")
	errMissingHost            = errors.New("missing host")
	errInvalidPort            = errors.New("invalid port")
	errInvalidIPv4            = errors.New("invalid ipv4 address")
	errInvalidIPv6            = errors.New("invalid ipv6 address")
	errInvalidDomain          = errors.New("invalid international domain name")
	errForbiddenHostCodePoint = errors.New("forbidden host code point")
)

// Normalize parses raw as pydantic v2's HttpUrl does and returns the string
// pydantic would serialise, for example "https://example.com/" for
// "HTTPS://Example.COM:443". It fails for input that pydantic rejects: an
// empty or over-long string, a scheme other than http or https, a missing or
// invalid host, or an invalid port. The error reads
// `cannot parse URL "...": reason`, the input clipped to 100 bytes.
//
// Normalize never panics and is safe for concurrent use.
func Normalize(raw string) (string, error) {
	s, err := normalize(raw, MaxLength)
	if err != nil {
		const maxQuoted = 100 // keeps a log line short for over-long input
		if len(raw) > maxQuoted {
			raw = raw[:maxQuoted] + "..."
		}
		return "", fmt.Errorf("cannot parse URL %q: %w", raw, err)
	}
	return s, nil
}

// normalize is Normalize without the error context, and with the length
// limit as a parameter: an output may be longer than its input, and tests
// re-normalise outputs.
func normalize(raw string, maxLength int) (string, error) {
	// pydantic-core checks these before the url crate sees the input.
	if raw == "" {
		return "", errEmpty
	}
	if len(raw) > maxLength {
		return "", errTooLong
	}
	// A Python str always holds valid code points, so pydantic cannot be
	// given bytes that are not UTF-8; reject them rather than guess.
	if !utf8.ValidString(raw) {
		return "", errInvalidUTF8
	}

	// WHATWG preprocessing: strip leading and trailing C0 control or space,
	// then drop ASCII tab and newline wherever they are.
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= 0x20 })
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	}

	p := parser{in: s, out: make([]byte, 0, len(s)+16)}
	if err := p.parse(); err != nil {
		return "", err
	}
	return string(p.out), nil
}

// parser holds the state of one run of the basic URL parser. Each method
// below covers one or more states of the WHATWG state machine, named in its
// comment. Special URLs without a base visit the states in a fixed order, so
// the machine unrolls into straight-line calls.
type parser struct {
	in  string // preprocessed input
	pos int    // index into in of the next byte to read
	out []byte // serialisation written so far
}

// parse runs the states in order and leaves the serialised URL in p.out.
func (p *parser) parse() error {
	defaultPort, err := p.parseScheme()
	if err != nil {
		return err
	}
	if err := p.parseAuthority(defaultPort); err != nil {
		return err
	}
	p.parsePath()
	p.parseQueryAndFragment()
	return nil
}

// parseScheme covers the "scheme start" and "scheme" states. With no base
// URL, input that does not start with a scheme fails ("missing scheme"). Any
// scheme other than http or https is rejected here: pydantic would parse it
// and then refuse it, so the result is the same.
func (p *parser) parseScheme() (defaultPort string, err error) {
	i := 0
	for i < len(p.in) && isSchemeByte(p.in[i], i == 0) {
		i++
	}
	if i == 0 || i == len(p.in) || p.in[i] != ':' {
		return "", errMissingScheme
	}
	scheme := strings.ToLower(p.in[:i])
	switch scheme {
	case "http":
		defaultPort = "80"
	case "https":
		defaultPort = "443"
	default:
		return "", errUnsupportedScheme
	}
	p.pos = i + 1
	p.out = append(p.out, scheme...)
	p.out = append(p.out, "://"...)
	return defaultPort, nil
}

// isSchemeByte reports whether c may appear in a scheme: an ASCII letter
// first, then letters, digits, '+', '-' or '.'.
func isSchemeByte(c byte, first bool) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		return true
	case first:
		return false
	case '0' <= c && c <= '9', c == '+', c == '-', c == '.':
		return true
	}
	return false
}

// isSlash reports whether c separates path segments; special schemes treat
// '\\' as '/'.
func isSlash(c byte) bool {
	return c == '/' || c == '\\'
}

// parseAuthority covers the "special authority slashes", "special authority
// ignore slashes", "authority", "host" and "port" states.
func (p *parser) parseAuthority(defaultPort string) error {
	// Special schemes accept any number of slashes or backslashes, even
	// none, before the authority: "http:\\\a.com" is "http://a.com/".
	for p.pos < len(p.in) && isSlash(p.in[p.pos]) {
		p.pos++
	}

	// The authority runs to the first '/', '\\', '?' or '#'.
	end := p.pos
	for end < len(p.in) && !isSlash(p.in[end]) && p.in[end] != '?' && p.in[end] != '#' {
		end++
	}
	authority := p.in[p.pos:end]
	p.pos = end

	// Credentials end at the last '@'; earlier ones belong to them and get
	// percent-encoded. The first ':' separates username from password. The
	// serialiser omits empty credentials, and the ':' of an empty password.
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo := authority[:at]
		authority = authority[at+1:]
		username, password, _ := strings.Cut(userinfo, ":")
		if username != "" || password != "" {
			p.out = appendEncoded(p.out, username, userinfoSet)
			if password != "" {
				p.out = append(p.out, ':')
				p.out = appendEncoded(p.out, password, userinfoSet)
			}
			p.out = append(p.out, '@')
		}
	}

	// The host ends at the first ':' outside square brackets.
	host, port := authority, ""
	hasPort := false
	inBrackets := false
	for i := 0; i < len(authority); i++ {
		c := authority[i]
		if c == '[' {
			inBrackets = true
		} else if c == ']' {
			inBrackets = false
		} else if c == ':' && !inBrackets {
			host, port, hasPort = authority[:i], authority[i+1:], true
			break
		}
	}
	if host == "" {
		return errMissingHost
	}
	var err error
	if p.out, err = appendHost(p.out, host); err != nil {
		return err
	}

	if hasPort {
		port, err := normalizePort(port, defaultPort)
		if err != nil {
			return err
		}
		if port != "" {
			p.out = append(p.out, ':')
			p.out = append(p.out, port...)
		}
	}
	return nil
}

// normalizePort checks the digits after the host's ':' and returns the port
// as the serialiser writes it: without leading zeros, and empty when the
// port is missing or is the scheme's default.
func normalizePort(port, defaultPort string) (string, error) {
	n := 0
	for i := 0; i < len(port); i++ {
		c := port[i]
		if c < '0' || c > '9' {
			return "", errInvalidPort
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return "", errInvalidPort
		}
	}
	if port == "" {
		return "", nil
	}
	s := strconv.Itoa(n)
	if s == defaultPort {
		return "", nil
	}
	return s, nil
}

// parsePath covers the "path start" and "path" states. It percent-encodes
// each segment and resolves "." and ".." segments (also written "%2e") as it
// goes. It keeps the start of each written segment on a stack, so removing
// the last one for ".." costs nothing and the whole path stays linear.
func (p *parser) parsePath() {
	// Path start: one leading slash is the path's own; without one, the
	// path starts right away (as in "http://a.com?x").
	if p.pos < len(p.in) && isSlash(p.in[p.pos]) {
		p.pos++
	}
	var starts []int
	for {
		end := p.pos
		for end < len(p.in) && !isSlash(p.in[end]) && p.in[end] != '?' && p.in[end] != '#' {
			end++
		}
		segment := p.in[p.pos:end]
		// lastSegment: no slash follows, so this segment ends the path and
		// must leave the path ending in '/' if it is a dot segment.
		lastSegment := end == len(p.in) || !isSlash(p.in[end])
		switch {
		case isDoubleDot(segment):
			if len(starts) > 0 {
				p.out = p.out[:starts[len(starts)-1]]
				starts = starts[:len(starts)-1]
			}
			if lastSegment {
				starts = append(starts, len(p.out))
				p.out = append(p.out, '/')
			}
		case isSingleDot(segment):
			if lastSegment {
				starts = append(starts, len(p.out))
				p.out = append(p.out, '/')
			}
		default:
			starts = append(starts, len(p.out))
			p.out = append(p.out, '/')
			p.out = appendEncoded(p.out, segment, pathSet)
		}
		p.pos = end
		if lastSegment {
			return
		}
		p.pos++ // the slash
	}
}

// isSingleDot reports whether a path segment means "this directory".
func isSingleDot(s string) bool {
	return s == "." || strings.EqualFold(s, "%2e")
}

// isDoubleDot reports whether a path segment means "parent directory".
func isDoubleDot(s string) bool {
	switch strings.ToLower(s) {
	case "..", ".%2e", "%2e.", "%2e%2e":
		return true
	}
	return false
}

// parseQueryAndFragment covers the "query" and "fragment" states. An empty
// query or fragment is kept: "http://a.com/?#" serialises as it reads.
func (p *parser) parseQueryAndFragment() {
	rest := p.in[p.pos:]
	query, fragment, hasFragment := strings.Cut(rest, "#")
	if strings.HasPrefix(query, "?") {
		p.out = append(p.out, '?')
		p.out = appendEncoded(p.out, query[1:], specialQuerySet)
	}
	if hasFragment {
		p.out = append(p.out, '#')
		p.out = appendEncoded(p.out, fragment, fragmentSet)
	}
}
