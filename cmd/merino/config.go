package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/mozilla-services/merino-go/config"
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
	fmt.Fprintf(stdout, "# providers: %d enabled\n", len(cfg.Providers))
	return 0
}

// newLogger returns the process logger: MozLog-style JSON lines or readable text, both on w.
func newLogger(lc config.Logging, w io.Writer) *slog.Logger {
	level := map[string]slog.Level{
		"DEBUG": slog.LevelDebug, "INFO": slog.LevelInfo, "WARNING": slog.LevelWarn,
		"ERROR": slog.LevelError, "CRITICAL": slog.LevelError + 4,
	}[lc.Level]
	opts := &slog.HandlerOptions{Level: level}
	if lc.Format == "pretty" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
