package useragent

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// Go's regexp has no DFA, so a uap-core regex costs time proportional to
// its program size times the input length even when it cannot match, and a
// few of them (bounded repeats like ".{0,200}" inside big case-insensitive
// alternations) take milliseconds each. Two rewrites keep the miss path
// fast without changing any result:
//
//   - Every rule carries sets of literals, derived from the regex syntax
//     tree, such that any match contains a literal of each set; a
//     User-Agent (compared ASCII-lowercased) missing every literal of some
//     set skips the regex.
//   - A rule whose result does not depend on its groups and whose regex is
//     "^.{0,N}R" is matched as an unanchored "R" whose leftmost match must
//     start within the first N characters, with no newline before it: the
//     same condition, without N copies of "." in the program.

// maxLiteralSet bounds the literals kept per rule; beyond it a rule is
// always tried.
const maxLiteralSet = 256

// matcher is a compiled regex plus the shortcuts above.
type matcher struct {
	re *regexp.Regexp
	// literals are ASCII-lowercased strings the input must contain: at
	// least one of each set, every set. Empty means no prefilter.
	literals [][]string
	// When lead >= 0, re is the unanchored remainder R of "^.{0,lead}R"
	// and only a boolean match is available.
	lead int
}

// newMatcher compiles expr; shortcuts false leaves out both rewrites, for
// tests that check they change nothing.
func newMatcher(expr string, needGroups, shortcuts bool) (matcher, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return matcher{}, err
	}
	m := matcher{re: re, lead: -1}
	if !shortcuts {
		return m, nil
	}
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return m, nil // cannot happen after regexp.Compile; no shortcuts
	}
	m.literals = requiredSets(tree)
	if !needGroups {
		if rest, n, ok := splitLead(tree); ok {
			if short, err := regexp.Compile(rest.String()); err == nil {
				m.re, m.lead = short, n
			}
		}
	}
	return m, nil
}

// possible reports whether the rule can match the User-Agent described
// by in.
func (m *matcher) possible(in *input) bool {
	for _, set := range m.literals {
		if !in.containsAny(set) {
			return false
		}
	}
	return true
}

// input is the ASCII-lowercased User-Agent with a bitmap of the byte
// pairs in it. The rules hold thousands of literals; checking each one's
// byte pairs against the bitmap rejects almost all of them without a
// substring search.
type input struct {
	lower   string
	pairs   [1 << 16 / 64]uint64
	singles [256 / 64]uint64
}

func (in *input) reset(lower string) {
	in.lower = lower
	clear(in.pairs[:])
	clear(in.singles[:])
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		in.singles[c/64] |= 1 << (c % 64)
		if i+1 < len(lower) {
			p := uint16(c)<<8 | uint16(lower[i+1])
			in.pairs[p/64] |= 1 << (p % 64)
		}
	}
}

func (in *input) containsAny(set []string) bool {
	for _, lit := range set {
		if len(lit) == 1 {
			if in.singles[lit[0]/64]&(1<<(lit[0]%64)) != 0 {
				return true
			}
			continue
		}
		if in.hasPairs(lit) && (len(lit) == 2 || strings.Contains(in.lower, lit)) {
			return true
		}
	}
	return false
}

// hasPairs reports whether every byte pair of lit occurs in the input, a
// necessary condition for lit to occur that costs a few bit tests.
func (in *input) hasPairs(lit string) bool {
	for i := 0; i+1 < len(lit); i++ {
		p := uint16(lit[i])<<8 | uint16(lit[i+1])
		if in.pairs[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}

// match reports whether the rule matches s, for rules built with
// needGroups false.
func (m *matcher) match(s string) bool {
	if m.lead < 0 {
		return m.re.MatchString(s)
	}
	loc := m.re.FindStringIndex(s)
	if loc == nil {
		return false
	}
	prefix := s[:loc[0]]
	return !strings.Contains(prefix, "\n") && utf8.RuneCountInString(prefix) <= m.lead
}

// splitLead recognises "^.{0,N}R" (greedy or lazy) and returns R and N.
func splitLead(re *syntax.Regexp) (*syntax.Regexp, int, bool) {
	if re.Op != syntax.OpConcat || len(re.Sub) < 3 {
		return nil, 0, false
	}
	begin, dots := re.Sub[0], re.Sub[1]
	if begin.Op != syntax.OpBeginText || dots.Op != syntax.OpRepeat || dots.Min != 0 || dots.Max < 0 ||
		dots.Sub[0].Op != syntax.OpAnyCharNotNL {
		return nil, 0, false
	}
	rest := &syntax.Regexp{Op: syntax.OpConcat, Flags: re.Flags, Sub: re.Sub[2:]}
	if len(rest.Sub) == 1 {
		rest = rest.Sub[0]
	}
	return rest, dots.Max, true
}

// item is one way a regex can match: the match is exactly s (exact), or
// merely contains s. A node's items cover all its matches: every match
// satisfies at least one of them.
type item struct {
	s     string
	exact bool
}

var anything = []item{{"", false}}

// requiredSets returns sets of lowercase strings such that every match of
// re contains (ASCII-lowercased) at least one string of each set. The
// first set covers the whole regex; when re is a concatenation each part
// adds its own set too, so "Mozilla.{1,200}Android.{1,200}(GSA)/" needs
// all of "mozilla", "android" and "gsa/".
func requiredSets(re *syntax.Regexp) [][]string {
	var sets [][]string
	add := func(items []item) {
		var set []string
		for _, it := range items {
			if it.s == "" {
				return // matches without any literal: no constraint
			}
			set = append(set, it.s)
		}
		for _, have := range sets {
			if slices.Equal(have, set) {
				return
			}
		}
		sets = append(sets, set)
	}
	add(literalItems(re))
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op == syntax.OpConcat {
		for _, sub := range re.Sub {
			add(literalItems(sub))
		}
	}
	// Drop sets another set already implies ("firefox" given "firefox/"),
	// so that possible() does no useless work.
	var kept [][]string
	for i, set := range sets {
		redundant := false
		for j, other := range sets {
			if i != j && implies(other, set) && (!implies(set, other) || j < i) {
				redundant = true
				break
			}
		}
		if !redundant {
			kept = append(kept, set)
		}
	}
	return kept
}

// implies reports whether containing a string of a guarantees containing
// a string of b: each string of a has a string of b inside it.
func implies(a, b []string) bool {
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y string) bool { return strings.Contains(x, y) }) {
			return false
		}
	}
	return true
}

