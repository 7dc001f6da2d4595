// Package acceptlang turns an Accept-Language header into the ordered list
// of language tags that merino-py's get_accepted_languages returns.
//
// It is deliberately not an RFC 9110 parser: merino-py splits on "," and
// ";q=", keeps every tag (including q=0 and empty ones), and falls back to
// ["en-US"] when any quality value is not a Python float. Providers compare
// their supported languages against this list, so the quirks are part of
// the observable behaviour and are reproduced here.
package acceptlang

import (
	"strings"

	"github.com/mozilla-services/merino-go/pystr"
)

// DefaultLanguage is what merino-py answers for an absent, empty or "*"
// header, and for any header with an unparsable quality value.
const DefaultLanguage = "en-US"

// inlineEntries is how many qualities Parse keeps on the stack; headers
// with more entries pay one allocation for the quality slice.
const inlineEntries = 32

// Parse appends to dst the language tags of header, highest quality first,
// and returns the extended slice. The result always has at least one new
// element.
//
// header is the raw header value as received (bytes, not decoded text):
// merino-py sees it through Starlette's latin-1 decoding, so every byte is
// one character there: str.strip() removes the bytes {\t \n \v \f \r 0x1c-0x1f space
// 0x85 0xa0}, float() the same but 0x1c-0x1f (see package pystr).
//
// The appended strings are substrings of header (or the DefaultLanguage
// constant) and alias its memory: they are valid as long as header is, so a
// caller whose header is a view of a request buffer must copy them before
// the buffer is reused.
//
// Rules, each kept from merino-py:
//   - "" or exactly "*" gives [DefaultLanguage] (" *" does not: it gives ["*"]).
//   - The header is split on ","; each piece is stripped, then split on
//     ";q=" (case-sensitive, no spaces allowed around it). The tag is the
//     part before the first ";q=" and is not stripped again, so
//     "en ;q=0.5" yields "en " and "en; q=0.5" yields "en; q=0.5" with
//     quality 1. Other parameters stay in the tag ("en;level=1;q=0.5" gives
//     "en;level=1").
//   - The quality is the part after the first ";q=" up to the next ";q="
//     (if any), parsed with Python float() semantics: surrounding
//     whitespace, "_" between digits, "inf", "nan", exponents and a leading
//     "+" are accepted. A piece without ";q=" has quality 1.0.
//   - Any unparsable quality makes the whole result [DefaultLanguage].
//   - Tags are ordered by quality, descending, stably; see sortDesc for NaN.
func Parse(header string, dst []string) []string {
	if header == "" || header == "*" {
		return append(dst, DefaultLanguage)
	}
	start := len(dst)
	var qbuf [inlineEntries]float64
	q := qbuf[:0]
	for rest := header; ; {
		piece := rest
		comma := strings.IndexByte(rest, ',')
		if comma >= 0 {
			piece = rest[:comma]
		}
		tag, quality, ok := parsePiece(pystr.TrimSpaceLatin1(piece))
		if !ok {
			return append(dst[:start], DefaultLanguage)
		}
		dst = append(dst, tag)
		q = append(q, quality)
		if comma < 0 {
			break
		}
		rest = rest[comma+1:]
	}
	sortDesc(dst[start:], q)
	return dst
}

// parsePiece splits one stripped comma-separated piece into its tag and
// quality, as `parts = piece.split(";q=")` followed by
// `float(parts[1]) if len(parts) > 1 else 1.0` would.
func parsePiece(piece string) (tag string, quality float64, ok bool) {
	i := strings.Index(piece, qSep)
	if i < 0 {
		return piece, 1, true
	}
	tag = piece[:i]
	qs := piece[i+len(qSep):]
	// With more than one ";q=", Python's parts[1] stops at the second one.
	if j := strings.Index(qs, qSep); j >= 0 {
		qs = qs[:j]
	}
	quality, ok = pystr.ParseFloatLatin1(qs)
	return tag, quality, ok
}

const qSep = ";q="
