package fulltext

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

func analyzer(t testing.TB, lang string) *Analyzer {
	t.Helper()
	a, err := AnalyzerFor(lang)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// keyOf shows a key with "|" for the separator.
func keyOf(a *Analyzer, s string) string {
	return strings.ReplaceAll(string(a.AppendKey(nil, s)), "\x1f", "|")
}

// The examples of merino-py's per-language analysis: what each language's plain analyzer
// makes of titles and queries.
func TestAppendKey(t *testing.T) {
	f := func(lang, in, want string) {
		t.Helper()
		if got := keyOf(analyzer(t, lang), in); got != want {
			t.Errorf("%s: AppendKey(%q) = %q, want %q", lang, in, got, want)
		}
	}
	// English: the wide word_break_helper and nfkc_cf.
	f("en", "Food for Thought", "food|for|thought")
	f("en", "  Food   for  ", "food|for")
	f("en", "Mozilla, Corporation", "mozilla|corporation")
	f("en", "Jean-Paul Sartre", "jean|paul|sartre")
	f("en", "Rock'n'roll", "rock|n|roll")
	f("en", "AC/DC", "ac/dc")
	f("en", "C++ (programming language)", "c++|(programming|language)")
	f("en", "foo_bar[baz]{q}\\x;y\"z", "foo|bar|baz|q|x|y|z")
	f("en", "L’Étranger", "l|étranger")
	f("en", "Roméo[Juliette]", "roméo|juliette")
	f("en", "a\u00a0b\u2009c\u3000d\u200be\ufefff", "a|b|c|d|e|f") // exotic spaces
	f("en", "a\u2007b", "a|b")                                     // figure space: in the char filter, not Java white space
	f("en", "a\x1fb\x1cc", "a|b|c")                                // Java white space includes U+001C..U+001F
	f("en", "a\u0085b", "a\u0085b")                                // NEL is not Java white space
	f("en", "ÉCOLE", "école")
	f("en", "Straße", "strasse") // case folding, not lower-casing
	f("en", "ﬁnance", "finance") // NFKC
	f("en", "ＡＢＣ", "abc")        // full width
	f("en", "soft\u00adhyphen", "softhyphen")
	f("en", "ΣΟΦΟΣ", "σοφοσ")
	f("en", "ꮯᏟ", "ᏟᏟ") // Cherokee folds to upper case
	// German: five break characters and Lucene's lower-casing: ß and full-width letters stay.
	f("de", "Straße des 17. Juni", "straße|des|17.|juni")
	f("de", "Strassenbahn", "strassenbahn")
	f("de", "ẞ", "ß")
	f("de", "ＡＢＣ", "ａｂｃ")
	f("de", "Abc Verlag", "abc|verlag")
	f("de", "Jean-Paul_Sartre, \"X\"", "jean|paul|sartre|x")
	f("de", "a;b[c]{d}\\e", "a;b[c]{d}\\e")
	f("de", "a\u00a0b\u2007c\u202fd", "a\u00a0b\u2007c\u202fd") // no-break spaces are not Java white space
	f("de", "a\u3000b\u2009c", "a|b|c")
	f("de", "ﬁ", "ﬁ") // no NFKC
	f("de", "\xffÄ", "\ufffdä")
	// French: ’ is part of a word, ' is not.
	f("fr", "L’Étranger", "l’étranger")
	f("fr", "L'Étranger", "l|étranger")
	f("fr", "Roméo[Juliette]", "roméo[juliette]")
	f("fr", "l é", "l|é")
	f("fr", "Œuvre", "œuvre")
	// Italian and Polish, the same chain.
	f("it", "Dell’Utri", "dell’utri")
	f("it", "L'Aquila", "l|aquila")
	f("pl", "ZAŻÓŁĆ GĘŚLĄ JAŹŃ", "zażółć|gęślą|jaźń")
	f("pl", "Łódź", "łódź")
	for _, lang := range Languages() {
		// Queries Firefox sends that analyse to no token: an empty key, which matches nothing.
		for _, q := range []string{"", " ", "-", "_", "'", ",", `"`, "--", "''", ",,", "_-", "- ", " \t\n"} {
			f(lang, q, "")
		}
		f(lang, " foo ", "foo")
		f(lang, strings.Repeat("w ", 25), strings.TrimSuffix(strings.Repeat("w|", 20), "|")) // token_limit
		// The tokenizer cuts a token at 255 UTF-16 code units, an emoji counting two.
		f(lang, strings.Repeat("a", 300), strings.Repeat("a", 255)+"|"+strings.Repeat("a", 45))
		f(lang, strings.Repeat("a", 254)+"😀b", strings.Repeat("a", 254)+"😀|b")
	}
}

func TestAnalyzers(t *testing.T) {
	if got := strings.Join(Languages(), ","); got != "de,en,fr,it,pl" {
		t.Errorf("Languages() = %s", got)
	}
	for _, lang := range Languages() {
		a := analyzer(t, lang)
		if a.Name() != "plain_"+lang {
			t.Errorf("%s: name %q", lang, a.Name())
		}
		if b, err := AnalyzerNamed(a.Name()); err != nil || b != a {
			t.Errorf("AnalyzerNamed(%q) = %v, %v", a.Name(), b, err)
		}
	}
	for _, bad := range []string{"es", "EN", ""} {
		if _, err := AnalyzerFor(bad); err == nil || !strings.Contains(err.Error(), "defines de, en, fr, it, pl") {
			t.Errorf("AnalyzerFor(%q) = %v", bad, err)
		}
	}
	for _, bad := range []string{"plain_es", "standard", ""} {
		if _, err := AnalyzerNamed(bad); err == nil {
			t.Errorf("AnalyzerNamed(%q) succeeded", bad)
		}
	}
}

func TestTruncateInput(t *testing.T) {
	if got := TruncateInput(strings.Repeat("a", 300)); len(got) != 255 {
		t.Errorf("len = %d", len(got))
	}
	// 127 emoji are 254 UTF-16 units; the 128th would split at 255 and is dropped whole.
	s := strings.Repeat("😀", 128)
	if got := TruncateInput(s); got != strings.Repeat("😀", 127) {
		t.Errorf("got %d bytes", len(got))
	}
}

// Top agrees with a brute-force scan on random tables, for every k and many prefixes.
func TestTopMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "ab", "\x1f", "é"}
	for round := 0; round < 30; round++ {
		var entries []Entry
		for i := 0; i < 1+r.IntN(200); i++ {
			var k strings.Builder
			for j := 0; j < r.IntN(6); j++ {
				k.WriteString(alphabet[r.IntN(len(alphabet))])
			}
			entries = append(entries, Entry{Key: k.String(), Title: fmt.Sprint("t", i), Weight: uint32(r.IntN(20))})
		}
		c, err := NewCompletion(append([]Entry(nil), entries...))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := c.MarshalBinary()
		c2, err := UnmarshalCompletion(data)
		if err != nil {
			t.Fatal(err)
		}
		// An unaligned buffer (as on a big-endian machine) is decoded by copying.
		unaligned := append(make([]byte, 1, len(data)+1), data...)[1:]
		c3, err := UnmarshalCompletion(unaligned)
		if err != nil {
			t.Fatal(err)
		}
		if c2.file == nil || c3.file != nil {
			t.Fatal("the aligned table was copied, or the unaligned one was not")
		}
		for _, prefix := range []string{"", "a", "ab", "b", "a\x1f", "é", "zz", "aba"} {
			sorted := append([]Entry(nil), entries...)
			sort.SliceStable(sorted, func(i, j int) bool { return compareEntries(sorted[i], sorted[j]) < 0 })
			var want []string
			var cands []Entry
			for _, e := range sorted {
				if prefix != "" && strings.HasPrefix(e.Key, prefix) { // "" matches nothing
					cands = append(cands, e)
				}
			}
			sort.SliceStable(cands, func(i, j int) bool { return cands[i].Weight > cands[j].Weight })
			for _, e := range cands {
				want = append(want, e.Title)
			}
			for _, k := range []int{1, 2, 3, 7, 32} {
				for _, tab := range []*Completion{c, c2, c3} {
					var got []string
					for _, id := range tab.Top(nil, []byte(prefix), k) {
						got = append(got, tab.Title(id))
					}
					w := want[:min(k, len(want))]
					if strings.Join(got, ",") != strings.Join(w, ",") {
						t.Fatalf("round %d prefix %q k %d: %v, want %v", round, prefix, k, got, w)
					}
				}
			}
		}
	}
}

