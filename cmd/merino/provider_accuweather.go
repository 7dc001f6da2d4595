package main

import (
	"fmt"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/weather"
	"github.com/mozilla-services/merino-go/suggest/weather/accuweather"
	"github.com/mozilla-services/merino-go/suggest/weather/weathercache"
)

func init() {
	constructors["accuweather"] = func(pc config.Provider, w *wiring) (suggest.Provider, []*loaders.Syncer, error) {
		aw := pc.Accuweather()
		api := w.cfg.AccuweatherAPI()
		log := w.log.With("provider", pc.ID)
		s := weather.Settings{
			ID:                   pc.ID,
			Score:                pc.Score,
			EnabledByDefault:     pc.EnabledByDefault,
			Timeout:              pc.QueryTimeout,
			LocationTTL:          aw.LocationKeyTTL,
			CurrentConditionsTTL: aw.CurrentConditionTTL,
			ForecastTTL:          aw.ForecastTTL,
			HourlyForecastTTL:    aw.HourlyForecastTTL,
			Languages:            api.DefaultLanguages,
			BreakerThreshold:     aw.BreakerThreshold,
			BreakerRecover:       aw.BreakerRecover,
			Log:                  log,
			GeoIP:                w.geoip,
		}
		if aw.Backend != "accuweather" {
			// merino-py's fake backend: the provider answers nothing.
			log.Warn("accuweather provider uses a fake backend: no weather", "backend", aw.Backend)
			return weather.New(s), nil, nil
		}
		client, err := accuweather.New(accuweather.Config{
			URLBase:                api.URLBase,
			APIKey:                 api.APIKey,
			ParamAPIKey:            api.URLParamAPIKey,
			LocationKeyPlaceholder: api.URLLocationKeyPlaceholder,
			CurrentConditionsPath:  api.URLCurrentConditionsPath,
			ForecastsPath:          api.URLForecastsPath,
			HourlyForecastsPath:    api.URLHourlyForecastsPath,
			LocationCompletionPath: api.URLLocationCompletionPath,
			CitiesAdminPath:        api.URLCitiesAdminPath,
			CitiesPath:             api.URLCitiesPath,
			CitiesParamQuery:       api.URLCitiesParamQuery,
			PartnerParam:           api.URLParamPartnerCode,
			PartnerNewtab:          api.PartnerCodeNewtabValue,
			PartnerFFSuggest:       api.PartnerCodeFFSuggestValue,
			ConnectTimeout:         aw.ConnectTimeout,
			RequestTimeout:         aw.RequestTimeout,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("accuweather (provider %s): %w", pc.ID, err)
		}
		s.Client = client
		switch aw.Cache {
		case "memory":
			s.Store = weathercache.NewMemory(nil)
		case "redis":
			r := w.cfg.Redis()
			store, err := weathercache.NewRedis(weathercache.RedisOptions{
				Server:         r.Server,
				Replica:        r.Replica,
				MaxConnections: r.MaxConnections,
				ConnectTimeout: r.ConnectTimeout,
				SocketTimeout:  r.SocketTimeout,
			})
			if err != nil {
				return nil, nil, fmt.Errorf("redis.server: %w", err)
			}
			s.Store = store
		default:
			s.Store = weathercache.None{}
		}
		log.Info("accuweather provider ready", "cache", s.Store.Kind(), "url_base", api.URLBase)
		return weather.New(s), nil, nil
	}
}
