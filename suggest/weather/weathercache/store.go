// Package weathercache holds AccuWeather's processed responses for the weather provider:
// in memory (one process) or in Redis (shared by every replica, and by merino-py, whose
// keys, values and Lua scripts it reproduces). Every read returns the remaining TTL, which
// becomes the response's Cache-Control max-age.
//
// A Store never calls AccuWeather and never retries: a read error goes back to the caller,
// which must not fall back to the upstream (merino-py's rule against a cache avalanche).
package weathercache

import (
	"bytes"
	"context"
	"encoding/json"
	"time"
)

// Bundle is the weather data of one location read in one step (merino-py's bulk-fetch Lua
// scripts). A field is nil when its key is absent.
//
// Byte slices are read-only: the memory store hands out its own copies, which are never
// modified, and they stay valid for as long as the caller keeps them.
type Bundle struct {
	Location []byte
	Current  []byte
	Forecast []byte
	// TTL is the smaller remaining TTL in seconds of Current and Forecast, present
	// (HasTTL) only when both are; -1 means a key without expiry, as Redis says.
	TTL    int
	HasTTL bool
}

// Store is a weather cache. Implementations are safe for concurrent use.
type Store interface {
	// ByLocation reads the location under locationKey and, when it is there, the current
	// conditions and forecast under the two templates with placeholder replaced by the
	// location's "key" field (merino-py's bulk_fetch_by_geolocation). The Bundle is empty
	// when the location is absent.
	ByLocation(ctx context.Context, locationKey, currentTemplate, forecastTemplate, placeholder string) (Bundle, error)
	// Pair reads the current conditions and forecast of a known location key
	// (bulk_fetch_by_location_key); Bundle.Location is always nil.
	Pair(ctx context.Context, currentKey, forecastKey string) (Bundle, error)
	// Get reads one value and its remaining TTL in seconds (-1: no expiry); found is false
	// when the key is absent.
	Get(ctx context.Context, key string) (value []byte, ttl int, found bool, err error)
	// Set stores value under key for ttl (whole seconds, at least one).
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Kind names the store for logs and metrics: none, memory or redis.
	Kind() string
	// Close releases connections.
	Close() error
}

// None is the store of cache = "none": it holds nothing and forgets every write, so each
// request goes to AccuWeather.
type None struct{}

var _ Store = None{}

// ByLocation implements Store.
func (None) ByLocation(context.Context, string, string, string, string) (Bundle, error) {
	return Bundle{}, nil
}

// Pair implements Store.
func (None) Pair(context.Context, string, string) (Bundle, error) { return Bundle{}, nil }

// Get implements Store.
func (None) Get(context.Context, string) ([]byte, int, bool, error) { return nil, 0, false, nil }

// Set implements Store.
func (None) Set(context.Context, string, []byte, time.Duration) error { return nil }

// Kind implements Store.
func (None) Kind() string { return "none" }

// Close implements Store.
func (None) Close() error { return nil }

// locationKeyField extracts the "key" string of a cached location, as the Lua script's
// cjson.decode(...)["key"] does; ok is false when the value is not such an object.
func locationKeyField(v []byte) (string, bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || v[0] != '{' {
		return "", false
	}
	var loc struct {
		Key *string `json:"key"`
	}
	if json.Unmarshal(v, &loc) != nil || loc.Key == nil {
		return "", false
	}
	return *loc.Key, true
}
