package kit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/kit"
	"github.com/mozilla-services/merino-go/suggest/kit/kittest"
)

// word is a test type: one suggestion titled by its `word` key, whose JSON names the
// provider "word" whatever its id (as top_picks names itself).
type wordSettings struct {
	suggest.Base
	Word string
}

type word struct {
	wordSettings
	head []byte
}

func (w *word) Inline() bool { return true }
func (w *word) Query(_ context.Context, _ *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	return append(dst, suggest.Suggestion{Provider: "word", Score: w.Score, Head: w.head, Tail: []byte("}")}), nil
}

// pair is a test combinator: its two inner providers' answers, one after the other.
type pairSettings struct {
	suggest.Base
	First, Second *kit.Node
}

type pair struct {
	suggest.Base
	a, b suggest.Provider
}

func (p *pair) Inline() bool { return p.a.Inline() && p.b.Inline() }
func (p *pair) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	dst, _ = p.a.Query(ctx, req, dst)
	return p.b.Query(ctx, req, dst)
}

func init() {
	kit.Register(kit.Type[wordSettings]{
		Name:  "kit_test_word",
		Score: 0.5,
		Read: func(t *kit.Table, s *wordSettings) {
			s.Word = t.Str("word", "")
			if s.Word == "" && !t.Failed() {
				t.Fail("word", "required")
			}
		},
		New: func(s *wordSettings, env *kit.Env) (suggest.Provider, error) {
			head := jsonw.AppendString([]byte(`{"title":`), s.Word)
			head = append(head, `,"url":"https://example.com/","provider":"word","is_sponsored":false,"score":`...)
			env.Go(func(context.Context) {})
			return &word{wordSettings: *s, head: head}, nil
		},
	})
	kit.Register(kit.Type[pairSettings]{
		Name:         "kit_test_pair",
		Tree:         true,
		QueryTimeout: 3 * time.Second,
		Read: func(t *kit.Table, s *pairSettings) {
			s.First = t.Child("first")
			s.Second = t.Child("second")
		},
		New: func(s *pairSettings, env *kit.Env) (suggest.Provider, error) {
			a, err := env.Build(s.First)
			if err != nil {
				return nil, err
			}
			b, err := env.Build(s.Second)
			if err != nil {
				return nil, err
			}
			return &pair{Base: s.Base, a: a, b: b}, nil
		},
	})
	kit.Register(kit.Type[wordSettings]{
		Name:        "kit_test_dev",
		Development: true,
		New:         func(s *wordSettings, _ *kit.Env) (suggest.Provider, error) { return &word{wordSettings: *s}, nil },
	})
}

