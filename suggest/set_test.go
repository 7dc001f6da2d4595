package suggest

import (
	"context"
	"strings"
	"testing"
	"time"
)

type stub struct {
	id      string
	avail   Availability
	timeout time.Duration
}

func (s *stub) ID() string                 { return s.id }
func (s *stub) Availability() Availability { return s.avail }
func (s *stub) Timeout() time.Duration     { return s.timeout }
func (s *stub) Inline() bool               { return true }
func (s *stub) Validate(*Request) error    { return nil }
func (s *stub) Query(_ context.Context, _ *Request, dst []Suggestion) ([]Suggestion, error) {
	return append(dst, Suggestion{Provider: s.id}), nil
}

func TestResolve(t *testing.T) {
	a := &stub{id: "a", avail: EnabledByDefault, timeout: 100 * time.Millisecond}
	b := &stub{id: "b", avail: DisabledByDefault, timeout: time.Second}
	c := &stub{id: "c", avail: EnabledByDefault, timeout: 300 * time.Millisecond}
	set, err := NewSet([]Provider{a, b, c}, 200*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := func(param string, given bool, want string, timeout time.Duration) {
		t.Helper()
		got := set.Resolve(nil, param, given)
		var ids []string
		for _, p := range got {
			ids = append(ids, p.ID())
		}
		if strings.Join(ids, ",") != want {
			t.Errorf("%q %v: got %q, want %q", param, given, ids, want)
		}
		if d := set.Timeout(got); d != timeout {
			t.Errorf("%q: timeout %v, want %v", param, d, timeout)
		}
	}
	f("", false, "a,c", 300*time.Millisecond)
	f("", true, "", 200*time.Millisecond) // providers= : none, and runtime.query_timeout_sec
	f("b", true, "b", time.Second)
	f("b,a,b", true, "b,a", time.Second)
	f("default", true, "a,c", 300*time.Millisecond)
	f("c,default,b", true, "c,b,a", time.Second)
	f("x,,default,", true, "a,c", 300*time.Millisecond)
	f("A", true, "", 200*time.Millisecond) // ids are case-sensitive, as in merino-py
	f(",", true, "", 200*time.Millisecond)

	if _, err := NewSet([]Provider{a, a}, time.Second, nil); err == nil {
		t.Error("duplicate ids must fail")
	}
	if n := testing.AllocsPerRun(100, func() { _ = set.Resolve(make([]Provider, 0, 4)[:0], "c,default,b", true) }); n > 1 {
		t.Errorf("Resolve allocates %v", n)
	}
}

func TestTitle(t *testing.T) {
	f := func(head, want string, wantOK bool) {
		t.Helper()
		s := Suggestion{Head: []byte(head)}
		got, ok := s.Title(nil)
		if string(got) != want || ok != wantOK {
			t.Errorf("%s: %q %v, want %q %v", head, got, ok, want, wantOK)
		}
	}
	f(`{"title":"Wikipedia - Apple","url":"https://x/","score":`, "Wikipedia - Apple", true)
	f(`{"title":"","url":`, "", true)
	f(`{"title":"say \"hi\", \\ \u00e9t\u00e9","url":`, `say "hi", \ été`, true)
	f(`{"title":"a\\","url":`, `a\`, true)
	f(`{"url":"https://x/","title":"late"}`, "", false)
	f(`{"title":"unterminated`, "", false)
	f(`{"title":null,"url":`, "", false)
	s := Suggestion{Head: []byte(`{"title":"plain","url":"https://x/","score":`)}
	if n := testing.AllocsPerRun(100, func() { _, _ = s.Title(nil) }); n != 0 {
		t.Errorf("a title without escapes: %v allocations", n)
	}
}
