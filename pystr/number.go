package pystr

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxIntDigits is CPython's sys.int_info.default_max_str_digits: int() of a decimal string
// with more digits raises ValueError.
const MaxIntDigits = 4300

// ParseInt is Python's int(s) for a str s, within the int64 range: white space around (but
// not U+001C..U+001F, see trimNumberSpace),
// an optional sign, decimal digits with single underscores between them. Like CPython it
// reads every Unicode decimal digit (Nd) as its value. ok is false where Python raises
// ValueError, or when the value does not fit in an int64.
func ParseInt(s string) (n int64, ok bool) {
	var buf [24]byte
	digits, ok := AppendInt(buf[:0], s)
	if !ok || len(digits) > 20 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(digits), 10, 64)
	return n, err == nil
}

// AppendInt appends the decimal form of Python's int(s) (a sign only when negative, no
// leading zeros) to dst, whatever its size. ok is false where Python raises ValueError.
func AppendInt(dst []byte, s string) ([]byte, bool) {
	s = trimNumberSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	start := len(dst)
	if neg {
		dst = append(dst, '-')
	}
	first := len(dst)
	count, prev := 0, rune(-1)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == '_' {
			// Only between two digits: not first, not last, not doubled.
			if prev < 0 || prev == '_' || i == len(s) {
				return dst[:start], false
			}
			prev = r
			continue
		}
		d, isDigit := digitValue(r)
		if !isDigit {
			return dst[:start], false
		}
		prev = r
		count++
		if d == 0 && len(dst) == first {
			continue // a leading zero
		}
		dst = append(dst, byte('0'+d))
	}
	if count == 0 || count > MaxIntDigits {
		return dst[:start], false
	}
	if len(dst) == first {
		// Zero: "-0" is "0".
		return append(dst[:start], '0'), true
	}
	return dst, true
}

// digitValue is the value of a Unicode decimal digit, as Python's int() and float() read
// it. Unicode encodes each script's digits 0 to 9 as ten consecutive code points, so a run
// of decimal digits (several scripts may sit back to back) starts with a zero every ten.
func digitValue(r rune) (int, bool) {
	if '0' <= r && r <= '9' {
		return int(r - '0'), true
	}
	if r < utf8.RuneSelf || !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	start := r
	for unicode.Is(unicode.Nd, start-1) {
		start--
	}
	return int(r-start) % 10, true
}

// ParseFloat is Python's float(s) for a str s. Go's strconv.ParseFloat is both more
// lenient (hex floats, "0x1p-2", "1_0") and stricter (no surrounding white space, no signed
// "nan"), so the grammar is checked here first, after stripping white space:
//
//	[sign] ("inf" | "infinity" | "nan")            case-insensitive
//	[sign] (digits ["." [digits]] | "." digits) [("e"|"E") [sign] digits]
//
// where digits may hold single underscores between two digits, white space is
// trimNumberSpace's, and, as in CPython, any
// Unicode decimal digit counts as its ASCII digit. Overflow gives ±Inf and underflow ±0,
// as in Python. ok is false where Python raises ValueError. It allocates only for a string
// with underscores or non-ASCII digits.
func ParseFloat(s string) (float64, bool) {
	s = trimNumberSpace(s)
	if !isASCII(s) {
		var ok bool
		if s, ok = asciiDigits(s); !ok {
			return 0, false
		}
	}
	body := s
	neg := false
	if len(body) > 0 && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	switch {
	case strings.EqualFold(body, "inf") || strings.EqualFold(body, "infinity"):
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case strings.EqualFold(body, "nan"):
		// The sign of a NaN never changes a comparison, so it is dropped.
		return math.NaN(), true
	}
	underscores, ok := validDecimal(body)
	if !ok {
		return 0, false
	}
	if underscores {
		s = strings.ReplaceAll(s, "_", "")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// ParseFloat returns ±Inf or ±0 with ErrRange where Python rounds silently.
		// Anything else cannot happen after validDecimal, but is a failure.
		if ne, isNum := err.(*strconv.NumError); !isNum || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}

// ParseFloatLatin1 is ParseFloat of Latin-1 text, one byte a character: float() of a
// header value, which Starlette decodes as Latin-1. NEL (0x85) and NBSP (0xA0) around the
// number are white space; no other byte above 0x7F is part of a number (in UTF-8 some would
// be digits).
func ParseFloatLatin1(s string) (float64, bool) {
	for len(s) > 0 && isNumberSpace(rune(s[0])) {
		s = s[1:]
	}
	for len(s) > 0 && isNumberSpace(rune(s[len(s)-1])) {
		s = s[:len(s)-1]
	}
	if !isASCII(s) {
		return 0, false
	}
	return ParseFloat(s)
}

// trimNumberSpace strips the white space int() and float() accept around a number, which is
// not quite strip()'s: CPython turns non-ASCII white space into spaces and then skips ASCII
// white space, so U+001C..U+001F (white space to isspace()) are not skipped.
func trimNumberSpace(s string) string {
	return trimRight(trimLeft(s, isNumberSpace), isNumberSpace)
}

func isNumberSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || ('\t' <= r && r <= '\r')
	}
	return IsSpace(r)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiDigits replaces every non-ASCII decimal digit by its ASCII digit, as CPython does
// before parsing a number; any other non-ASCII character makes the number invalid.
func asciiDigits(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			b = append(b, byte(r))
			continue
		}
		d, ok := digitValue(r)
		if !ok {
			return "", false
		}
		b = append(b, byte('0'+d))
	}
	return string(b), true
}

// validDecimal checks the unsigned decimal grammar of ParseFloat and reports whether it
// holds underscores.
func validDecimal(s string) (underscores, ok bool) {
	i := 0
	intDigits, u, ok := digitPart(s, &i)
	if !ok {
		return false, false
	}
	underscores = u
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		i++
		fracDigits, u, ok = digitPart(s, &i)
		if !ok {
			return false, false
		}
		underscores = underscores || u
	}
	if intDigits == 0 && fracDigits == 0 {
		return false, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		expDigits, u, ok := digitPart(s, &i)
		if !ok || expDigits == 0 {
			return false, false
		}
		underscores = underscores || u
	}
	return underscores, i == len(s)
}

// digitPart consumes digits with single underscores between digits from s[*i:] and says
// how many digits it read; ok is false for a misplaced underscore, which Python rejects
// for the whole string.
func digitPart(s string, i *int) (n int, underscores, ok bool) {
	j := *i
	for j < len(s) {
		c := s[j]
		switch {
		case c >= '0' && c <= '9':
			n++
			j++
		case c == '_':
			if n == 0 || j+1 >= len(s) || s[j+1] < '0' || s[j+1] > '9' {
				return 0, false, false
			}
			underscores = true
			j++
		default:
			*i = j
			return n, underscores, true
		}
	}
	*i = j
	return n, underscores, true
}
