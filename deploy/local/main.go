// Command local runs merino-go's local fleet until interrupted: three replicas behind
// HAProxy sharing one redis-server and a fake AccuWeather (see package fleet). Run it through
// deploy/local/fleet.sh (make fleet), which installs haproxy and redis-server when missing
// and builds the binary and the sample Wikipedia index first.
//
//	go run ./deploy/local [-port 8000] [-replicas 3] [-bin bin/merino]
//
// SIGHUP rolls every replica, one at a time, as a rollout would (SIGTERM, wait for the
// drain, start, wait until HAProxy sends it traffic); SIGINT or SIGTERM stops the fleet.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/mozilla-services/merino-go/deploy/local/fleet"
)

func main() {
	port := flag.Int("port", 8000, "HAProxy's port; its stats page is on port+4, replica i on port+10+i, its admin listener on port+20+i")
	replicas := flag.Int("replicas", 3, "how many replicas")
	bin := flag.String("bin", "bin/merino", "the merino binary (make build)")
	dir := flag.String("dir", "", "where logs and HAProxy's configuration go (default: a new temporary directory)")
	accu := flag.String("accuweather", "", "an AccuWeather URL (with MERINO_ACCUWEATHER__API_KEY); default: a fake in this process")
	flag.Parse()
	if err := run(*port, *replicas, *bin, *dir, *accu); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

func run(port, replicas int, bin, dir, accu string) error {
	if port < 1 || port+20+replicas > 65535 || replicas < 1 {
		return fmt.Errorf("-port %d -replicas %d: want replicas >= 1 and every port below 65536", port, replicas)
	}
	if _, err := os.Stat(fleet.ConfigFile); err != nil {
		return errors.New("run from the repository root (deploy/local/fleet.toml not found)")
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%w (make build)", err)
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "merino-fleet-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	repo, _ := os.Getwd()
	key := ""
	if accu != "" {
		key = os.Getenv("MERINO_ACCUWEATHER__API_KEY")
	}
	// Signals from here on stop the fleet cleanly (a Ctrl-C during start-up too).
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	f, err := fleet.Start(fleet.Options{
		Repo: repo, Binary: bin, Dir: dir, Replicas: replicas, BasePort: port,
		AccuWeather: accu, AccuWeatherKey: key, Log: os.Stdout,
	})
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Printf(`
  load balancer   %s   (curl '%s/api/v1/suggest?q=goog')
  HAProxy stats   %s   (its Prometheus metrics: %smetrics)
  metrics         http://%s/metrics ... one admin listener per replica
  logs            %s
  SIGHUP (kill -HUP %d) rolls every replica; Ctrl-C stops the fleet.
`, f.URL, f.URL, f.Stats, f.Stats, f.Replicas[0].AdminAddr, dir, os.Getpid())
	for sig := range signals {
		if sig != syscall.SIGHUP {
			fmt.Println("fleet: stopping")
			return nil
		}
		for _, r := range f.Replicas {
			if len(signals) > 0 {
				break // a stop waits for the replica being rolled, not for the others
			}
			if _, err := f.Roll(r); err != nil {
				return err
			}
		}
	}
	return nil
}
