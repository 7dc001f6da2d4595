package fulltext

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
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

// MaxTokens is the token_limit filter of merino-py's plain_* analyzers.
const MaxTokens = 20

// MaxInputLength is the completion field's max_input_length: a title is cut to this many
// UTF-16 code units before it is analysed.
const MaxInputLength = 255

// MaxTokenLength is the whitespace tokenizer's max_token_length (Elasticsearch's default):
// a token that reaches this many UTF-16 code units ends there, and the next character starts
// a new token. Titles never get there (MaxInputLength); a long query can.
const MaxTokenLength = 255

// Analyzer is the analysis of one language's completion field: merino-py's indexer
// (merino/jobs/wikipedia_indexer/settings/v1.py) gives each language a `plain_<lang>` index
// analyzer and a `plain_search_<lang>` search analyzer, the same chain in both, so that titles
// and queries meet:
//
//   - the `word_break_helper` char filter turns its characters into spaces;
//   - the whitespace tokenizer splits on Java's Character.isWhitespace, and cuts tokens at
//     MaxTokenLength;
//   - remove_empty (a no-op after that tokenizer), token_limit (the first 20 tokens), then
//     `lowercase`;
//   - the tokens are joined with Sep, as the completion field does.
//
// The languages differ in two places. English breaks on a wide set (_ , " - ' ’ ʼ ; [ ] { } \
// and the exotic spaces) and its `lowercase` is redefined as the ICU normalizer nfkc_cf (NFKC
// with case folding: "Straße" → "strasse", "Ｆｏｏ" → "foo"). French, German, Italian and Polish
// break on _ , - ' " only and keep Lucene's LowerCaseFilter, Java's per-code-point
// Character.toLowerCase ("Straße" → "straße", "Ｆｏｏ" → "ｆｏｏ", "L’Étranger" one token).
//
// An Analyzer is immutable and safe for concurrent use.
type Analyzer struct {
	name string
	// fold selects nfkc_cf (English) over Lucene's lower-casing.
	fold bool
	// wide selects English's word_break_helper over the other languages' five characters.
	wide bool
	// asciiBreak marks the ASCII characters that end a token.
	asciiBreak [utf8.RuneSelf]bool
}

// Name is the analyzer's name, merino-py's `plain_<lang>`; an index records it.
func (a *Analyzer) Name() string { return a.name }

func newAnalyzer(lang string, english bool, breaks string) *Analyzer {
	a := &Analyzer{name: "plain_" + lang, fold: english, wide: english}
	for c := 0; c < utf8.RuneSelf; c++ {
		a.asciiBreak[c] = isJavaSpace(rune(c)) || strings.IndexByte(breaks, byte(c)) >= 0
	}
	return a
}

// The word_break_helper characters in ASCII: English's, and everyone else's.
const (
	englishASCIIBreaks = "_,\"-';[]{}\\"
	otherASCIIBreaks   = "_,-'\""
)

var analyzers = map[string]*Analyzer{
	"en": newAnalyzer("en", true, englishASCIIBreaks),
	"fr": newAnalyzer("fr", false, otherASCIIBreaks),
	"de": newAnalyzer("de", false, otherASCIIBreaks),
	"it": newAnalyzer("it", false, otherASCIIBreaks),
	"pl": newAnalyzer("pl", false, otherASCIIBreaks),
}

// Languages lists the language codes an analyzer is defined for: merino-py's
// LANGUAGE_SETTINGS_BUILDERS.
func Languages() []string {
	out := make([]string, 0, len(analyzers))
	for l := range analyzers {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// AnalyzerFor returns the analyzer of language lang (a lower-case code). merino-py's indexer
// refuses a language it has no settings for, and so does this.
func AnalyzerFor(lang string) (*Analyzer, error) {
	if a, ok := analyzers[lang]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("no analysis is defined for language %q (merino-py's indexer defines %s)", lang, strings.Join(Languages(), ", "))
}

// AnalyzerNamed returns the analyzer whose Name is name, as an index records it.
func AnalyzerNamed(name string) (*Analyzer, error) {
	if lang, ok := strings.CutPrefix(name, "plain_"); ok {
		if a, ok := analyzers[lang]; ok {
			return a, nil
		}
	}
	return nil, fmt.Errorf("unknown analyzer %q", name)
}

// AppendKey appends the completion key of s to dst. A key is empty exactly when s analyses
// to no token (or, in English, to one token that nfkc_cf erases): such a query matches
// nothing, as in Elasticsearch.
//
// ASCII takes a fast path that does not allocate; other tokens may allocate a little in
// English (golang.org/x/text), never in the other languages.
func (a *Analyzer) AppendKey(dst []byte, s string) []byte {
	tokens := 0
	start := -1 // byte offset of the current token in s, -1 between tokens
	units := 0  // UTF-16 code units in the current token
	for i := 0; i <= len(s); {
		var r rune
		n := 1
		brk := true
		if i < len(s) {
			if c := s[i]; c < utf8.RuneSelf {
				r, brk = rune(c), a.asciiBreak[c]
			} else {
				r, n = utf8.DecodeRuneInString(s[i:])
				brk = a.isBreak(r)
			}
		}
		if !brk {
			if start < 0 {
				start, units = i, 0
			}
			units++
			if r >= 0x10000 {
				units++
			}
			i += n
			if units < MaxTokenLength {
				continue
			}
			// The tokenizer's buffer is full: the token ends after this character.
		} else {
			i += n
			if start < 0 {
				continue
			}
		}
		end := i
		if brk {
			end = i - n
		}
		if tokens == MaxTokens {
			return dst
		}
		if tokens > 0 {
			dst = append(dst, Sep)
		}
		if a.fold {
			dst = appendFolded(dst, s[start:end])
		} else {
			dst = appendLower(dst, s[start:end])
		}
		tokens++
		start = -1
	}
	return dst
}

// isBreak reports whether a non-ASCII r ends a token: Java white space, or one of English's
// word_break_helper characters (the other languages' are all ASCII).
func (a *Analyzer) isBreak(r rune) bool {
	if a.wide {
		switch r {
		case '\u2019', '\u02bc', '\u00a0', '\u1680', '\u180e', '\u2007', '\u200b', '\u200c',
			'\u200d', '\u202f', '\u205f', '\u3000', '\ufeff':
			return true
		}
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

// appendLower appends Lucene's LowerCaseFilter of tok: Character.toLowerCase code point by
// code point, the simple case mapping (Go's unicode.ToLower). The query reached
// Elasticsearch as decoded text, so a byte that is not UTF-8 is U+FFFD.
func appendLower(dst []byte, tok string) []byte {
	for i := 0; i < len(tok); {
		c := tok[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(tok[i:])
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += n
	}
	return dst
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
		return appendLower(dst, tok) // the same on ASCII
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
