package config

import "testing"

func TestParseEnvValue(t *testing.T) {
	f := func(raw string, want any) {
		t.Helper()
		got := parseEnvValue(raw)
		if gs, ok := got.([]any); ok {
			if ws, ok := want.([]any); !ok || len(gs) != len(ws) {
				t.Errorf("%q: got %#v, want %#v", raw, got, want)
			}
			return
		}
		if got != want {
			t.Errorf("%q: got %#v (%T), want %#v (%T)", raw, got, got, want, want)
		}
	}
	f("", "")
	f("0.2", 0.2)
	f("5", int64(5))
	f("-5", int64(-5))
	f("true", true)
	f("True", "True") // TOML booleans are lower-case
	f(`"quoted"`, "quoted")
	f("plain words", "plain words")
	f("127.0.0.1:8000", "127.0.0.1:8000")
	f("1979-05-27", "1979-05-27") // a date stays the string written
	f(`["US","DE"]`, []any{"US", "DE"})
	f("redis://localhost:6379", "redis://localhost:6379")
}
