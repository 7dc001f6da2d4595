package pydantic

import "testing"

func TestAppendBody(t *testing.T) {
	f := func(want string, errs ...Error) {
		t.Helper()
		if got := string(AppendBody(nil, errs)); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	f(`{"detail":[]}`)
	f(`{"detail":[{"type":"missing","loc":["query","q"],"msg":"Field required","input":null}]}`,
		Missing(Value{}).In("query", "q"))
	f(`{"detail":[{"type":"string_too_long","loc":["query","q"],"msg":"String should have at most 1 character","input":"ab","ctx":{"max_length":1}}]}`,
		TooLong("ab", 1).In("query", "q"))
	f(`{"detail":[{"type":"string_too_short","loc":["query","country"],"msg":"String should have at least 2 characters","input":"a","ctx":{"min_length":2}}]}`,
		TooShort("a", 2).In("query", "country"))
	f(`{"detail":[{"type":"string_pattern_mismatch","loc":["query","request_type"],"msg":"String should match pattern '^(a|b)$'","input":"c","ctx":{"pattern":"^(a|b)$"}}]}`,
		Pattern("c", "^(a|b)$").In("query", "request_type"))
	f(`{"detail":[{"type":"value_error","loc":["body","sections",0,"followedAt"],"msg":"Value error, followedAt must have a timezone (e.g. 'Z' or '+02:00')","input":"2025-03-17T12:00:00","ctx":{"error":{}}}]}`,
		ValueError("followedAt must have a timezone (e.g. 'Z' or '+02:00')", Str("2025-03-17T12:00:00")).In("body", "sections").Index(0).Field("followedAt"))
	f(`{"detail":[{"type":"greater_than_equal","loc":["query","count"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}},{"type":"enum","loc":["body","x"],"msg":"Input should be 'a\"' or 'b'","input":{"k":1},"ctx":{"expected":"'a\"' or 'b'"}}]}`,
		GreaterEqual(Str("0"), 1).In("query", "count"),
		Enum(JSON(`{"k":1}`), Expected(`a"`, "b")).In("body", "x"))
}

func TestExpected(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{{[]string{"a"}, "'a'"}, {[]string{"a", "b"}, "'a' or 'b'"}, {[]string{"a", "b", "c"}, "'a', 'b' or 'c'"}} {
		if got := Expected(c.in...); got != c.want {
			t.Errorf("Expected(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIntString(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		got, ok := IntString(in)
		if (want != "") != ok || got != want {
			t.Errorf("IntString(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	f("10", "10")
	f(" 10\n", "10")
	f("+7", "7")
	f("-0", "0")
	f("007", "7")
	f("1_000", "1000")
	f("3.000", "3")
	f("99999999999999999999999", "99999999999999999999999")
	f("", "")
	f("abc", "")
	f("1__0", "")
	f("3.5", "")
	f("3.", "")
	f("1e3", "")
	f("_1", "")
}

func TestBoolString(t *testing.T) {
	for in, want := range map[string]int{"true": 1, "TRUE": 1, "yes": 1, "On": 1, "1": 1, "t": 1, "y": 1,
		"false": 0, "No": 0, "off": 0, "0": 0, "F": 0, "n": 0, " true": -1, "2": -1, "": -1, "truee": -1} {
		v, ok := BoolString(in)
		got := -1
		if ok {
			got = 0
			if v {
				got = 1
			}
		}
		if got != want {
			t.Errorf("BoolString(%q) = %v, %v", in, v, ok)
		}
	}
}
