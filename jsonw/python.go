package jsonw

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Style is one layout of JSON documents: which characters are escaped and what separates
// items, keys and values. Its Append method writes whole documents from Go values (the cold
// paths: jobs, golden files); the request path uses the Append* functions directly.
type Style struct {
	ascii   bool
	itemSep string
	keySep  string
	indent  string
}

var (
	// Compact is merino-py's response layout, json.dumps(v, ensure_ascii=False,
	// separators=(",", ":")): what AppendString and the other functions write.
	Compact = Style{itemSep: ",", keySep: ":"}
	// Python is Python's default json.dumps(v): every non-ASCII character escaped, ", "
	// between items and ": " after keys. merino-py's jobs write Remote Settings attachments
	// this way and compare their sha256 with the published record's hash, so these bytes
	// decide whether a record counts as unchanged.
	Python = Style{ascii: true, itemSep: ", ", keySep: ": "}
	// PythonIndent4 is json.dumps(v, indent=4): Python's escaping, one item a line, four
	// spaces per level, "," at line ends and ": " after keys (merino-py's top picks manifest).
	PythonIndent4 = Style{ascii: true, itemSep: ",", keySep: ": ", indent: "    "}
)

// Object is a JSON object whose members keep their order, as a Python dict keeps insertion
// order: the bytes of a document depend on it.
type Object []Member

// Member is one key and value of an Object.
type Member struct {
	Key   string
	Value any
}

// Get returns the value of key, and whether the object has it.
func (o Object) Get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// Appender is a value that writes itself: the way a type with many instances (a GeoNames
// place, a suggestion) avoids building an Object per value. AppendJSON must write exactly one
// JSON value in style s, using s's methods for nested values.
type Appender interface {
	AppendJSON(dst []byte, s Style) []byte
}

// Marshal returns v written in style s. See Append.
func (s Style) Marshal(v any) []byte { return s.Append(nil, v) }

// Append appends v in style s and returns the extended slice. v may be nil, a bool, a string,
// an int or int64, a float64 (Python's repr; NaN and ±Inf as null, which Python would write as
// NaN and Infinity — merino-go never produces them), a json.Number (an integer literal as
// written, anything else as a float), an Object, a map[string]any (keys sorted, since a Go map
// has no order), an Appender, or a slice or array of any of these. Any other type is a bug of
// the caller and panics.
func (s Style) Append(dst []byte, v any) []byte { return s.appendValue(dst, v, 0) }

// AppendString appends a quoted string in style s.
func (s Style) AppendString(dst []byte, v string) []byte {
	if s.ascii {
		return AppendStringASCII(dst, v)
	}
	return AppendString(dst, v)
}

// AppendKey appends a quoted key and the key separator, the start of an object member.
// Writing members by hand (in an Appender) is: OpenObject, then for each member Next (except
// before the first), AppendKey and the value, then CloseObject.
func (s Style) AppendKey(dst []byte, key string) []byte {
	dst = s.AppendString(dst, key)
	return append(dst, s.keySep...)
}

// Next appends the separator between two items of an array or object at nesting depth
// depth (the depth of the items, 1 for the members of a top-level object).
func (s Style) Next(dst []byte, depth int) []byte {
	dst = append(dst, s.itemSep...)
	return s.newline(dst, depth)
}

// Open appends '[' or '{' (open) and, in an indented style, the line break before the first
// item at depth. It must not be used for an empty container, which Python writes as [] or {}.
func (s Style) Open(dst []byte, open byte, depth int) []byte {
	dst = append(dst, open)
	return s.newline(dst, depth)
}

// Close appends the line break after the last item at depth and ']' or '}' (close).
func (s Style) Close(dst []byte, close byte, depth int) []byte {
	dst = s.newline(dst, depth-1)
	return append(dst, close)
}

func (s Style) newline(dst []byte, depth int) []byte {
	if s.indent == "" {
		return dst
	}
	dst = append(dst, '\n')
	for range depth {
		dst = append(dst, s.indent...)
	}
	return dst
}

func (s Style) appendValue(dst []byte, v any, depth int) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return AppendBool(dst, x)
	case string:
		return s.AppendString(dst, x)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case float64:
		return AppendFloat(dst, x)
	case json.Number:
		if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return append(dst, x...)
		}
		f, err := x.Float64()
		if err != nil && !math.IsInf(f, 0) {
			panic(fmt.Sprintf("BUG: jsonw: %q is not a number", string(x)))
		}
		return AppendFloat(dst, f)
	case Appender:
		return x.AppendJSON(dst, s)
	case Object:
		if len(x) == 0 {
			return append(dst, "{}"...)
		}
		dst = s.Open(dst, '{', depth+1)
		for i, m := range x {
			if i > 0 {
				dst = s.Next(dst, depth+1)
			}
			dst = s.AppendKey(dst, m.Key)
			dst = s.appendValue(dst, m.Value, depth+1)
		}
		return s.Close(dst, '}', depth+1)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := make(Object, len(keys))
		for i, k := range keys {
			o[i] = Member{k, x[k]}
		}
		return s.appendValue(dst, o, depth)
	case []any:
		return s.appendList(dst, len(x), depth, func(dst []byte, i int) []byte { return s.appendValue(dst, x[i], depth+1) })
	case []string:
		return s.appendList(dst, len(x), depth, func(dst []byte, i int) []byte { return s.AppendString(dst, x[i]) })
	}
	rv := reflect.ValueOf(v)
	if k := rv.Kind(); k == reflect.Slice || k == reflect.Array {
		return s.appendList(dst, rv.Len(), depth, func(dst []byte, i int) []byte { return s.appendValue(dst, rv.Index(i).Interface(), depth+1) })
	}
	panic(fmt.Sprintf("BUG: jsonw: cannot write a %T", v))
}

func (s Style) appendList(dst []byte, n, depth int, item func([]byte, int) []byte) []byte {
	if n == 0 {
		return append(dst, "[]"...)
	}
	dst = s.Open(dst, '[', depth+1)
	for i := range n {
		if i > 0 {
			dst = s.Next(dst, depth+1)
		}
		dst = item(dst, i)
	}
	return s.Close(dst, ']', depth+1)
}

// AppendStringASCII appends s as Python's json.dumps(s) writes it by default
// (ensure_ascii=True): only the printable ASCII characters U+0020..U+007E are copied, '"' and
// '\\' are backslash-escaped, \n \r \t \b \f use their short escapes, and every other code
// point is written \uXXXX with lower-case hex, those above U+FFFF as a UTF-16 surrogate pair
// ("é😀" becomes "\u00e9\ud83d\ude00"). DEL (U+007F) is escaped, unlike in AppendString.
// Invalid UTF-8 bytes are written as U+FFFD, one per byte, as AppendString does.
func AppendStringASCII(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b >= 0x20 && b < 0x7f && b != '"' && b != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if b < utf8.RuneSelf {
			dst = appendEscapedASCII(dst, b)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		// An invalid byte decodes as (RuneError, 1): U+FFFD, as documented.
		if r > 0xffff {
			r -= 0x10000
			dst = appendU4(dst, 0xd800+(r>>10))
			dst = appendU4(dst, 0xdc00+(r&0x3ff))
		} else {
			dst = appendU4(dst, r)
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendU4(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