func TestUnmarshalCompletionRejectsCorruption(t *testing.T) {
	c, _ := NewCompletion([]Entry{{Key: "a", Title: "A", Weight: 1}, {Key: "b", Title: "B", Weight: 2}})
	good, _ := c.MarshalBinary()
	if _, err := UnmarshalCompletion(good); err != nil {
		t.Fatal(err)
	}
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x40
		if _, err := UnmarshalCompletion(bad); err == nil {
			t.Errorf("a flipped byte at %d was accepted", i)
		}
	}
	for _, n := range []int{0, 10, 20, len(good) - 1} {
		if _, err := UnmarshalCompletion(good[:n]); err == nil {
			t.Errorf("a table cut at %d bytes was accepted", n)
		}
	}
}

func FuzzUnmarshalCompletion(f *testing.F) {
	c, _ := NewCompletion([]Entry{{Key: "a", Title: "A", Weight: 1}, {Key: "a\x1fb", Title: "A B", Weight: 2}})
	good, _ := c.MarshalBinary()
	f.Add(good)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := UnmarshalCompletion(data)
		if err != nil {
			return
		}
		for _, p := range []string{"", "a", "b"} {
			for _, id := range c.Top(nil, []byte(p), 3) {
				_ = c.Title(id) + c.Key(id)
			}
		}
	})
}

