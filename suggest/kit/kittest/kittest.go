// Package kittest helps test provider types end to end through the provider kit: a
// configuration loaded from MERINO_* variables as the binary loads it (every provider type
// and section of the binary linked, through suggest/all), its providers built, one picked
// out by id. External test packages (x_test) use it.
package kittest

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/suggest"
	_ "github.com/mozilla-services/merino-go/suggest/all" // the binary's types and sections
	"github.com/mozilla-services/merino-go/suggest/kit"
)

// Load loads the configuration of env (MERINO_* variables only: the process environment is
// not read), failing the test on an error.
func Load(t testing.TB, env ...string) *config.Config {
	t.Helper()
	c, err := config.Load(func() []string { return env })
	if err != nil {
		t.Fatalf("config %q: %v", env, err)
	}
	return c
}

// Err returns the error config.Load gives for env (nil when it loads).
func Err(env ...string) error {
	_, err := config.Load(func() []string { return env })
	return err
}

// Fails returns a check that the configuration of base plus vars does not load, with one
// line that contains want (the key path, usually).
func Fails(t testing.TB, base ...string) func(want string, vars ...string) {
	return func(want string, vars ...string) {
		t.Helper()
		err := Err(append(append([]string(nil), base...), vars...)...)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v, want one line with %q", vars, err, want)
		}
	}
}

// Build builds c's providers, logging nowhere, failing the test on an error.
func Build(t testing.TB, c *config.Config) *kit.Built {
	t.Helper()
	b, err := kit.Build(c, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return b
}

// Provider returns the provider with id among b's, as a T.
func Provider[T suggest.Provider](t testing.TB, b *kit.Built, id string) T {
	t.Helper()
	for _, p := range b.Providers {
		if p.ID() == id {
			if v, ok := p.(T); ok {
				return v
			}
			t.Fatalf("provider %q is a %T", id, p)
		}
	}
	t.Fatalf("no provider %q among %d", id, len(b.Providers))
	var zero T
	return zero
}
