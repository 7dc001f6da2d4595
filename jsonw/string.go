package jsonw

import (
	"unicode/utf8"
	"unsafe"
)

// hexDigits is lower-case because Python's encoder writes \u001f, not \u001F.
const hexDigits = "0123456789abcdef"

// replacement is U+FFFD REPLACEMENT CHARACTER encoded as UTF-8.
const replacement = "\uFFFD"

// asciiSafe[b] reports whether ASCII byte b is copied to the output as is.
// Everything printable is, including '/' and DEL (0x7f): Python escapes
// neither. The exceptions are '"', '\\' and the C0 control characters.
var asciiSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// AppendString appends s to dst as a quoted JSON string, exactly as Python's
// json.dumps(s, ensure_ascii=False) writes it, and returns the extended slice.
//
// '"' and '\\' are backslash-escaped; \n, \r, \t, \b and \f use their short
// escapes; the other code points below U+0020 are written as \u00xx with
// lower-case hex digits. Everything else, including '/', DEL and all
// non-ASCII characters, is copied as raw UTF-8.
//
// A Go string may hold invalid UTF-8, which a Python str cannot. Each byte that
// does not start a valid UTF-8 sequence is written as U+FFFD, the same rule as
// Go's for-range over a string, so the output is always valid UTF-8 and valid
// JSON. This mirrors the U+FFFD replacement that Starlette applies when it
// decodes a query string, with one difference: Python replaces a truncated
// multi-byte sequence ("\xe2\x82") with a single U+FFFD, where this function
// writes one per byte.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	// start is the beginning of the current run of bytes that need no
	// escaping; runs are copied in bulk when an escape interrupts them. The
	// scan is a byte at a time: an eight-bytes-at-once (SWAR) scan was tried
	// and only paid off on strings far longer than the titles, keywords and
	// URLs merino serves, while slowing down ones with escapes or non-ASCII.
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if asciiSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscapedASCII(dst, b)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, replacement...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscapedASCII appends the escape of an ASCII byte that is not copied as is: Python's
// short forms where it has one, \u00xx otherwise.
func appendEscapedASCII(dst []byte, b byte) []byte {
	switch b {
	case '"', '\\':
		return append(dst, '\\', b)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
}

// AppendStringBytes is AppendString for a byte slice, such as a query argument
// borrowed from the request. s is only read, and not retained after the call.
func AppendStringBytes(dst []byte, s []byte) []byte {
	// Viewing s as a string avoids a copy; it is safe because AppendString
	// neither modifies nor keeps its argument.
	return AppendString(dst, unsafe.String(unsafe.SliceData(s), len(s)))
}

// AppendKey appends key as a quoted JSON string followed by a colon, the
// start of an object member: "key":. Hot-path renderers usually append
// pre-quoted constant keys instead; this is for colder paths.
func AppendKey(dst []byte, key string) []byte {
	dst = AppendString(dst, key)
	return append(dst, ':')
}

// AppendMember appends a string member that follows another in an object: ,"key":"value".
// For renderers that leave out absent fields (pydantic's exclude_none).
func AppendMember(dst []byte, key, value string) []byte {
	dst = append(dst, ',')
	dst = AppendKey(dst, key)
	return AppendString(dst, value)
}

// AppendStringList appends list as a JSON array of strings, ["a","b"], or []
// when list is empty or nil (Python lists are never null).
func AppendStringList(dst []byte, list []string) []byte {
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, s)
	}
	return append(dst, ']')
}
