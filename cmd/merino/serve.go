package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/manifest"
	"github.com/mozilla-services/merino-go/mozlog"
	"github.com/mozilla-services/merino-go/server"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/weather"
)

func serve(args []string, stderr io.Writer) int {
	if len(args) > 0 {
		return fatal(stderr, fmt.Errorf("serve takes no arguments, got %q", args))
	}
	cfg, err := config.Load(nil)
	if err != nil {
		return fatal(stderr, err)
	}
	logw := newLogWriter(cfg.Logging, os.Stdout)
	log := slog.New(mozlog.NewHandler(logw))
	for _, w := range cfg.Warnings {
		log.Warn("ignoring configuration: " + w)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	app, err := build(cfg, log, logw)
	if err != nil {
		return fatal(stderr, err)
	}
	// Load every source once before serving, one per core at a time. A failure is logged and
	// the provider starts empty, as merino-py's do; the syncer keeps trying on its interval.
	loaders.SyncAll(ctx, app.syncers, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, s := range app.syncers {
		wg.Add(1)
		go func(s *loaders.Syncer) {
			defer wg.Done()
			s.Run(ctx)
		}(s)
	}

	errc := make(chan error, 2)
	if cfg.HTTP.AdminListen != "" {
		runtime.SetMutexProfileFraction(cfg.HTTP.MutexProfileFraction)
		runtime.SetBlockProfileRate(cfg.HTTP.BlockProfileRate)
		admin := server.NewAdminServer()
		go func() {
			errc <- server.ListenAndServe(ctx, cfg.HTTP.AdminListen, cfg.HTTP.ShutdownGrace, admin.Serve, admin.ShutdownWithContext,
				func(a net.Addr) { log.Info("admin listener (metrics, pprof) ready", "address", a.String()) })
		}()
	}
	go func() {
		errc <- server.ListenAndServe(ctx, cfg.HTTP.Listen, cfg.HTTP.ShutdownGrace, app.server.Serve, app.server.Shutdown,
			func(a net.Addr) {
				log.Info("serving", "address", "http://"+a.String(), "env", cfg.Env, "providers", len(app.providers))
			})
	}()

	listeners := 1
	if cfg.HTTP.AdminListen != "" {
		listeners = 2
	}
	code := 0
	for i := 0; i < listeners; i++ {
		if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
			log.Error("server stopped", "error", err.Error())
			code = 1
			stop() // one listener failing takes the process down, so an orchestrator restarts it
		}
	}
	stop()
	wg.Wait()
	log.Info("shut down")
	return code
}

// weatherProvider is the provider /api/v1/weather/hourly-forecasts asks: merino-py looks it
// up by the id "accuweather".
func weatherProvider(providers []suggest.Provider) *weather.Provider {
	for _, p := range providers {
		if w, ok := p.(*weather.Provider); ok && p.ID() == "accuweather" {
			return w
		}
	}
	return nil
}

// check turns a syncer into a /__heartbeat__ readiness check.
func check(sy *loaders.Syncer) server.Check {
	return server.Check{Name: sy.Name(), Status: func() server.CheckStatus {
		st := sy.Status()
		return server.CheckStatus{Loaded: st.Loaded, LastSuccess: st.LastSuccess, LastError: st.LastError}
	}}
}

// app is a wired process: providers, their syncers, and the public server.
type app struct {
	providers []suggest.Provider
	syncers   []*loaders.Syncer
	server    *server.Server
}

func build(cfg *config.Config, log *slog.Logger, logw *mozlog.Writer) (*app, error) {
	a := &app{}
	who, err := whoIsAsking(cfg)
	if err != nil {
		return nil, err
	}
	w := &wiring{cfg: cfg, log: log, geoip: who.geoip}
	for _, pc := range cfg.Providers {
		p, syncers, err := newProvider(pc, w)
		if err != nil {
			return nil, err
		}
		a.providers = append(a.providers, p)
		a.syncers = append(a.syncers, syncers...)
	}
	set, err := suggest.NewSet(a.providers, cfg.Runtime.QueryTimeout, server.NewObserver(a.providers))
	if err != nil {
		return nil, err
	}
	var mh *manifest.Holder
	if m := cfg.ManifestSettings(); m != nil && m.Source != "" {
		src, err := loaders.NewSource(m.Source, loaders.HTTPOptions{})
		if err != nil {
			return nil, fmt.Errorf("manifest.source: %w", err)
		}
		mh = &manifest.Holder{}
		a.syncers = append(a.syncers, loaders.NewSyncer("manifest", src, m.ResyncInterval, mh.Apply, log))
	}
	opts := server.Options{
		Providers:                 set,
		ClientVariantMax:          cfg.Web.ClientVariantMax,
		QueryCharacterMax:         cfg.Web.QueryCharacterMax,
		ClientVariantCharacterMax: cfg.Web.ClientVariantCharacterMax,
		HeaderCharacterMax:        cfg.Web.HeaderCharacterMax,
		SuggestionsTTL:            cfg.Runtime.SuggestionsTTL,
		VersionFile:               cfg.VersionFile,
		ReadTimeout:               cfg.HTTP.ReadTimeout,
		WriteTimeout:              cfg.HTTP.WriteTimeout,
		MaxRequestHeaderBytes:     cfg.HTTP.MaxRequestHeaderBytes,
		GeoIP:                     who.geoip,
		Trust:                     who.trust,
		ClientIPOverride:          who.override,
		UserAgents:                who.userAgents,
		Flags:                     who.flags,
		Weather:                   weatherProvider(a.providers),
		Manifest:                  mh,
		ManifestTTL:               cfg.Runtime.ManifestTTL,
		LogQuery:                  cfg.Logging.LogQuery,
		ExcludedProviders:         cfg.Logging.ExcludedProviders,
		Log:                       log,
	}
	if cfg.Logging.LogSuggestRequest {
		opts.RequestLog = logw
	}
	for _, sy := range a.syncers {
		opts.Checks = append(opts.Checks, check(sy))
	}
	a.server = server.New(opts)
	return a, nil
}
