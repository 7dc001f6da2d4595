package pydantic

import "github.com/mozilla-services/merino-go/pystr"

// maxIntDigits bounds the integers read from strings; Python's own str→int limit is 4300.
const maxIntDigits = 4300

// IntString reads s as pydantic's lax mode reads a string given for an int field: white space
// stripped as Python's strip(), an optional sign, ASCII digits with single underscores between
// them, and an optional fraction of zeros (" 3.0 " → "3", "1_000" → "1000"; "3.5", "1e3" and
// "3." are not integers). It returns the integer in decimal as Python writes it, of any size.
func IntString(s string) (string, bool) {
	t := pystr.TrimSpace(s)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	for i := 0; i < len(t); i++ {
		if t[i] != '.' {
			continue
		}
		frac := t[i+1:]
		if frac == "" {
			return "", false
		}
		for j := 0; j < len(frac); j++ {
			if frac[j] != '0' {
				return "", false
			}
		}
		t = t[:i]
		break
	}
	digits := make([]byte, 0, len(t)+1)
	if neg {
		digits = append(digits, '-')
	}
	start := len(digits)
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case isDigit(c):
			if len(digits) == start+1 && digits[start] == '0' {
				digits = digits[:start] // leading zeros
			}
			digits = append(digits, c)
		case c == '_' && i > 0 && i+1 < len(t) && isDigit(t[i-1]) && isDigit(t[i+1]):
		default:
			return "", false
		}
	}
	n := len(digits) - start
	if n == 0 || n > maxIntDigits {
		return "", false
	}
	if neg && n == 1 && digits[start] == '0' {
		return "0", true
	}
	return string(digits), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// BoolString reads s as pydantic's lax mode reads a string given for a bool field (no white
// space is stripped; letters in any case).
func BoolString(s string) (v, ok bool) {
	switch {
	case s == "0" || equalFold(s, "f") || equalFold(s, "n") || equalFold(s, "no") || equalFold(s, "off") || equalFold(s, "false"):
		return false, true
	case s == "1" || equalFold(s, "t") || equalFold(s, "y") || equalFold(s, "on") || equalFold(s, "yes") || equalFold(s, "true"):
		return true, true
	}
	return false, false
}

// equalFold compares ASCII letters without case, as Rust's eq_ignore_ascii_case.
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
