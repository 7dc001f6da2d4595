package server

import (
	"strings"
	"testing"
)

func TestRedactQuoted(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := redactQuoted(in); got != want {
			t.Errorf("redactQuoted(%q) = %q, want %q", in, got, want)
		}
	}
	f(`error when serving connection "127.0.0.1:1"<->"[::1]:2": invalid request uri "/q?q=secret\x00": buffer size=56`,
		`error when serving connection "127.0.0.1:1"<->"[::1]:2": invalid request uri "…": buffer size=56`)
	f(`a "b \"secret\" c" d`, `a "…" d`)
	f(`no quotes`, `no quotes`)
	f(`unterminated "secret`, `unterminated "…"`)
	f(`trailing backslash "secret\`, `trailing backslash "…"`)
	f(`""`, `"…"`)
}

func FuzzRedactQuoted(f *testing.F) {
	f.Add(`x "y" z`)
	f.Add(`"127.0.0.1:80" "\"q\""`)
	f.Fuzz(func(t *testing.T, msg string) {
		out := redactQuoted(msg)
		// Nothing between quotes survives unless it is an address, and text outside quotes
		// is kept: the output never grows the quoted part of msg back.
		if strings.Count(out, `"`)%2 != 0 {
			t.Fatalf("unbalanced quotes: %q -> %q", msg, out)
		}
	})
}
