package main

import (
	"fmt"
	"log/slog"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
)

// wiring is what a provider constructor may use: the whole configuration (for the top-level
// sections its type reads), the process logger and the geolocation database.
type wiring struct {
	cfg   *config.Config
	log   *slog.Logger
	geoip *geoip.Reader // nil when geolocation is off
}

// constructors maps a provider type to the function that creates a provider of that type and
// the syncers that keep its data fresh. Each type registers itself from its own file
// (provider_<type>.go), beside its config reader in package config.
var constructors = map[string]func(pc config.Provider, w *wiring) (suggest.Provider, []*loaders.Syncer, error){}

// newProvider creates one configured provider and its syncers.
func newProvider(pc config.Provider, w *wiring) (suggest.Provider, []*loaders.Syncer, error) {
	build, ok := constructors[pc.Type]
	if !ok {
		// config.Load rejects unknown types; reaching this is a bug.
		return nil, nil, fmt.Errorf("BUG: providers.%s.type: no constructor for %q", pc.ID, pc.Type)
	}
	return build(pc, w)
}
