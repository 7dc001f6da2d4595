package toppicks

import (
	"context"
	"testing"

	"github.com/mozilla-services/merino-go/index/domains"
	"github.com/mozilla-services/merino-go/suggest"
)

// NormalizeQuery is merino-py's q.strip().lower(), Python's white space and case rules.
func TestNormalizeQuery(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := NormalizeQuery(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	// merino-py's test_normalize_query cases.
	for _, in := range []string{"example", "EXAMPLE", "ExAmPlE", "example ", " example ", "  example", "example   ", "   example   "} {
		f(in, "example")
	}
	f("\t\n\v\f\rEx\u00a0", "ex")
	f("\x1c\x1d\x1e\x1fex\u3000\u2028", "ex") // Python's str.isspace includes the file/group separators
	f("İstanbul", "i\u0307stanbul")           // the one unconditional multi-rune lower-casing
	f("ÉCOLE", "école")
	f("", "")
}

func snapshot() *Snapshot {
	return NewSnapshot([]Entry{
		{Domain: "example", Title: "Example", URL: "https://example.com/", HasIcon: true, Categories: []int64{0}, HasCategories: true, Servable: true},
		{Domain: "broken", Title: "Broken", URL: "https://broken.test/", Servable: false},
		{Domain: "blocked", Title: "Blocked", URL: "https://blocked.test/", Servable: true},
	}, domains.Options{QueryCharLimit: 4, FirefoxCharLimit: 2}, []string{"BLOCKED"})
}

func TestQuery(t *testing.T) {
	p := New(Settings{Base: suggest.Base{Name: "tp", Score: 0.5}})
	ctx := context.Background()
	if out, _ := p.Query(ctx, &suggest.Request{Query: "exam"}, nil); len(out) != 0 {
		t.Errorf("an empty provider answered %v", out)
	}
	p.Store(snapshot())
	if p.Snapshot().Blocked != 1 || p.Snapshot().Len() != 2 {
		t.Errorf("blocked %d len %d", p.Snapshot().Blocked, p.Snapshot().Len())
	}
	f := func(q string, want string) {
		t.Helper()
		out, err := p.Query(ctx, &suggest.Request{Query: q}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(out) == 1 {
			got = string(out[0].Head) + "S" + string(out[0].Tail)
			if out[0].Provider != "tp" || out[0].Score != 0.5 {
				t.Errorf("%q: %+v", q, out[0])
			}
		}
		if got != want {
			t.Errorf("%q: got %s, want %s", q, got, want)
		}
	}
	f(" EXAM ", `{"title":"Example","url":"https://example.com/","provider":"top_picks","is_sponsored":false,"score":S,"icon":"","categories":[0],"is_top_pick":true,"block_id":0}`)
	f("brok", "") // indexed but not servable
	f("bloc", "") // blocked
	f("http", "")
	f("Https://exam", "")
}

func TestAllocsQuery(t *testing.T) {
	p := New(Settings{Base: suggest.Base{Name: "tp", Score: 0.5}})
	p.Store(snapshot())
	dst := make([]suggest.Suggestion, 0, 4)
	req := &suggest.Request{Query: "  Exam"}
	if n := testing.AllocsPerRun(200, func() { dst, _ = p.Query(context.Background(), req, dst[:0]) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
