package weathercache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions are merino-py's [redis] settings.
type RedisOptions struct {
	// Server is the primary's URL (writes), Replica the replica's (reads); an empty Replica
	// or one equal to Server shares the primary's client.
	Server, Replica string
	MaxConnections  int
	ConnectTimeout  time.Duration
	// SocketTimeout bounds every read and write on a connection.
	SocketTimeout time.Duration
}

// Redis is a store in Redis, with merino-py's keys, values and scripts, so merino-go and
// merino-py replicas can share it.
type Redis struct {
	primary, replica *redis.Client
}

var _ Store = (*Redis)(nil)

// The scripts read a location's data in one round trip. They follow merino-py's
// LUA_SCRIPT_CACHE_BULK_FETCH and LUA_SCRIPT_CACHE_BULK_FETCH_VIA_LOCATION, except that a
// cached location that is not a JSON object with a "key" is returned as found without its
// conditions (the caller then looks the city up again and overwrites it) instead of
// failing the script on every request until the value expires.
var (
	scriptByLocation = redis.NewScript(`
local location = redis.call("GET", KEYS[1])
if not location then
  return {}
end
local ok, decoded = pcall(cjson.decode, location)
if not ok or type(decoded) ~= "table" or type(decoded["key"]) ~= "string" then
  return {location, false, false, false}
end
local key = decoded["key"]:gsub("%%", "%%%%")
local placeholder = ARGV[3]:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
local current_key = string.gsub(ARGV[1], placeholder, key)
local forecast_key = string.gsub(ARGV[2], placeholder, key)
local current = redis.call("GET", current_key)
local forecast = redis.call("GET", forecast_key)
local ttl = false
if current and forecast then
  ttl = math.min(redis.call("TTL", current_key), redis.call("TTL", forecast_key))
end
return {location, current, forecast, ttl}
`)
	scriptPair = redis.NewScript(`
local current = redis.call("GET", ARGV[1])
local forecast = redis.call("GET", ARGV[2])
local ttl = false
if current and forecast then
  ttl = math.min(redis.call("TTL", ARGV[1]), redis.call("TTL", ARGV[2]))
end
return {current, forecast, ttl}
`)
	scriptGet = redis.NewScript(`
local value = redis.call("GET", ARGV[1])
local ttl = redis.call("TTL", ARGV[1])
return {value, ttl}
`)
)

// NewRedis connects lazily: no command is sent until the first read or write, so a Redis
// that is down at startup degrades weather only.
func NewRedis(o RedisOptions) (*Redis, error) {
	loggerOnce.Do(func() { redis.SetLogger(slogAdapter{}) })
	primary, err := newClient(o.Server, o)
	if err != nil {
		return nil, err
	}
	s := &Redis{primary: primary, replica: primary}
	if o.Replica != "" && o.Replica != o.Server {
		if s.replica, err = newClient(o.Replica, o); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// NewClient returns a client of the Redis at rawURL with o's pool and timeouts, as every
// Redis user of merino-go connects (this store, the redis_cache provider type): lazily, with
// no retries, go-redis's own log lines sent to the process logger.
func NewClient(rawURL string, o RedisOptions) (*redis.Client, error) {
	loggerOnce.Do(func() { redis.SetLogger(slogAdapter{}) })
	return newClient(rawURL, o)
}

func newClient(rawURL string, o RedisOptions) (*redis.Client, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("cannot parse redis URL %q: %w", rawURL, err)
	}
	if o.MaxConnections > 0 {
		opts.PoolSize = o.MaxConnections
	}
	if o.ConnectTimeout > 0 {
		opts.DialTimeout = o.ConnectTimeout
	}
	if o.SocketTimeout > 0 {
		opts.ReadTimeout, opts.WriteTimeout = o.SocketTimeout, o.SocketTimeout
	}
	// No retries: a failed command surfaces at once and the provider's circuit breaker
	// decides; retrying against a Redis that is down only holds requests longer.
	opts.MaxRetries = -1
	// One dial attempt per command (the default is five with backoff, half a second of
	// waiting per request while Redis is down).
	opts.DialerRetries = 1
	return redis.NewClient(opts), nil
}

// ByLocation implements Store.
func (s *Redis) ByLocation(ctx context.Context, locationKey, currentTemplate, forecastTemplate, placeholder string) (Bundle, error) {
	res, err := scriptByLocation.Run(ctx, s.replica, []string{locationKey}, currentTemplate, forecastTemplate, placeholder).Slice()
	if err != nil {
		return Bundle{}, fmt.Errorf("cannot read weather by location from redis: %w", err)
	}
	if len(res) == 0 {
		return Bundle{}, nil
	}
	if len(res) != 4 {
		return Bundle{}, fmt.Errorf("cannot read weather by location from redis: %d values", len(res))
	}
	b := Bundle{Location: asBytes(res[0]), Current: asBytes(res[1]), Forecast: asBytes(res[2])}
	b.TTL, b.HasTTL = asTTL(res[3])
	return b, nil
}

// Pair implements Store.
func (s *Redis) Pair(ctx context.Context, currentKey, forecastKey string) (Bundle, error) {
	res, err := scriptPair.Run(ctx, s.replica, nil, currentKey, forecastKey).Slice()
	if err != nil {
		return Bundle{}, fmt.Errorf("cannot read weather by location key from redis: %w", err)
	}
	if len(res) != 3 {
		// Lua drops trailing nils from a table: {nil, nil, false} arrives empty.
		res = append(res, nil, nil, nil)[:3]
	}
	b := Bundle{Current: asBytes(res[0]), Forecast: asBytes(res[1])}
	b.TTL, b.HasTTL = asTTL(res[2])
	return b, nil
}

// Get implements Store.
func (s *Redis) Get(ctx context.Context, key string) ([]byte, int, bool, error) {
	res, err := scriptGet.Run(ctx, s.replica, nil, key).Slice()
	if err != nil {
		return nil, 0, false, fmt.Errorf("cannot read %q from redis: %w", key, err)
	}
	res = append(res, nil, nil)[:2]
	v := asBytes(res[0])
	ttl, _ := asTTL(res[1])
	// TTL -2: the key expired between the two commands.
	if v == nil || ttl == -2 {
		return nil, 0, false, nil
	}
	return v, ttl, true, nil
}

// Set implements Store.
func (s *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.primary.Set(ctx, key, value, ttl.Truncate(time.Second)).Err(); err != nil {
		return fmt.Errorf("cannot write %q to redis: %w", key, err)
	}
	return nil
}

// Kind implements Store.
func (s *Redis) Kind() string { return "redis" }

// Close implements Store.
func (s *Redis) Close() error {
	err := s.primary.Close()
	if s.replica != s.primary {
		err = errors.Join(err, s.replica.Close())
	}
	return err
}

var loggerOnce sync.Once

// slogAdapter sends go-redis's own log lines (pool dial failures, ...) to the process
// logger instead of stderr, so that they are MozLog lines like every other.
type slogAdapter struct{}

func (slogAdapter) Printf(ctx context.Context, format string, v ...any) {
	slog.WarnContext(ctx, fmt.Sprintf(format, v...))
}

func asBytes(v any) []byte {
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	return nil
}

func asTTL(v any) (int, bool) {
	if n, ok := v.(int64); ok {
		return int(n), true
	}
	return 0, false
}
