package cache

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/flight"
	"github.com/mozilla-services/merino-go/suggest/kit"
	"github.com/mozilla-services/merino-go/suggest/weather/weathercache"
)

// RedisSettings configure a redis_cache: {default_ttl_sec = 900, default_lock_timeout_sec =
// 3, inner}; the server is the [redis] section's.
type RedisSettings struct {
	suggest.Base
	DefaultTTL  time.Duration
	LockTimeout time.Duration
	Inner       *kit.Node
}

// Redis caches its inner provider's answers in Redis, shared by every replica configured
// alike: keys are `provider:v1:<hex>` (the request key's SHA-256), and a replica computing an
// answer holds `pending_provider:v1:<hex>` (SET NX with the lock timeout, released by a
// script only by its holder, which also stores the answer), as Rust Merino's redis cache
// does. A replica that finds the key locked polls for the value until the lock is gone, the
// lock timeout has passed or its request's deadline. A Redis error is the provider's error:
// the inner provider is never asked instead (a cache down would otherwise send every
// replica's traffic to it at once).
type Redis struct {
	wrapper
	s      RedisSettings
	rdb    *redis.Client
	flight flight.Group[flight.Key, []suggest.Suggestion]
	count  counters
	// poll is how often a replica waiting on another's lock looks for the value.
	poll time.Duration
	// beforeLock, in tests, runs between a read that missed and the attempt to lock.
	beforeLock func()
}

func init() {
	kit.Register(kit.Type[RedisSettings]{
		Name: "redis_cache",
		Tree: true,
		Read: func(t *kit.Table, s *RedisSettings) {
			s.DefaultTTL = t.Seconds("default_ttl_sec", 900)
			s.LockTimeout = t.Seconds("default_lock_timeout_sec", 3)
			s.Inner = t.Child("inner")
		},
		New: func(s *RedisSettings, env *kit.Env) (suggest.Provider, error) {
			inner, err := env.Build(s.Inner)
			if err != nil {
				return nil, err
			}
			r := env.Config.Redis()
			rdb, err := weathercache.NewClient(r.Server, weathercache.RedisOptions{
				MaxConnections: r.MaxConnections, ConnectTimeout: r.ConnectTimeout, SocketTimeout: r.SocketTimeout,
			})
			if err != nil {
				return nil, fmt.Errorf("redis.server: %w", err)
			}
			return NewRedis(*s, inner, env.Path(""), rdb), nil
		},
	})
}

// NewRedis returns a Redis cache of inner under the key path name, on rdb.
func NewRedis(s RedisSettings, inner suggest.Provider, name string, rdb *redis.Client) *Redis {
	return &Redis{
		wrapper: wrapper{Base: s.Base, inner: inner, prefix: name + "\x00"},
		s:       s, rdb: rdb, count: newCounters("redis", s.Name), poll: 20 * time.Millisecond,
	}
}

// storeScript stores the answer and releases the lock, only if the lock is still the
// caller's (a holder slower than the lock timeout must not overwrite a newer answer).
var storeScript = redis.NewScript(`
if redis.call("GET", KEYS[2]) == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
  redis.call("DEL", KEYS[2])
  return 1
end
return 0
`)

