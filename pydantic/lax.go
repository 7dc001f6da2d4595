package pydantic

import (
	"strings"

	"github.com/mozilla-services/merino-go/pystr"
)

// IntString reads s as pydantic's lax mode reads a string given for an int field: Python's
// int() of the string (package pystr: white space stripped, an optional sign, digits with
// single underscores between them) once a fraction of zeros is dropped (" 3.0 " → "3",
// "1_000" → "1000"; "3.5", "1e3" and "3." are not integers), with ASCII digits only. It
// returns the integer in decimal as Python writes it, of any size.
func IntString(s string) (string, bool) {
	t := pystr.TrimSpace(s)
	if dot := strings.IndexByte(t, '.'); dot >= 0 {
		frac := t[dot+1:]
		if frac == "" || strings.Trim(frac, "0") != "" || pystr.TrimSpace(t[:dot]) != t[:dot] {
			return "", false
		}
		t = t[:dot]
	}
	for i := 0; i < len(t); i++ {
		if t[i] >= 0x80 {
			return "", false
		}
	}
	digits, ok := pystr.AppendInt(nil, t)
	if !ok {
		return "", false
	}
	return string(digits), true
}

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
