package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/manifest"
	"github.com/mozilla-services/merino-go/mozlog"
	"github.com/mozilla-services/merino-go/server"
	"github.com/mozilla-services/merino-go/suggest"
	_ "github.com/mozilla-services/merino-go/suggest/all" // every provider type
	"github.com/mozilla-services/merino-go/suggest/kit"
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
	if err := useGCS(cfg); err != nil {
		return fatal(stderr, err)
	}

	// The first SIGINT/SIGTERM starts the drain; the listeners close when it ends (or at a
	// second signal), and ctx ends with them.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	limit, err := server.RaiseOpenFileLimit()
	if err != nil {
		log.Warn("cannot read the open-file limit", "error", err.Error())
	}
	maxConns := connectionCap(cfg.HTTP.MaxConnections, limit)

	app, err := build(cfg, log, logw)
	if err != nil {
		return fatal(stderr, err)
	}
	// Load every source once before serving, one per core at a time. A failure is logged and
	// the provider starts empty, as merino-py's do; the syncer keeps trying on its interval.
	loaders.SyncAll(ctx, app.syncers, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, task := range app.tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			task(ctx)
		}()
	}
	for _, s := range app.syncers {
		wg.Add(1)
		go func(s *loaders.Syncer) {
			defer wg.Done()
			s.Run(ctx)
		}(s)
	}

	public, err := server.Listen(cfg.HTTP.Listen, server.ListenOptions{Name: "public", MaxConnections: maxConns, ReusePort: cfg.HTTP.ReusePort, Log: log})
	if err != nil {
		return fatal(stderr, err)
	}
	errc := make(chan error, 2)
	listeners := 1
	if cfg.HTTP.AdminListen != "" {
		runtime.SetMutexProfileFraction(cfg.HTTP.MutexProfileFraction)
		runtime.SetBlockProfileRate(cfg.HTTP.BlockProfileRate)
		admin := server.NewAdmin(server.AdminOptions{
			ReadTimeout: cfg.HTTP.ReadTimeout, WriteTimeout: cfg.HTTP.WriteTimeout,
			Token: cfg.HTTP.AdminToken, TokenRequired: cfg.Env == "production" || cfg.Env == "stage",
			Checks: app.checks, Log: log,
		})
		ln, err := server.Listen(cfg.HTTP.AdminListen, server.ListenOptions{Name: "admin", MaxConnections: cfg.HTTP.AdminMaxConnections, Log: log})
		if err != nil {
			public.Close()
			return fatal(stderr, err)
		}
		log.Info("admin listener (metrics, pprof) ready", "address", ln.Addr().String())
		listeners++
		go func() { errc <- server.Run(ctx, ln, cfg.HTTP.ShutdownGrace, admin.Serve, admin.Shutdown) }()
	}
	log.Info("serving", "address", "http://"+public.Addr().String(), "env", cfg.Env, "providers", len(app.providers),
		"max_connections", maxConns, "open_file_limit", limit)
	go func() {
		errc <- server.Run(ctx, public, cfg.HTTP.ShutdownGrace, app.server.Serve, app.server.Shutdown)
	}()

	code := 0
	drainDone := make(chan struct{})
	go func() {
		defer close(drainDone)
		select {
		case <-ctx.Done():
			return
		case sig := <-signals:
			drain(ctx, app.server, sig, signals, cfg.HTTP.ShutdownDelay, log)
		}
		stop()
	}()
	for i := 0; i < listeners; i++ {
		if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
			log.Error("server stopped", "error", err.Error())
			code = 1
			stop() // one listener failing takes the process down, so an orchestrator restarts it
		}
	}
	stop()
	<-drainDone
	wg.Wait()
	log.Info("shut down")
	return code
}