func answer(t *testing.T, p suggest.Provider) string {
	t.Helper()
	out, err := p.Query(context.Background(), &suggest.Request{Query: "q"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, s := range out {
		parts = append(parts, string(s.AppendJSON(nil)))
	}
	return strings.Join(parts, ",")
}

// The common keys come from the table, or the type's defaults; a tree gives its suggestions
// the top-level id, and the top-level score when one is set.
func TestBuildTree(t *testing.T) {
	c := kittest.Load(t, "MERINO_ENV=testing",
		"MERINO_PROVIDERS__W__TYPE=kit_test_word", "MERINO_PROVIDERS__W__WORD=plain",
		"MERINO_PROVIDERS__P__TYPE=kit_test_pair", "MERINO_PROVIDERS__P__ENABLED_BY_DEFAULT=true",
		"MERINO_PROVIDERS__P__FIRST__TYPE=kit_test_word", "MERINO_PROVIDERS__P__FIRST__WORD=one",
		"MERINO_PROVIDERS__P__SECOND__TYPE=kit_test_word", "MERINO_PROVIDERS__P__SECOND__WORD=two",
		"MERINO_PROVIDERS__P__SECOND__SCORE=0.9",
		"MERINO_PROVIDERS__S__TYPE=kit_test_pair", "MERINO_PROVIDERS__S__SCORE=0.25", "MERINO_PROVIDERS__S__QUERY_TIMEOUT_SEC=0.1",
		`MERINO_PROVIDERS__S__FIRST={type="kit_test_word", word="x"}`,
		`MERINO_PROVIDERS__S__SECOND={type="kit_test_word", word="y"}`)
	b := kittest.Build(t, c)
	if len(b.Providers) != 3 || len(b.Tasks) != 5 {
		t.Fatalf("%d providers, %d tasks", len(b.Providers), len(b.Tasks))
	}
	// Tables made by environment variables come in the variables' (sorted) order.
	p, s, w := b.Providers[0], b.Providers[1], b.Providers[2]
	if w.ID() != "w" || w.Availability() != suggest.DisabledByDefault || w.Timeout() != 500*time.Millisecond {
		t.Errorf("leaf: %s %s %v", w.ID(), w.Availability(), w.Timeout())
	}
	if got := answer(t, w); got != `{"title":"plain","url":"https://example.com/","provider":"word","is_sponsored":false,"score":0.5}` {
		t.Errorf("a leaf at the top level is served as it answers: %s", got)
	}
	if p.ID() != "p" || p.Availability() != suggest.EnabledByDefault || p.Timeout() != 3*time.Second || !p.Inline() {
		t.Errorf("tree: %s %s %v %v", p.ID(), p.Availability(), p.Timeout(), p.Inline())
	}
	if got := answer(t, p); got != `{"title":"one","url":"https://example.com/","provider":"p","is_sponsored":false,"score":0.5},`+
		`{"title":"two","url":"https://example.com/","provider":"p","is_sponsored":false,"score":0.9}` {
		t.Errorf("tree without a top-level score: %s", got)
	}
	if s.Timeout() != 100*time.Millisecond {
		t.Errorf("query_timeout_sec: %v", s.Timeout())
	}
	if got := answer(t, s); got != `{"title":"x","url":"https://example.com/","provider":"s","is_sponsored":false,"score":0.25},`+
		`{"title":"y","url":"https://example.com/","provider":"s","is_sponsored":false,"score":0.25}` {
		t.Errorf("tree with a top-level score: %s", got)
	}
	want := []string{
		"providers.p: kit_test_pair (enabled_by_default, score 0, query_timeout_sec 3)",
		"  providers.p.first: kit_test_word",
		"  providers.p.second: kit_test_word",
		"providers.s: kit_test_pair (disabled_by_default, score 0.25, query_timeout_sec 0.1)",
		"  providers.s.first: kit_test_word",
		"  providers.s.second: kit_test_word",
		"providers.w: kit_test_word (disabled_by_default, score 0.5, query_timeout_sec 0.5)",
	}
	if got := kit.Describe(c); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Describe:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A bad table stops loading with one line naming its dotted key path.
func TestErrors(t *testing.T) {
	f := kittest.Fails(t, "MERINO_ENV=testing")
	f(`providers.x.type: unknown provider type "nope" (known: `, "MERINO_PROVIDERS__X__TYPE=nope")
	f("providers.x.first: required: a provider table, with its type", "MERINO_PROVIDERS__X__TYPE=kit_test_pair")
	f("providers.x.second: must be a table, got the string", "MERINO_PROVIDERS__X__TYPE=kit_test_pair",
		"MERINO_PROVIDERS__X__FIRST__TYPE=kit_test_word", "MERINO_PROVIDERS__X__FIRST__WORD=a", "MERINO_PROVIDERS__X__SECOND=b")
	f("providers.x.first.type: required: one of ", "MERINO_PROVIDERS__X__TYPE=kit_test_pair", "MERINO_PROVIDERS__X__FIRST__WORD=a")
	f("providers.x.first.second.word: required", "MERINO_PROVIDERS__X__TYPE=kit_test_pair",
		"MERINO_PROVIDERS__X__FIRST__TYPE=kit_test_pair", "MERINO_PROVIDERS__X__FIRST__FIRST__TYPE=kit_test_word",
		"MERINO_PROVIDERS__X__FIRST__FIRST__WORD=a", "MERINO_PROVIDERS__X__FIRST__SECOND__TYPE=kit_test_word")
	f("providers.x.score: must be between 0 and 1", "MERINO_PROVIDERS__X__TYPE=kit_test_word", "MERINO_PROVIDERS__X__WORD=a", "MERINO_PROVIDERS__X__SCORE=2")
	f("providers.a,b: a provider id may not be empty or contain commas or spaces", "MERINO_PROVIDERS__A,B__TYPE=kit_test_word", "MERINO_PROVIDERS__A,B__WORD=a")
	// Development types: refused without debug = true, at any depth.
	dev := `"kit_test_dev" is a development provider type: it needs debug = true`
	f("providers.x.type: "+dev, "MERINO_DEBUG=false", "MERINO_PROVIDERS__X__TYPE=kit_test_dev")
	f("providers.x.second.type: "+dev, "MERINO_DEBUG=false", "MERINO_PROVIDERS__X__TYPE=kit_test_pair",
		"MERINO_PROVIDERS__X__FIRST__TYPE=kit_test_word", "MERINO_PROVIDERS__X__FIRST__WORD=a", "MERINO_PROVIDERS__X__SECOND__TYPE=kit_test_dev")
	if err := kittest.Err("MERINO_ENV=testing", "MERINO_PROVIDERS__X__TYPE=kit_test_dev"); err != nil {
		t.Errorf("testing sets debug: %v", err)
	}
}

func TestRegisterTwice(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "registered twice") {
			t.Errorf("recover() = %v", r)
		}
	}()
	kit.Register(kit.Type[wordSettings]{Name: "kit_test_word", New: func(*wordSettings, *kit.Env) (suggest.Provider, error) { return nil, nil }})
}

// greeting is a provider type with one key of its own.
type greetingSettings struct {
	suggest.Base // id, enabled_by_default, score, query_timeout_sec
	Greeting     string
}

type greeting struct{ greetingSettings }

func (g *greeting) Inline() bool { return true }
func (g *greeting) Query(_ context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	head := jsonw.AppendString([]byte(`{"title":`), g.Greeting+", "+req.Query)
	head = append(head, `,"url":"https://example.com/","provider":`...)
	head = append(jsonw.AppendString(head, g.Name), `,"is_sponsored":false,"score":`...)
	return append(dst, suggest.Suggestion{Provider: g.Name, Score: g.Score, Head: head, Tail: []byte("}")}), nil
}

// Register declares a provider type from its own package: its keys with their defaults and
// checks, and its constructor. A table of the type is then configured like any other.
func ExampleRegister() {
	kit.Register(kit.Type[greetingSettings]{
		Name:  "greeting",
		Score: 0.1,
		Read: func(t *kit.Table, s *greetingSettings) {
			s.Greeting = t.Str("greeting", "hello")
		},
		New: func(s *greetingSettings, env *kit.Env) (suggest.Provider, error) {
			return &greeting{*s}, nil
		},
	})

	c, _ := configFromEnv("MERINO_ENV=testing", "MERINO_PROVIDERS__HI__TYPE=greeting", "MERINO_PROVIDERS__HI__GREETING=bonjour")
	built, _ := kit.Build(c, discard, nil)
	out, _ := built.Providers[0].Query(context.Background(), &suggest.Request{Query: "firefox"}, nil)
	fmt.Println(string(out[0].AppendJSON(nil)))
	fmt.Println(kit.Describe(c)[0])
	// Output:
	// {"title":"bonjour, firefox","url":"https://example.com/","provider":"hi","is_sponsored":false,"score":0.1}
	// providers.hi: greeting (disabled_by_default, score 0.1, query_timeout_sec 0.5)
}
