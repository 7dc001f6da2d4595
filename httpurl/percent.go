package httpurl

// encodeSet says which ASCII bytes a percent-encode set contains. Bytes of
// 0x80 and above belong to every set: they are the UTF-8 bytes of non-ASCII
// code points, which WHATWG always encodes.
type encodeSet [128]bool

// newEncodeSet returns the C0 control percent-encode set (U+0000 to U+001F
// and U+007F) extended by the bytes of extra.
func newEncodeSet(extra string) *encodeSet {
	var s encodeSet
	for c := 0; c < 0x20; c++ {
		s[c] = true
	}
	s[0x7f] = true
	for i := 0; i < len(extra); i++ {
		s[extra[i]] = true
	}
	return &s
}

// contains reports whether byte c must be percent-encoded under s.
func (s *encodeSet) contains(c byte) bool {
	return c >= 0x80 || s[c]
}

// The WHATWG percent-encode sets used by http and https URLs. They are
// spelled out, rather than built on one another as the standard does, so each
// can be checked at a glance.
//
// The path set deliberately lacks '^'. The standard added it in 2025
// (whatwg/url#846), but the Rust url crate only followed after 2.5.8
// (servo/rust-url#1141), and 2.5.8 is what pydantic-core 2.46.4, the version
// merino-py locks, is built with. Add '^' here when merino-py's pydantic-core
// moves to a url crate with the fix.
var (
	// fragmentSet: C0 controls, space, '"', '<', '>', '`'.
	fragmentSet = newEncodeSet(" \"<>`")
	// specialQuerySet: the query set (C0 controls, space, '"', '#', '<',
	// '>') plus '\'', which only special schemes encode.
	specialQuerySet = newEncodeSet(" \"#<>'")
	// pathSet: the fragment set plus '#', '?', '{', '}'.
	pathSet = newEncodeSet(" \"<>`#?{}")
	// userinfoSet: the path set plus '/', ':', ';', '=', '@', '[', '\\',
	// ']', '^', '|'.
	userinfoSet = newEncodeSet(" \"<>`#?{}/:;=@[\\]^|")
)

const upperHex = "0123456789ABCDEF"

// appendEncoded appends s to dst, percent-encoding each byte that set
// contains. A '%' is never in a WHATWG set, so existing escapes, valid or
// not, are kept as they are.
func appendEncoded(dst []byte, s string, set *encodeSet) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if set.contains(c) {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xf])
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// Quote percent-encodes s like Python's urllib.parse.quote(s, safe): every
// byte of s is kept if it is an ASCII letter or digit, one of "_.-~", or an
// ASCII character of safe, and is written as %XX with upper-case hex
// otherwise. Non-ASCII characters of safe are ignored, as Python ignores them.
// Pass "/" for Python's default safe argument.
//
// Unlike the WHATWG sets, Quote encodes '%' unless safe contains it, so
// quoting an already quoted string quotes it again, exactly as Python does.
func Quote(s, safe string) string {
	keep := quoteKeep(safe)
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || !keep[c] {
			n++
		}
	}
	if n == 0 {
		return s
	}
	return string(appendQuoted(make([]byte, 0, len(s)+2*n), s, &keep))
}

// AppendQuote appends s to dst percent-encoded as Quote(s, safe) encodes it.
func AppendQuote(dst []byte, s, safe string) []byte {
	keep := quoteKeep(safe)
	return appendQuoted(dst, s, &keep)
}

// quoteKeep returns the ASCII bytes Quote keeps as they are: letters, digits, "_.-~" and
// the ASCII characters of safe.
func quoteKeep(safe string) [128]bool {
	var keep [128]bool
	for c := '0'; c <= '9'; c++ {
		keep[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		keep[c] = true
		keep[c-'a'+'A'] = true
	}
	for _, c := range []byte("_.-~") {
		keep[c] = true
	}
	for i := 0; i < len(safe); i++ {
		if c := safe[i]; c < 0x80 {
			keep[c] = true
		}
	}
	return keep
}

func appendQuoted(dst []byte, s string, keep *[128]bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && keep[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xf])
		}
	}
	return dst
}

// unhex returns the value of hex digit c and whether c is one.
func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// percentDecode decodes every "%XX" of s with two hex digits and keeps any
// other '%' as it is, as the WHATWG percent-decode algorithm does.
func percentDecode(s string) []byte {
	return AppendPercentDecode(make([]byte, 0, len(s)), s)
}

// AppendPercentDecode appends s to dst with every "%XX" of two hex digits decoded and
// any other '%' kept as it is: the WHATWG percent-decode algorithm, and Python's
// urllib.parse.unquote on bytes ('+' stays '+').
func AppendPercentDecode(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				dst = append(dst, hi<<4|lo)
				i += 2
				continue
			}
		}
		dst = append(dst, c)
	}
	return dst
}
