package main

import (
	"fmt"
	"io"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/mozlog"
	"github.com/mozilla-services/merino-go/suggest/kit"
)

func checkConfig(stdout, stderr io.Writer) int {
	cfg, err := config.Load(nil)
	if err != nil {
		return fatal(stderr, err)
	}
	fmt.Fprintf(stdout, "# environment: %s\n", cfg.Env)
	for _, line := range cfg.Effective() {
		fmt.Fprintln(stdout, line)
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stdout, "# warning: %s\n", w)
	}
	tree := kit.Describe(cfg)
	fmt.Fprintf(stdout, "# providers: %d enabled\n", len(kit.Configured(cfg)))
	for _, line := range tree {
		fmt.Fprintf(stdout, "#   %s\n", line)
	}
	return 0
}

// newLogWriter returns the process's log output: MozLog JSON lines or readable lines on w,
// at logging.level. The ordinary logs (through slog) and the web.suggest.request records share
// it.
func newLogWriter(lc config.Logging, w io.Writer) *mozlog.Writer {
	level, _ := mozlog.ParseLevel(lc.Level) // validated by config.Load
	return mozlog.NewWriter(w, lc.Format == "pretty", "merino", level)
}
