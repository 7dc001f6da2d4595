package main

import (
	"fmt"
	"net/netip"

	"github.com/mozilla-services/merino-go/clientip"
	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/flags"
	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/useragent"
)

// who holds what the server needs to tell who is asking: geolocation, trusted proxies, the
// user-agent parser and the feature flags.
type who struct {
	geoip      *geoip.Reader
	trust      *clientip.Trust
	override   netip.Addr
	userAgents *useragent.Parser
	flags      *flags.Set
}

// uaCacheSize bounds the user-agent cache: Firefox's real UAs number in the thousands.
const uaCacheSize = 10000

func whoIsAsking(cfg *config.Config) (*who, error) {
	w := &who{}
	var err error
	if path := cfg.Location.MaxmindDatabase; path != "" {
		if w.geoip, err = geoip.Open(path); err != nil {
			return nil, fmt.Errorf("location.maxmind_database: %w", err)
		}
	}
	if w.trust, err = clientip.NewTrust(cfg.Location.ForwardedAllowIPs); err != nil {
		return nil, fmt.Errorf("location.forwarded_allow_ips: %w", err)
	}
	if o := cfg.Location.ClientIPOverride; o != "" {
		if w.override, err = netip.ParseAddr(o); err != nil {
			return nil, fmt.Errorf("location.client_ip_override: %w", err)
		}
		w.override = w.override.Unmap()
	}
	if w.userAgents, err = useragent.NewParser(uaCacheSize); err != nil {
		return nil, fmt.Errorf("cannot load the user-agent rules: %w", err)
	}
	list := make([]flags.Flag, 0, len(cfg.Flags))
	for _, f := range cfg.Flags {
		scheme, err := flags.ParseScheme(f.Scheme)
		if err != nil {
			return nil, fmt.Errorf("flags.%s.scheme: %w", f.Name, err)
		}
		list = append(list, flags.Flag{Name: f.Name, Enabled: f.Enabled, Scheme: scheme})
	}
	w.flags = flags.New(list)
	return w, nil
}