func literalItems(re *syntax.Regexp) []item {
	switch re.Op {
	case syntax.OpLiteral:
		var b strings.Builder
		for _, r := range re.Rune {
			switch {
			case r < utf8.RuneSelf:
				b.WriteByte(lowerASCII(byte(r)))
			case re.Flags&syntax.FoldCase != 0:
				// Non-ASCII case folding is not modelled.
				return anything
			default:
				b.WriteRune(r)
			}
		}
		return []item{{b.String(), true}}
	case syntax.OpCharClass:
		if c, ok := singleFoldedChar(re.Rune); ok {
			return []item{{string(c), true}}
		}
		return anything
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []item{{"", true}}
	case syntax.OpCapture:
		return literalItems(re.Sub[0])
	case syntax.OpQuest:
		return union(literalItems(re.Sub[0]), []item{{"", true}})
	case syntax.OpPlus:
		return inexact(literalItems(re.Sub[0]))
	case syntax.OpRepeat:
		if re.Min < 1 {
			return anything
		}
		items := literalItems(re.Sub[0])
		if re.Min == 1 && re.Max == 1 {
			return items
		}
		return inexact(items)
	case syntax.OpAlternate:
		var items []item
		for _, sub := range re.Sub {
			items = union(items, literalItems(sub))
			if len(items) > maxLiteralSet {
				return anything
			}
		}
		return items
	case syntax.OpConcat:
		acc := []item{{"", true}}
		for _, sub := range re.Sub {
			acc = concatItems(acc, literalItems(sub))
		}
		return acc
	}
	return anything
}

// concatItems returns the items of a match of A followed by a match of B.
// Two exact strings join; otherwise the longer string is still required.
// When the cross product is too big, either side alone still holds.
func concatItems(a, b []item) []item {
	if len(a)*len(b) > maxLiteralSet {
		if score(a) >= score(b) {
			return inexact(a)
		}
		return inexact(b)
	}
	out := make([]item, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			switch {
			case x.exact && y.exact:
				out = union(out, []item{{x.s + y.s, true}})
			case len(x.s) >= len(y.s):
				out = union(out, []item{{x.s, false}})
			default:
				out = union(out, []item{{y.s, false}})
			}
		}
	}
	return out
}

// score is how selective an item set is: its shortest string's length.
func score(items []item) int {
	n := -1
	for _, it := range items {
		if n < 0 || len(it.s) < n {
			n = len(it.s)
		}
	}
	return n
}

func inexact(items []item) []item {
	out := make([]item, 0, len(items))
	for _, it := range items {
		out = union(out, []item{{it.s, false}})
	}
	return out
}

// union appends b's items to a, skipping duplicates.
func union(a, b []item) []item {
	for _, it := range b {
		if !slices.Contains(a, it) {
			a = append(a, it)
		}
	}
	return a
}

// singleFoldedChar reports whether the character class (pairs of rune
// ranges) holds only one ASCII letter in one or both cases, or one ASCII
// character, and returns it lowercased.
func singleFoldedChar(ranges []rune) (byte, bool) {
	var c byte
	seen := false
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if hi >= utf8.RuneSelf || hi-lo > 0 {
			return 0, false
		}
		l := lowerASCII(byte(lo))
		if seen && l != c {
			return 0, false
		}
		c, seen = l, true
	}
	return c, seen
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// lowerString ASCII-lowercases s; non-ASCII bytes are left alone, which is
// what the prefilter literals assume.
func lowerString(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerASCII(b[j])
			}
			return string(b)
		}
	}
	return s
}
