// Package pystr holds merino-go's one copy of each Python rule merino-py's behaviour depends
// on: the str methods strip(), lstrip() and lower() and str.isspace() (on UTF-8 text, or on
// Latin-1 text as Starlette decodes headers), and int() and float() of a str. Go's own
// functions differ at the edges (white space, U+0130, the final sigma, underscores, Unicode
// digits, "nan"), and a query or a data file must mean the same in both. Every rule is
// tested against CPython itself. The hot-path functions do not allocate.
package pystr

import (
	"unicode"
	"unicode/utf8"
)

// TrimSpace is Python's s.strip().
func TrimSpace(s string) string {
	return TrimRightSpace(TrimLeftSpace(s))
}

// TrimLeftSpace is Python's s.lstrip().
func TrimLeftSpace(s string) string { return trimLeft(s, IsSpace) }

// TrimRightSpace is Python's s.rstrip().
func TrimRightSpace(s string) string { return trimRight(s, IsSpace) }

func trimLeft(s string, space func(rune) bool) string {
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if !space(r) {
			break
		}
		s = s[n:]
	}
	return s
}

func trimRight(s string, space func(rune) bool) string {
	for len(s) > 0 {
		r, n := utf8.DecodeLastRuneInString(s)
		if !space(r) {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

// Lower is Python's s.lower(), for cold paths.
func Lower(s string) string { return string(AppendLower(nil, s)) }

// IsSpace is Python's str.isspace() for one character: Unicode white space plus the
// separators U+001C..U+001F, which Python counts and Go does not.
func IsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// AppendLower appends Python's s.lower(): per-rune lower-casing, the unconditional multi-rune
// mapping of U+0130 ("i̇"), and the final-sigma rule (Σ at the end of a word lowers to ς).
func AppendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case 0x130:
			dst = append(dst, "i\u0307"...)
		case 0x3a3:
			if finalSigma(s, i, i+n) {
				dst = append(dst, "ς"...)
			} else {
				dst = append(dst, "σ"...)
			}
		default:
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		i += n
	}
	return dst
}

// finalSigma is Unicode's Final_Sigma condition as CPython applies it: a cased letter before
// the sigma (case-ignorable characters skipped) and none after it.
func finalSigma(s string, start, end int) bool {
	before := false
	for j := start; j > 0; {
		r, n := utf8.DecodeLastRuneInString(s[:j])
		j -= n
		if caseIgnorable(r) {
			continue
		}
		before = cased(r)
		break
	}
	if !before {
		return false
	}
	for j := end; j < len(s); {
		r, n := utf8.DecodeRuneInString(s[j:])
		j += n
		if caseIgnorable(r) {
			continue
		}
		return !cased(r)
	}
	return true
}

func cased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

func caseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', 0xad, 0xb7, 0x2018, 0x2019, 0x2024, 0x2027, 0xfe13, 0xfe52, 0xfe55, 0xff07, 0xff0e, 0xff1a, 0x387, 0x5f4:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

// TrimSpaceLatin1 is Python's s.strip() over Latin-1 text, one byte a character: what
// merino-py sees of a header, which Starlette decodes as Latin-1. The white space is the
// bytes IsSpace accepts: ASCII white space, U+001C..U+001F, NEL (0x85) and NBSP (0xA0).
func TrimSpaceLatin1[T ~string | ~[]byte](s T) T {
	for len(s) > 0 && IsSpace(rune(s[0])) {
		s = s[1:]
	}
	for len(s) > 0 && IsSpace(rune(s[len(s)-1])) {
		s = s[:len(s)-1]
	}
	return s
}
