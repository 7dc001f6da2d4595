package httpurl

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// idnaProfile is UTS #46 ToASCII configured as WHATWG's "domain to ASCII"
// calls it with beStrict false: non-transitional, CheckHyphens false,
// CheckBidi and CheckJoiners true, UseSTD3ASCIIRules and VerifyDnsLength
// false. MapForLookup comes first because it sets stricter values that the
// later options then override. A Profile is immutable, so sharing it between
// goroutines is safe.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.CheckHyphens(false),
	idna.CheckJoiners(true),
	idna.StrictDomainName(false),
	idna.VerifyDNSLength(false),
)

// appendHost runs the WHATWG host parser on input, the non-empty host of a
// special URL as it appears between the authority's '@' and ':', and appends
// the host serialiser's output to dst.
func appendHost(dst []byte, input string) ([]byte, error) {
	if strings.HasPrefix(input, "[") {
		if !strings.HasSuffix(input, "]") || len(input) < 2 {
			return dst, errInvalidIPv6
		}
		a, ok := parseIPv6(input[1 : len(input)-1])
		if !ok {
			return dst, errInvalidIPv6
		}
		dst = append(dst, '[')
		dst = appendIPv6(dst, a)
		return append(dst, ']'), nil
	}

	// The standard decodes with "UTF-8 decode without BOM", which turns bad
	// bytes into U+FFFD; UTS #46 disallows U+FFFD, so failing now is the
	// same outcome.
	decoded := percentDecode(input)
	if !utf8.Valid(decoded) {
		return dst, errInvalidDomain
	}
	domain, err := domainToASCII(string(decoded))
	if err != nil {
		return dst, err
	}
	if endsInNumber(domain) {
		a, ok := parseIPv4(domain)
		if !ok {
			return dst, errInvalidIPv4
		}
		return appendIPv4(dst, a), nil
	}
	return append(dst, domain...), nil
}

// domainToASCII is WHATWG's "domain to ASCII" with beStrict false, followed by
// the forbidden domain code point check that the host parser applies to its
// result.
func domainToASCII(domain string) (string, error) {
	var result string
	if isASCII(domain) && !hasACELabel(domain) {
		// The standard's shortcut: for such input UTS #46 only lower-cases.
		result = strings.ToLower(domain)
	} else {
		// x/net/idna accepts a bare "xn--" label, decoding it to an empty
		// one; UTS #46 says an empty decoded label is an error.
		for label := range strings.SplitSeq(strings.ToLower(domain), ".") {
			if label == "xn--" {
				return "", errInvalidDomain
			}
		}
		var err error
		result, err = idnaProfile.ToASCII(domain)
		if err != nil {
			return "", errInvalidDomain
		}
		// x/net/idna refuses to decode punycode of more than 1024 code
		// points but encodes such labels, so its output would not parse
		// again. Requiring the result to convert to itself rejects those
		// (DNS allows 63 bytes a label anyway) and keeps Normalize
		// idempotent whatever other corner x/net/idna may have.
		if again, err := idnaProfile.ToASCII(result); err != nil || again != result {
			return "", errInvalidDomain
		}
	}
	if result == "" {
		return "", errMissingHost
	}
	for i := 0; i < len(result); i++ {
		if isForbiddenDomainByte(result[i]) {
			return "", errForbiddenHostCodePoint
		}
	}
	return result, nil
}

// isASCII reports whether s has no byte of 0x80 or above.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// hasACELabel reports whether a dot-separated label of domain starts with
// "xn--" in any case, which sends even an ASCII domain through UTS #46 so that
// its punycode is validated.
func hasACELabel(domain string) bool {
	for label := range strings.SplitSeq(domain, ".") {
		if len(label) >= 4 && strings.EqualFold(label[:4], "xn--") {
			return true
		}
	}
	return false
}

// isForbiddenDomainByte reports whether c is a WHATWG forbidden domain code
// point: a C0 control, space, '#', '%', '/', ':', '<', '>', '?', '@', '[',
// '\\', ']', '^', '|' or DEL. Only ASCII code points are forbidden, and the
// domain is ASCII by now, so checking bytes suffices.
func isForbiddenDomainByte(c byte) bool {
	if c <= 0x20 || c == 0x7f {
		return true
	}
	return strings.IndexByte("#%/:<>?@[\\]^|", c) >= 0
}

