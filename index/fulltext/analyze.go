package fulltext

import (
	"bytes"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Sep separates the tokens of a key, as Lucene's completion field separates them
// (preserve_separators: true) with U+001F. U+001F is itself white space to the tokenizer, so
// it never occurs inside a token.
const Sep = 0x1f

// MaxTokens is the token_limit filter of merino-py's plain_en analyzer.
const MaxTokens = 20

// MaxInputLength is the completion field's max_input_length: a title is cut to this many
// UTF-16 code units before it is analysed.
const MaxInputLength = 255

// AppendKey appends the completion key of s to dst: the analysis of merino-py's `plain_en`
// and `plain_search_en` analyzers (the same chain, so titles and queries meet):
//
//   - the `word_break_helper` char filter turns _ , " - ' ’ ʼ ; [ ] { } \ and the exotic
//     spaces into spaces;
//   - the whitespace tokenizer splits on Java's Character.isWhitespace;
//   - remove_empty (a no-op here), token_limit (the first 20 tokens), then the ICU
//     normalizer nfkc_cf (NFKC with case folding, default ignorables removed) per token;
//   - the tokens are joined with Sep, as the completion field does.
//
// ASCII tokens take a fast path that does not allocate; other tokens go through
// golang.org/x/text and may allocate a little.
func AppendKey(dst []byte, s string) []byte {
	tokens := 0
	start := -1 // byte offset of the current token in s, -1 between tokens
	for i := 0; i <= len(s); {
		var r rune
		n := 1
		if i == len(s) {
			r = ' '
		} else if c := s[i]; c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if isBreak(r) {
			if start >= 0 {
				if tokens == MaxTokens {
					return dst
				}
				if tokens > 0 {
					dst = append(dst, Sep)
				}
				dst = appendFolded(dst, s[start:i])
				tokens++
				start = -1
			}
		} else if start < 0 {
			start = i
		}
		i += n
	}
	return dst
}

// isBreak reports whether r ends a token: a character the word_break_helper maps to a space,
// or Java white space (what Lucene's WhitespaceTokenizer splits on).
func isBreak(r rune) bool {
	switch r {
	case '_', ',', '"', '-', '\'', '\u2019', '\u02bc', ';', '[', ']', '{', '}', '\\',
		'\u00a0', '\u1680', '\u180e', '\u200b', '\u200c', '\u200d', '\u202f', '\u205f',
		'\u3000', '\ufeff':
		return true
	}
	return isJavaSpace(r)
}

// isJavaSpace is java.lang.Character.isWhitespace: the Unicode space, line and paragraph
// separators except the no-break ones, plus \t \n \v \f \r and U+001C..U+001F. Go's
// unicode.IsSpace differs (it counts U+0085 and U+00A0, and not U+001C..U+001F).
func isJavaSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || (r >= '\t' && r <= '\r') || (r >= 0x1c && r <= 0x1f)
	}
	switch r {
	case '\u00a0', '\u2007', '\u202f':
		return false
	}
	return unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)
}

// appendFolded appends nfkc_cf(tok).
func appendFolded(dst []byte, tok string) []byte {
	ascii := true
	for i := 0; i < len(tok); i++ {
		if tok[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		for i := 0; i < len(tok); i++ {
			c := tok[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		return dst
	}
	// NFKC_Casefold(s) = NFKC(fold(NFKC(remove ignorables(s)))), the closure ICU computes
	// in one table.
	var buf [256]byte
	clean := buf[:0]
	for _, r := range tok {
		if !isDefaultIgnorable(r) {
			clean = utf8.AppendRune(clean, r)
		}
	}
	clean = norm.NFKC.Append(nil, clean...)
	f := folders.Get().(*cases.Caser)
	folded := f.Bytes(clean)
	f.Reset()
	folders.Put(f)
	folded = fixCherokee(folded)
	// dst is often a caller's stack buffer: handing it to x/text would move it to the heap.
	return append(dst, norm.NFKC.Bytes(folded)...)
}

// fixCherokee corrects golang.org/x/text's folding of Cherokee: Unicode folds the lower-case
// letters (U+AB70..U+ABBF, U+13F8..U+13FD) to the upper-case ones and leaves those alone, but
// x/text also turns the upper-case letters into lower-case ones (found by FuzzAppendKey).
func fixCherokee(b []byte) []byte {
	if !bytes.ContainsFunc(b, isCherokee) {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, r := range string(b) {
		if isCherokee(r) {
			r = unicode.ToUpper(r)
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

func isCherokee(r rune) bool {
	return (r >= 0x13a0 && r <= 0x13fd) || (r >= 0xab70 && r <= 0xabbf)
}

// folders pools case folders: a cases.Caser keeps state and is not safe for concurrent use.
var folders = sync.Pool{New: func() any { c := cases.Fold(); return &c }}

// isDefaultIgnorable approximates Unicode's Default_Ignorable_Code_Point, which nfkc_cf
// removes: Other_Default_Ignorable_Code_Point, the variation selectors, and the format
// characters other than the prepended concatenation marks and interlinear annotations.
func isDefaultIgnorable(r rune) bool {
	if unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) || unicode.Is(unicode.Variation_Selector, r) {
		return true
	}
	if !unicode.Is(unicode.Cf, r) {
		return false
	}
	switch {
	case r >= 0x600 && r <= 0x605, r == 0x6dd, r == 0x70f, r == 0x890, r == 0x891, r == 0x8e2,
		r == 0x110bd, r == 0x110cd, r >= 0xfff9 && r <= 0xfffb:
		return false
	}
	return true
}
