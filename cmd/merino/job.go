package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/amouploader"
	"github.com/mozilla-services/merino-go/jobs/csvuploader"
	"github.com/mozilla-services/merino-go/jobs/geonamesuploader"
	"github.com/mozilla-services/merino-go/jobs/navsuggestions"
	"github.com/mozilla-services/merino-go/jobs/relevancyuploader"
	"github.com/mozilla-services/merino-go/jobs/wikiofflineuploader"
	"github.com/mozilla-services/merino-go/jobs/wikipediaindexer"
	"github.com/mozilla-services/merino-go/mozlog"
)

// jobRegistry lists the jobs of `merino job`, in merino-py's order of jobs.md.
var jobRegistry = jobs.Registry{
	csvuploader.Job,
	amouploader.Job,
	relevancyuploader.Job,
	geonamesuploader.Job,
	wikiofflineuploader.Job,
	wikipediaindexer.CopyExport,
	wikipediaindexer.Index,
	navsuggestions.Job,
}

// jobCommand runs `merino job <command> <subcommand> [flags]`.
func jobCommand(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	console := jobs.NewConsole(stderr, isTerminal(stderr))
	env := &jobs.Env{Stdout: stdout, Console: console, Log: slog.New(slog.DiscardHandler), Now: time.Now, Version: version}
	var d *jobs.Defaults
	if jobRegistry.NeedsConfig(args) {
		cfg, err := config.Load(nil)
		if err != nil {
			return fatal(stderr, err)
		}
		env.Log = slog.New(mozlog.NewHandler(newLogWriter(cfg.Logging, console)))
		d = jobs.NewDefaults(cfg)
	}
	return jobRegistry.Run(ctx, args, d, env, console)
}