// endsInNumber is WHATWG's "ends in a number checker": it decides whether a
// domain is to be parsed as an IPv4 address, so that "example.1" fails as a
// bad address rather than passing as a domain.
func endsInNumber(domain string) bool {
	parts := strings.Split(domain, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := parseIPv4Number(last)
	return ok
}

// parseIPv4Number is WHATWG's "IPv4 number parser": decimal, octal with a
// leading "0", or hexadecimal with a leading "0x". Values too large for any
// IPv4 part are clamped to 1<<32 rather than overflowing; every caller
// rejects them.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := uint64(10)
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s, base = s[2:], 16
	} else if len(s) >= 2 && s[0] == '0' {
		s, base = s[1:], 8
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d, ok := unhex(s[i])
		if !ok || uint64(d) >= base {
			return 0, false
		}
		n = n*base + uint64(d)
		if n > 1<<32 {
			n = 1 << 32
		}
	}
	return n, true
}

// parseIPv4 is WHATWG's "IPv4 parser": one to four numbers separated by dots,
// an optional trailing dot, every number but the last below 256, and the
// last filling the remaining bytes.
func parseIPv4(s string) (uint32, bool) {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return 0, false
	}
	var numbers [4]uint64
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return 0, false
		}
		numbers[i] = n
	}
	last := len(parts) - 1
	for _, n := range numbers[:last] {
		if n > 255 {
			return 0, false
		}
	}
	if numbers[last] >= 1<<(8*(5-len(parts))) {
		return 0, false
	}
	a := numbers[last]
	for i, n := range numbers[:last] {
		a += n << (8 * (3 - i))
	}
	return uint32(a), true
}

// appendIPv4 appends the dotted-decimal form of a.
func appendIPv4(dst []byte, a uint32) []byte {
	for i := 3; i >= 0; i-- {
		dst = strconv.AppendUint(dst, uint64(a>>(8*i)&0xff), 10)
		if i > 0 {
			dst = append(dst, '.')
		}
	}
	return dst
}

// parseIPv6 is WHATWG's "IPv6 parser" for the text between the brackets: up
// to eight hex pieces of up to four digits, at most one "::" compression,
// and optionally a dotted-decimal IPv4 address in place of the last two
// pieces.
func parseIPv6(s string) ([8]uint16, bool) {
	var a [8]uint16
	piece := 0     // index of the piece being filled
	compress := -1 // index where "::" was seen, -1 if not
	i := 0
	if strings.HasPrefix(s, ":") {
		if !strings.HasPrefix(s, "::") {
			return a, false
		}
		i, piece, compress = 2, 1, 1
	}
	for i < len(s) {
		if piece == 8 {
			return a, false
		}
		if s[i] == ':' {
			if compress >= 0 {
				return a, false
			}
			i++
			piece++
			compress = piece
			continue
		}
		start := i
		var value uint16
		for i < len(s) && i-start < 4 {
			d, ok := unhex(s[i])
			if !ok {
				break
			}
			value = value<<4 | uint16(d)
			i++
		}
		if i < len(s) && s[i] == '.' {
			// An embedded IPv4 address: re-read this piece as its start.
			if i == start || piece > 6 {
				return a, false
			}
			n, ok := parseEmbeddedIPv4(s[start:])
			if !ok {
				return a, false
			}
			a[piece] = uint16(n >> 16)
			a[piece+1] = uint16(n)
			piece += 2
			i = len(s)
			break
		}
		if i < len(s) {
			if s[i] != ':' {
				return a, false
			}
			i++
			if i == len(s) {
				return a, false
			}
		}
		a[piece] = value
		piece++
	}
	if compress >= 0 {
		// Move the pieces after "::" to the end, zeros filling the gap.
		swaps := piece - compress
		for k := 0; k < swaps; k++ {
			from, to := piece-1-k, 7-k
			a[from], a[to] = a[to], a[from]
		}
	} else if piece != 8 {
		return a, false
	}
	return a, true
}

// parseEmbeddedIPv4 parses the IPv4 tail of an IPv6 address, which is
// stricter than a host's IPv4 address: exactly four decimal numbers, each
// below 256 and without leading zeros.
func parseEmbeddedIPv4(s string) (uint32, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return 0, false
	}
	var a uint32
	for _, p := range parts {
		if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') || strings.Trim(p, "0123456789") != "" {
			return 0, false
		}
		n, _ := strconv.Atoi(p)
		if n > 255 {
			return 0, false
		}
		a = a<<8 | uint32(n)
	}
	return a, true
}

// appendIPv6 is WHATWG's IPv6 serialiser: lower-case hex without leading
// zeros, and the first longest run of two or more zero pieces written as
// "::".
func appendIPv6(dst []byte, a [8]uint16) []byte {
	best, bestLen := -1, 1
	for i := 0; i < 8; {
		if a[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && a[j] == 0 {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = j
	}
	for i := 0; i < 8; i++ {
		if i == best {
			dst = append(dst, "::"...)
			i += bestLen - 1
			continue
		}
		if i > 0 && i != best+bestLen {
			dst = append(dst, ':')
		}
		dst = strconv.AppendUint(dst, uint64(a[i]), 16)
	}
	return dst
}