// drain keeps the public listener accepting for delay after the first signal, while
// /__lbheartbeat__ answers 503 and responses close their connections, so that a load
// balancer stops sending new requests before the port closes. A second signal, or ctx
// ending, cuts it short.
func drain(ctx context.Context, s *server.Server, sig os.Signal, signals <-chan os.Signal, delay time.Duration, log *slog.Logger) {
	s.Drain()
	log.Info("draining: still accepting, /__lbheartbeat__ answers 503", "signal", sig.String(), "delay_seconds", delay.Seconds())
	if delay <= 0 {
		return
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case sig := <-signals:
		log.Info("second signal: closing the listener now", "signal", sig.String())
	case <-ctx.Done():
	}
}

// connectionCap is http.max_connections, or when it is 0 a cap below the open-file limit:
// the limit less a reserve (a quarter, at most 1024) for data files, Redis and upstream
// connections, and at most 16384 (each connection holds buffers and a goroutine). No known
// limit and no setting: no cap.
func connectionCap(configured int, fileLimit uint64) int {
	if configured > 0 || fileLimit == 0 {
		return configured
	}
	reserve := min(fileLimit/4, 1024)
	return int(min(fileLimit-reserve, 16384))
}

// check turns a syncer into a /__heartbeat__ readiness check.
func check(sy *loaders.Syncer) server.Check {
	return server.Check{Name: sy.Name(), Status: func() server.CheckStatus {
		st := sy.Status()
		return server.CheckStatus{Loaded: st.Loaded, LastSuccess: st.LastSuccess, LastError: st.LastError}
	}}
}

// app is a wired process: providers, their syncers and tasks, and the public server.
type app struct {
	providers []suggest.Provider
	syncers   []*loaders.Syncer
	tasks     []func(ctx context.Context)
	checks    []server.Check
	server    *server.Server
}

func build(cfg *config.Config, log *slog.Logger, logw *mozlog.Writer) (*app, error) {
	a := &app{}
	who, err := whoIsAsking(cfg)
	if err != nil {
		return nil, err
	}
	built, err := kit.Build(cfg, log, who.geoip)
	if err != nil {
		return nil, err
	}
	a.providers, a.syncers, a.tasks = built.Providers, built.Syncers, built.Tasks
	set, err := suggest.NewSet(a.providers, cfg.Runtime.QueryTimeout, server.NewObserver(a.providers))
	if err != nil {
		return nil, err
	}
	var mh *manifest.Holder
	if m := cfg.ManifestSettings(); m != nil && m.Source != "" {
		src, err := loaders.NewSource(m.Source, loaders.HTTPOptions{MaxBytes: cfg.SourceLimits().Manifest})
		if err != nil {
			return nil, fmt.Errorf("manifest.source: %w", err)
		}
		mh = &manifest.Holder{}
		a.syncers = append(a.syncers, loaders.NewSyncer("manifest", src, m.ResyncInterval, mh.Apply, log))
	}
	newTab, curatedSyncers, err := newCurated(cfg, mh, log)
	if err != nil {
		return nil, err
	}
	a.syncers = append(a.syncers, curatedSyncers...)
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
		MaxConnectionsPerIP:       cfg.HTTP.MaxConnectionsPerIP,
		PublicHost:                cfg.HTTP.PublicHost,
		GeoIP:                     who.geoip,
		Trust:                     who.trust,
		ClientIPOverride:          who.override,
		UserAgents:                who.userAgents,
		Flags:                     who.flags,
		ManifestTTL:               cfg.Runtime.ManifestTTL,
		LogQuery:                  cfg.Logging.LogQuery,
		ExcludedProviders:         cfg.Logging.ExcludedProviders,
		Log:                       log,
	}
	if cfg.Logging.LogSuggestRequest {
		opts.RequestLog = logw
	}
	if mh != nil {
		opts.Manifest = mh
	}
	if newTab != nil {
		opts.NewTab = newTab
	}
	for _, sy := range a.syncers {
		a.checks = append(a.checks, check(sy))
	}
	opts.Checks = a.checks
	a.server = server.New(opts)
	return a, nil
}
