package mozlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func decode(t *testing.T, line string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	return m
}

func TestEnvelope(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, false, "merino", slog.LevelDebug)
	now := time.Unix(1700000000, 123456789)
	r := w.Begin(now, slog.LevelWarn, "merino.web", "hello \"world\"")
	r.String("s", "é\n")
	r.Int("n", -3)
	r.Bool("b", true)
	r.Null("z")
	r.StringOrNull("maybe", "", false)
	r.Raw("raw", []byte(`[1,2]`))
	r.Finish()
	line := buf.String()
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "}\n") {
		t.Fatalf("not one line: %q", line)
	}
	m := decode(t, line)
	host, _ := os.Hostname()
	for k, want := range map[string]any{
		"Timestamp": 1700000000123456789.0, "Type": "merino.web", "Logger": "merino", "Hostname": host,
		"EnvVersion": "2.0", "Severity": 4.0, "Pid": float64(os.Getpid()), "severity": 400.0,
	} {
		if m[k] != want {
			t.Errorf("%s = %#v, want %#v", k, m[k], want)
		}
	}
	f := m["Fields"].(map[string]any)
	if f["msg"] != `hello "world"` || f["s"] != "é\n" || f["n"] != -3.0 || f["b"] != true || f["z"] != nil || f["maybe"] != nil {
		t.Errorf("Fields: %v", f)
	}
	// MozLog's Timestamp is an integer of nanoseconds: check the raw text.
	if !strings.HasPrefix(line, `{"Timestamp":1700000000123456789,"Type":"merino.web"`) {
		t.Errorf("prefix: %s", line)
	}
}

func TestSeverities(t *testing.T) {
	f := func(l slog.Level, sys, gcp int, name string) {
		t.Helper()
		s, g := severity(l)
		if s != sys || g != gcp || LevelName(l) != name {
			t.Errorf("%v: %d/%d %s", l, s, g, LevelName(l))
		}
		if p, ok := ParseLevel(name); !ok || p != l {
			t.Errorf("ParseLevel(%s) = %v", name, p)
		}
	}
	f(slog.LevelDebug, 7, 100, "DEBUG")
	f(slog.LevelInfo, 6, 200, "INFO")
	f(slog.LevelWarn, 4, 400, "WARNING")
	f(slog.LevelError, 3, 500, "ERROR")
	f(LevelCritical, 2, 600, "CRITICAL")
	if _, ok := ParseLevel("LOUD"); ok {
		t.Error("ParseLevel accepted LOUD")
	}
}

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, false, "merino", slog.LevelInfo)
	log := slog.New(NewHandler(w)).With(TypeKey, "merino.providers", "provider", "adm")
	log.Debug("hidden")
	log.WithGroup("g").Info("loaded", "items", 3, "took", 2*time.Second, "err", errors.New("boom"), "ratio", 0.5)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines: %q", len(lines), buf.String())
	}
	m := decode(t, lines[0])
	f := m["Fields"].(map[string]any)
	if m["Type"] != "merino.providers" || f["msg"] != "loaded" || f["provider"] != "adm" || f["g.items"] != 3.0 ||
		f["g.took"] != "2s" || f["g.err"] != "boom" || f["g.ratio"] != 0.5 {
		t.Errorf("%v", m)
	}
}

func TestPretty(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, true, "merino", slog.LevelInfo)
	r := w.Begin(time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC), slog.LevelInfo, "web.suggest.request", "")
	r.String("query", "two words")
	r.String("path", "/api/v1/suggest")
	r.Null("sid")
	r.Int("code", 200)
	r.Finish()
	want := `2026-01-02 03:04:05.006 INFO web.suggest.request query="two words" path=/api/v1/suggest sid=None code=200` + "\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
}

// Lines from concurrent writers never interleave.
func TestConcurrentLines(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, false, "merino", slog.LevelInfo)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				r := w.Begin(time.Now(), slog.LevelInfo, "t", strings.Repeat("x", 300))
				r.Int("i", int64(i))
				r.Finish()
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		decode(t, l)
	}
}

func TestAllocsRecord(t *testing.T) {
	w := NewWriter(discard{}, false, "merino", slog.LevelInfo)
	n := testing.AllocsPerRun(200, func() {
		r := w.Begin(time.Now(), slog.LevelInfo, "web.suggest.request", "")
		r.Bool("sensitive", true)
		r.String("query", "firefox")
		r.Int("code", 200)
		r.Finish()
	})
	if n != 0 {
		t.Errorf("%v allocations per record", n)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
