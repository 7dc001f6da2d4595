package kit_test

import (
	"log/slog"

	"github.com/mozilla-services/merino-go/config"
)

var discard = slog.New(slog.DiscardHandler)

func configFromEnv(env ...string) (*config.Config, error) {
	return config.Load(func() []string { return env })
}
