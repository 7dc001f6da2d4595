package acceptlang

import (
	"math"
	"strconv"
	"strings"
)

// pyFloat parses s the way Python's float(str) does and reports whether
// Python would have accepted it. Go's strconv.ParseFloat is both more
// lenient (hex floats, "0x1p-2", "1_0") and stricter (no surrounding
// whitespace, no signed "nan"), so the grammar is checked here first:
//
//	[sign] ("inf" | "infinity" | "nan")            case-insensitive
//	[sign] (digits ["." [digits]] | "." digits) [("e"|"E") [sign] digits]
//
// where digits may contain single underscores between two digits.
func pyFloat(s string) (float64, bool) {
	s = pyStrip(s)
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
		// Rare: pay for a copy without the underscores.
		s = strings.ReplaceAll(s, "_", "")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Python rounds overflow to ±inf and underflow to ±0 silently;
		// ParseFloat returns the same value with ErrRange. Anything else
		// cannot happen after validDecimal, but is treated as a failure.
		if ne, isNum := err.(*strconv.NumError); !isNum || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}

// validDecimal checks the unsigned decimal grammar of pyFloat and reports
// whether it contains underscores.
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

// digitPart consumes digits with single underscores between digits from
// s[*i:]. It returns how many digits it consumed; ok is false for a
// misplaced underscore, which Python rejects for the whole string.
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