// releaseScript releases the lock if it is still the caller's.
var releaseScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`)

// Query implements suggest.Provider.
func (r *Redis) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	var buf [256]byte
	key := flight.KeyOf(buf[:0], r.prefix, r.inner, req)
	out, err, _ := r.flight.Do(ctx, key, func() ([]suggest.Suggestion, error) {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.s.LockTimeout)
		defer cancel()
		return r.fetch(c, key, req)
	})
	if err != nil {
		return dst, err
	}
	return append(dst, out...), nil
}

// fetch reads key's answer from Redis, or computes it under the lock, or waits for the
// replica that holds it.
func (r *Redis) fetch(ctx context.Context, k flight.Key, req *suggest.Request) ([]suggest.Suggestion, error) {
	key := "provider:v1:" + hex.EncodeToString(k[:])
	lock := "pending_" + key
	for attempt := 0; attempt < 3; attempt++ {
		if out, ok, err := r.get(ctx, key); err != nil || ok {
			if ok {
				r.count.hits.Inc()
			}
			return out, err
		}
		if r.beforeLock != nil {
			r.beforeLock()
		}
		token := newToken()
		mine, err := r.rdb.SetNX(ctx, lock, token, r.s.LockTimeout).Result()
		if err != nil {
			return nil, fmt.Errorf("cannot lock %s in redis: %w", key, err)
		}
		if mine {
			// The last holder may have stored the value and released the lock since the
			// read above: read again (a miss costs one more round trip) rather than
			// compute it a second time.
			out, ok, err := r.get(ctx, key)
			if err != nil || ok {
				releaseScript.Run(context.WithoutCancel(ctx), r.rdb, []string{lock}, token)
				if ok {
					r.count.hits.Inc()
				}
				return out, err
			}
			r.count.misses.Inc()
			return r.compute(ctx, key, lock, token, req)
		}
		// Another replica computes it: wait for its value, or for its lock to go.
		out, ok, err := r.await(ctx, key, lock)
		if err != nil || ok {
			return out, err
		}
	}
	return nil, nil
}

// compute asks the inner provider and stores its answer, under the lock held with token.
func (r *Redis) compute(ctx context.Context, key, lock, token string, req *suggest.Request) ([]suggest.Suggestion, error) {
	out, err := r.inner.Query(ctx, req, nil)
	if err != nil {
		// Let another request try at once rather than at the lock's expiry.
		releaseScript.Run(context.WithoutCancel(ctx), r.rdb, []string{lock}, token)
		return nil, err
	}
	ttl := lifetime(out, r.s.DefaultTTL)
	if err := storeScript.Run(ctx, r.rdb, []string{key, lock}, token, encode(out), ttl.Milliseconds()).Err(); err != nil {
		return nil, fmt.Errorf("cannot store %s in redis: %w", key, err)
	}
	return out, nil
}

// await polls for key's value while lock is held. ok false with no error: the lock went
// without a value (its holder failed), or the wait is over.
func (r *Redis) await(ctx context.Context, key, lock string) ([]suggest.Suggestion, bool, error) {
	t := time.NewTicker(r.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, false, nil
		case <-t.C:
		}
		out, ok, err := r.get(ctx, key)
		if err != nil || ok {
			if ok {
				r.count.hits.Inc()
			}
			return out, ok, err
		}
		n, err := r.rdb.Exists(ctx, lock).Result()
		if err != nil {
			return nil, false, fmt.Errorf("cannot read %s in redis: %w", lock, err)
		}
		if n == 0 {
			return nil, false, nil
		}
	}
}

// get reads key and its remaining lifetime in one round trip. A value that does not decode
// (another version's, or garbage) is a miss: the next store overwrites it.
func (r *Redis) get(ctx context.Context, key string) ([]suggest.Suggestion, bool, error) {
	var get *redis.StringCmd
	var ttl *redis.DurationCmd
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.Get(ctx, key)
		ttl = p.PTTL(ctx, key)
		return nil
	})
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cannot read %s from redis: %w", key, err)
	}
	b, _ := get.Bytes()
	sugs, ok := decode(b)
	if !ok {
		return nil, false, nil
	}
	remaining := ttl.Val()
	if remaining < 0 {
		remaining = r.s.DefaultTTL // a value without an expiry (set by hand)
	}
	return serve(nil, sugs, remaining), true, nil
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// version starts every value: a reader skips a value of another layout.
const version = "merino-go:v1:"

// encode writes an answer as Redis keeps it: the version, the count, then each suggestion's
// fields, byte strings length-prefixed.
func encode(sugs []suggest.Suggestion) []byte {
	b := append([]byte(nil), version...)
	b = binary.AppendUvarint(b, uint64(len(sugs)))
	for i := range sugs {
		s := &sugs[i]
		b = appendBytes(b, []byte(s.Provider))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.Score))
		b = appendBytes(b, s.Head)
		b = appendBytes(b, s.Details)
		b = appendBytes(b, s.Tail)
		b = appendBytes(b, []byte(s.Keyword))
		b = appendBytes(b, s.Rest)
		b = binary.AppendVarint(b, int64(s.TTL))
		var flags byte
		for j, f := range []bool{s.HasKeyword, s.HasTTL, s.NoContent} {
			if f {
				flags |= 1 << j
			}
		}
		b = append(b, flags)
	}
	return b
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decode reads encode's layout; the suggestions' bytes are slices of b.
func decode(b []byte) ([]suggest.Suggestion, bool) {
	if len(b) < len(version) || string(b[:len(version)]) != version {
		return nil, false
	}
	d := decoder{b: b[len(version):]}
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		return nil, false
	}
	sugs := make([]suggest.Suggestion, n)
	for i := range sugs {
		s := &sugs[i]
		s.Provider = string(d.bytes())
		s.Score = math.Float64frombits(d.uint64())
		s.Head, s.Details, s.Tail = d.bytes(), d.bytes(), d.bytes()
		s.Keyword = string(d.bytes())
		s.Rest = d.bytes()
		s.TTL = int(d.varint())
		flags := d.byte()
		s.HasKeyword, s.HasTTL, s.NoContent = flags&1 != 0, flags&2 != 0, flags&4 != 0
	}
	return sugs, !d.bad && len(d.b) == 0
}

// decoder reads encode's fields; a short or malformed input sets bad.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	d.skip(n)
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	d.skip(n)
	return v
}

// skip drops the n bytes a varint read took (n <= 0: the read failed).
func (d *decoder) skip(n int) {
	if n <= 0 {
		d.bad, d.b = true, nil
		return
	}
	d.b = d.b[n:]
}

// take returns the next n bytes (nil when there are fewer).
func (d *decoder) take(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.bad, d.b = true, nil
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) bytes() []byte {
	if n := d.uvarint(); n > 0 {
		return d.take(n)
	}
	return nil
}

func (d *decoder) uint64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) byte() byte {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}
