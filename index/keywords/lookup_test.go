package keywords

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// lookupByScan is Lookup's definition read literally: every key >= q that starts with q, in
// order, until one whose run answers at len(q) characters.
func lookupByScan(ix *Index, q []byte) (Hit, bool) {
	for i := range ix.ents {
		k := ix.key(i)
		if bytes.Compare(k, q) < 0 {
			continue
		}
		if !bytes.HasPrefix(k, q) {
			break
		}
		if e := &ix.ents[i]; utf8.RuneCount(q) >= int(e.minPrefix) {
			return Hit{Suggestion: e.sugg, FullKeyword: ix.fullKeyword(i, e)}, true
		}
	}
	return Hit{}, false
}

// Lookup answers as the definition does where it skips blocks: thousands of keywords under
// a few letters, most answering only from their third or later character, some from the
// first.
func TestLookupMatchesScan(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const letters = "abcé"
	word := func(min, max int) string {
		var b strings.Builder
		for n := min + r.IntN(max-min+1); n > 0; n-- {
			b.WriteByte(letters[r.IntN(len(letters))])
		}
		return b.String()
	}
	b := NewBuilder()
	for s := 0; s < 3000; s++ {
		full := word(3, 14)
		if !utf8.ValidString(full) {
			full = strings.ToValidUTF8(full, "x")
		}
		// The run answers from its first keyword's length on: usually 3 characters, one
		// suggestion in 50 from 1.
		from := 3
		if s%50 == 0 {
			from = 1
		}
		var kws []string
		for i := range full {
			if utf8.RuneCountInString(full[:i]) >= from {
				kws = append(kws, full[:i])
			}
		}
		kws = append(kws, full)
		b.Add(kws, []FullKeyword{{full, uint64(len(kws))}})
	}
	ix := b.Build(Options{})
	if len(ix.ents) < 4*runBlock {
		t.Fatalf("only %d keys: the test needs many blocks", len(ix.ents))
	}
	for k := 0; k < 20000; k++ {
		q := []byte(word(0, 4))
		if k%2 == 0 {
			key := ix.key(r.IntN(len(ix.ents)))
			q = key[:r.IntN(len(key)+1)]
		}
		got, ok := ix.Lookup(q)
		want, wok := lookupByScan(ix, q)
		if got != want || ok != wok {
			t.Fatalf("Lookup(%q) = %+v %v, the definition gives %+v %v", q, got, ok, want, wok)
		}
	}
}
