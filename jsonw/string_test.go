package jsonw

import "testing"

func TestAppendString(t *testing.T) {
	f := func(s, want string) {
		t.Helper()
		got := string(AppendString(nil, s))
		if got != want {
			t.Errorf("AppendString(%q) = %s; want %s", s, got, want)
		}
		got = string(AppendStringBytes(nil, []byte(s)))
		if got != want {
			t.Errorf("AppendStringBytes(%q) = %s; want %s", s, got, want)
		}
	}
	f("", `""`)
	f("plain ascii", `"plain ascii"`)
	f(`say "hi"`, `"say \"hi\""`)
	f(`C:\path`, `"C:\\path"`)
	f("a\nb\rc\td\be\ff", `"a\nb\rc\td\be\ff"`)
	f("\x00", `"\u0000"`)
	f("\x01\x07\x0b\x0e\x1a\x1f", `"\u0001\u0007\u000b\u000e\u001a\u001f"`)
	f(" ", `" "`)
	f("\x7f", "\"\x7f\"")
	f("https://example.com/a?b=c&d=<e>", `"https://example.com/a?b=c&d=<e>"`)
	f("café", `"café"`)
	f("日本語のテキスト", `"日本語のテキスト"`)
	f("😀 emoji 👩‍👩‍👧", `"😀 emoji 👩‍👩‍👧"`)
	f("\u2028\u2029", "\"\u2028\u2029\"")
	f("\u0080\u00a0\u00ff", "\"\u0080\u00a0\u00ff\"")
	f("\uFFFD", "\"\uFFFD\"")
	f("\U0010FFFF", "\"\U0010FFFF\"")
	f("\"\\\n", `"\"\\\n"`)
	f("ends with escape\t", `"ends with escape\t"`)
	f("\tstarts with escape", `"\tstarts with escape"`)

	// Invalid UTF-8: one U+FFFD per byte that does not start a valid sequence.
	f("\xff", "\"\uFFFD\"")
	f("a\xffb", "\"a\uFFFDb\"")
	f("\xe2\x82", "\"\uFFFD\uFFFD\"")                     // truncated 3-byte sequence
	f("\xe2\x82\xac\xe2", "\"€\uFFFD\"")                  // valid then truncated
	f("\xed\xa0\x80", "\"\uFFFD\uFFFD\uFFFD\"")           // UTF-8-encoded surrogate
	f("\xc0\xaf", "\"\uFFFD\uFFFD\"")                     // overlong '/'
	f("\xf4\x90\x80\x80", "\"\uFFFD\uFFFD\uFFFD\uFFFD\"") // above U+10FFFF
	f("\x80\"", "\"\uFFFD\\\"\"")
}

func TestAppendStringAppends(t *testing.T) {
	dst := []byte("prefix:")
	got := string(AppendString(dst, "x\ny"))
	if want := `prefix:"x\ny"`; got != want {
		t.Fatalf("got %s; want %s", got, want)
	}
}

func TestAppendKey(t *testing.T) {
	f := func(key, want string) {
		t.Helper()
		if got := string(AppendKey(nil, key)); got != want {
			t.Errorf("AppendKey(%q) = %s; want %s", key, got, want)
		}
	}
	f("title", `"title":`)
	f("", `"":`)
	f(`we"ird`, `"we\"ird":`)
}

func TestAppendStringList(t *testing.T) {
	f := func(list []string, want string) {
		t.Helper()
		if got := string(AppendStringList(nil, list)); got != want {
			t.Errorf("AppendStringList(%q) = %s; want %s", list, got, want)
		}
	}
	f(nil, `[]`)
	f([]string{}, `[]`)
	f([]string{"a"}, `["a"]`)
	f([]string{"a", "b"}, `["a","b"]`)
	f([]string{"", "x\"y", "é"}, `["","x\"y","é"]`)
}

func TestAppendMember(t *testing.T) {
	if got := string(AppendMember([]byte(`{"a":1`), "icon", "x\"y")); got != `{"a":1,"icon":"x\"y"` {
		t.Errorf("%s", got)
	}
}