func FuzzAppendKey(f *testing.F) {
	for _, s := range []string{"Food for Thought", "ÉCOLE ﬁ", "\xff\xfe", "a\u00a0b", "L’Étranger", "Straße ＡＢＣ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, lang := range Languages() {
			a := analyzer(t, lang)
			k := a.AppendKey(nil, s)
			// Analysis is idempotent on what it produces, token by token: a key is its own
			// key, unless English's normalisation made a word-break character (U+037E
			// becomes ';'), which the char filter, running first, did not see; ICU's chain
			// has the same order. Folding changes lengths, so a long English token may be
			// cut elsewhere the second time: those are left out.
			if a.fold && len(s) > MaxTokenLength {
				continue
			}
			breaks := strings.ContainsFunc(strings.ReplaceAll(string(k), "\x1f", ""), func(r rune) bool {
				return r < utf8.RuneSelf && a.asciiBreak[r] || r >= utf8.RuneSelf && a.isBreak(r)
			})
			if k2 := a.AppendKey(nil, strings.ReplaceAll(string(k), "\x1f", " ")); !bytes.Equal(k, k2) && !breaks {
				t.Errorf("%s: AppendKey(%q) = %q, and again %q", lang, s, k, k2)
			}
		}
	})
}

// An index from before per-language analysis (format 1) is refused with what to do about it,
// and so is one whose analyzer this build does not know.
func TestOpenRefusesOtherFormats(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dewiki")
	b, err := NewBuilder(dir, "de", BuildOptions{Fulltext: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Add(Doc{Title: "Straße", Weight: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(context.Background(), "test"); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir, OpenOptions{Fulltext: true})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Analyzer.Name() != "plain_de" || ix.Meta.Analyzer != "plain_de" {
		t.Errorf("analyzer %q", ix.Meta.Analyzer)
	}
	ix.Close()
	good, _ := os.ReadFile(filepath.Join(dir, MetaFile))
	f := func(from, to, want string) {
		t.Helper()
		bad := strings.Replace(string(good), from, to, 1)
		if err := os.WriteFile(filepath.Join(dir, MetaFile), []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if ix, err := Open(dir, OpenOptions{Fulltext: true}); err == nil || !strings.Contains(err.Error(), want) {
			if ix != nil {
				ix.Close()
			}
			t.Errorf("%s → %s: %v, want %q", from, to, err, want)
		}
	}
	f(`"format": 2`, `"format": 1`, "built by an older merino-go (index format 1, which analysed every language as English): rebuild it with `merino index wikipedia`")
	f(`"format": 2`, `"format": 3`, "index format 3, this build reads 2")
	f(`"plain_de"`, `"plain_es"`, `unknown analyzer "plain_es"`)
	if _, err := NewBuilder(filepath.Join(t.TempDir(), "eswiki"), "es", BuildOptions{}); err == nil || !strings.Contains(err.Error(), `no analysis is defined for language "es"`) {
		t.Errorf("NewBuilder(es): %v", err)
	}
}

// buildSmall writes a small English index at dir.
func buildSmall(t *testing.T, dir string, titles ...string) {
	t.Helper()
	b, err := NewBuilder(dir, "en", BuildOptions{Fulltext: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, title := range titles {
		if err := b.Add(Doc{Title: title, OpeningText: "About " + title + ".", Weight: uint32(100 - i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(context.Background(), "test"); err != nil {
		t.Fatal(err)
	}
}

// Every way a file of an index can be damaged is refused by Open with ErrCorrupt, never a
// panic; what Open does not read (Bleve's files without Fulltext) does not matter.
func TestOpenRefusesCorruptFiles(t *testing.T) {
	good := filepath.Join(t.TempDir(), "enwiki")
	buildSmall(t, good, "Alabama", "Alaska", "Anarchism", "Autism")
	meta, err := ReadMeta(good)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for rel := range meta.Files {
		files = append(files, rel)
	}
	sort.Strings(files)
	if len(files) < 4 || files[0] != "bleve/index_meta.json" || files[len(files)-1] != CompletionFile {
		t.Fatalf("checksummed files: %q", files)
	}
	r := rand.New(rand.NewPCG(5, 6))
	damages := map[string]func(b []byte) []byte{
		"random": func(b []byte) []byte {
			rb := make([]byte, len(b))
			for i := range rb {
				rb[i] = byte(r.Uint32())
			}
			return rb
		},
		"truncated": func(b []byte) []byte { return b[:len(b)/2] },
		"empty":     func(b []byte) []byte { return nil },
		"flipped":   func(b []byte) []byte { b = bytes.Clone(b); b[r.IntN(len(b))] ^= 0x10; return b },
		"grown":     func(b []byte) []byte { return append(bytes.Clone(b), 0) },
	}
	for _, rel := range append(files, "") {
		for name, damage := range damages {
			if rel == "" && name != "random" {
				continue
			}
			dir := filepath.Join(t.TempDir(), "enwiki")
			copyTree(t, good, dir)
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if rel == "" { // a missing file
				rel = "bleve/index_meta.json"
				p = filepath.Join(dir, filepath.FromSlash(rel))
				os.Remove(p)
			} else {
				data, _ := os.ReadFile(p)
				if err := os.WriteFile(p, damage(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, ft := range []bool{false, true} {
				ix, err := Open(dir, OpenOptions{Fulltext: ft, CopyDir: t.TempDir()})
				read := ft || rel == CompletionFile
				switch {
				case read && !errors.Is(err, ErrCorrupt):
					t.Errorf("%s %s (fulltext %v): %v, want ErrCorrupt", name, rel, ft, err)
				case !read && err != nil:
					t.Errorf("%s %s (fulltext %v): %v; the file is not read", name, rel, ft, err)
				}
				if ix != nil {
					ix.Close()
				}
			}
		}
	}
	// meta.json that lies: a huge size, a path out of the directory, a missing entry.
	lie := func(edit func(m *Meta)) error {
		dir := filepath.Join(t.TempDir(), "enwiki")
		copyTree(t, good, dir)
		m := meta
		m.Files = map[string]FileSum{}
		for k, v := range meta.Files {
			m.Files[k] = v
		}
		edit(&m)
		data, _ := json.Marshal(m)
		os.WriteFile(filepath.Join(dir, MetaFile), data, 0o644)
		ix, err := Open(dir, OpenOptions{Fulltext: true, CopyDir: t.TempDir()})
		if ix != nil {
			ix.Close()
		}
		return err
	}
	for name, edit := range map[string]func(m *Meta){
		"huge size":       func(m *Meta) { m.Files[CompletionFile] = FileSum{Size: 1 << 50} },
		"negative size":   func(m *Meta) { m.Files[CompletionFile] = FileSum{Size: -1} },
		"no completion":   func(m *Meta) { delete(m.Files, CompletionFile) },
		"no bleve file":   func(m *Meta) { m.Files = map[string]FileSum{CompletionFile: m.Files[CompletionFile]} },
		"escaping path":   func(m *Meta) { m.Files["bleve/../../x"] = FileSum{} },
		"wrong doc count": func(m *Meta) { m.Documents = 3 },
		"absolute path":   func(m *Meta) { m.Files["bleve//etc/passwd"] = FileSum{} },
		"no files at all": func(m *Meta) { m.Files = nil },
		"a missing file":  func(m *Meta) { m.Files["bleve/store/extra.zap"] = FileSum{Size: 1} },
		"zero crc": func(m *Meta) {
			m.Files["bleve/index_meta.json"] = FileSum{Size: meta.Files["bleve/index_meta.json"].Size}
		},
		"count mismatches": func(m *Meta) { m.Documents = 5 },
	} {
		if err := lie(edit); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// An opened index reads only what it verified: its files truncated or rewritten in place
// afterwards change nothing, and Close removes its private copy.
func TestOpenIgnoresLaterChanges(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "enwiki")
	buildSmall(t, dir, "Alabama", "Alaska")
	copies := t.TempDir()
	ix, err := Open(dir, OpenOptions{Fulltext: true, CopyDir: copies})
	if err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Truncate(p, 7)
		}
		return nil
	})
	for i := 0; i < 20; i++ {
		if got, err := ix.Search(context.Background(), nil, "albama", 1); err != nil || len(got) != 1 || got[0] != "Alabama" {
			t.Fatalf("search after the files changed: %q, %v", got, err)
		}
	}
	if got := ix.Completion.Top(nil, []byte("ala"), 2); len(got) != 2 {
		t.Fatalf("completion after the files changed: %v", got)
	}
	entries, _ := os.ReadDir(copies)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "merino-fulltext-") {
		t.Fatalf("private copies: %v", entries)
	}
	ix.Close()
	if entries, _ := os.ReadDir(copies); len(entries) != 0 {
		t.Errorf("the private copy outlived Close: %v", entries)
	}
	// Without Fulltext there is no copy, and Search says why it cannot answer.
	buildSmall(t, dir, "Alabama")
	ix, err = Open(dir, OpenOptions{CopyDir: copies})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Search(context.Background(), nil, "alabama", 1); !errors.Is(err, ErrNoFulltext) {
		t.Errorf("Search without the full-text part: %v", err)
	}
	if entries, _ := os.ReadDir(copies); len(entries) != 0 {
		t.Errorf("a copy without Fulltext: %v", entries)
	}
}

// Copies left by a process that is gone, or by an earlier process with this pid, are
// removed by the next copy; live ones are kept.
func TestStaleCopiesRemoved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "enwiki")
	buildSmall(t, dir, "Alabama")
	copies := t.TempDir()
	dead := filepath.Join(copies, "merino-fulltext-999999999-en-1")
	mine := filepath.Join(copies, fmt.Sprintf("merino-fulltext-%d-en-old", os.Getpid()))
	other := filepath.Join(copies, "unrelated")
	for _, d := range []string{dead, mine, other} {
		os.MkdirAll(d, 0o755)
	}
	a, err := Open(dir, OpenOptions{Fulltext: true, CopyDir: copies})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(dir, OpenOptions{Fulltext: true, CopyDir: copies})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	entries, _ := os.ReadDir(copies)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 3 || !slices.Contains(names, "unrelated") || slices.Contains(names, filepath.Base(dead)) || slices.Contains(names, filepath.Base(mine)) {
		t.Errorf("copies: %q", names)
	}
}

// A damaged segment whose checksums were recorded as they are (a faulty builder) gets past
// the checksums; the probe, inside a recover, refuses it instead of letting Bleve panic.
func TestOpenProbeRecovers(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, damage := range []string{"random", "truncated", "bolt"} {
		dir := filepath.Join(t.TempDir(), "enwiki")
		buildSmall(t, dir, "Alabama", "Alaska", "Anarchism")
		zaps, _ := filepath.Glob(filepath.Join(dir, "bleve", "store", "*.zap"))
		p := zaps[0]
		if damage == "bolt" {
			p = filepath.Join(dir, "bleve", "store", "root.bolt")
		}
		data, _ := os.ReadFile(p)
		if damage == "truncated" {
			data = data[:len(data)-40]
		} else {
			for i := range data {
				data[i] = byte(r.Uint32())
			}
		}
		os.WriteFile(p, data, 0o600)
		meta, _ := ReadMeta(dir)
		sums, err := sumFiles(dir)
		if err != nil {
			t.Fatal(err)
		}
		meta.Files = sums
		mj, _ := json.Marshal(meta)
		os.WriteFile(filepath.Join(dir, MetaFile), mj, 0o644)
		ix, err := Open(dir, OpenOptions{Fulltext: true, CopyDir: t.TempDir()})
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", damage, err)
		}
		if ix != nil {
			ix.Close()
		}
	}
}

// compareEntries is the table order, for checking it.
func compareEntries(a, b Entry) int {
	if c := compareStrings(a.Key, b.Key); c != 0 {
		return c
	}
	if a.Weight != b.Weight {
		if a.Weight > b.Weight {
			return -1
		}
		return 1
	}
	return compareStrings(a.Title, b.Title)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// An index built without its full-text part serves completions; asking it for the fallback's
// part says what to do.
func TestCompletionOnlyIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plwiki")
	b, err := NewBuilder(dir, "pl", BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, title := range []string{"Łódź", "Łomża", "Kraków"} {
		if err := b.Add(Doc{Title: title, OpeningText: "Miasto.", Weight: uint32(10 - i)}); err != nil {
			t.Fatal(err)
		}
	}
	meta, err := b.Commit(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if meta.Fulltext || len(meta.Files) != 1 {
		t.Errorf("meta: %+v", meta)
	}
	if _, err := os.Stat(filepath.Join(dir, BleveDir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a Bleve directory without Fulltext: %v", err)
	}
	ix, err := Open(dir, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var got []string
	for _, id := range ix.Completion.Top(nil, ix.Analyzer.AppendKey(nil, "Ł"), 5) {
		got = append(got, ix.Completion.Title(id))
	}
	if strings.Join(got, "|") != "Łódź|Łomża" {
		t.Errorf("Ł: %q", got)
	}
	if _, err := Open(dir, OpenOptions{Fulltext: true}); !errors.Is(err, ErrNoFulltext) || !strings.Contains(err.Error(), "--fulltext") {
		t.Errorf("Open with Fulltext: %v", err)
	}
}

// The table written from the builder's arena is byte for byte what MarshalBinary writes of
// the same entries.
func TestTableWriteToMatchesMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	tb := newTableBuilder()
	var entries []Entry
	for i := 0; i < 500; i++ {
		k := fmt.Sprint(r.IntN(50))
		e := Entry{Key: k, Title: "T" + k + fmt.Sprint(r.IntN(3)), Weight: uint32(r.IntN(4))}
		entries = append(entries, e)
		if err := tb.add([]byte(e.Key), e.Title, e.Weight); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := tb.writeTo(&buf); err != nil {
		t.Fatal(err)
	}
	c, err := NewCompletion(entries)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := c.MarshalBinary()
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatal("writeTo and MarshalBinary differ")
	}
	if _, err := UnmarshalCompletion(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := tb.add(make([]byte, 70000), "long", 1); err == nil {
		t.Error("a key over 65,535 bytes was accepted")
	}
}
