package weather

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

// fillRedis caps the server's memory just above what it uses, with writes refused once full
// (maxmemory-policy noeviction), then writes until Redis says it is out of memory.
func fillRedis(t *testing.T, url string) {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx := context.Background()
	info, err := c.Info(ctx, "memory").Result()
	if err != nil {
		t.Fatal(err)
	}
	used := int64(0)
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
			used, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	if err := c.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.ConfigSet(ctx, "maxmemory", strconv.FormatInt(used+(1<<20), 10)).Err(); err != nil {
		t.Fatal(err)
	}
	value := strings.Repeat("x", 16<<10)
	for i := 0; ; i++ {
		err := c.Set(ctx, "filler:"+strconv.Itoa(i), value, 0).Err()
		if err != nil && strings.Contains(err.Error(), "OOM") {
			return
		}
		if err != nil || i > 10000 {
			t.Fatalf("filling Redis: %v after %d writes", errors.Unwrap(err), i)
		}
	}
}

// A full Redis refuses writes: a location nobody asked for yet is still answered with what
// AccuWeather said, the failed write is counted, and the breaker stays closed.
func TestRedisFull(t *testing.T) {
	r := weathertest.StartRedis(t)
	fake := weathertest.NewFake(t)
	p := newProvider(t, fake, redisStore(t, r.URL), nil)
	fillRedis(t, r.URL)

	before := cacheWriteErrors.Get()
	for i := 0; i < 5; i++ {
		got := one(t, p, request("", "", "urlbar", sfLocation()))
		if !strings.Contains(got, `"city_name":"San Francisco"`) {
			t.Fatalf("request %d with Redis full: %s", i, got)
		}
	}
	if n := cacheWriteErrors.Get() - before; n < 5 {
		t.Errorf("%d cache write errors counted", n)
	}
	if p.breaker.Open() {
		t.Error("a full cache opened the breaker")
	}
}

// A paused Redis (SIGSTOP: it accepts nothing and answers nothing) costs weather its
// answers, bounded by the request's deadline, and costs the other providers nothing; weather
// answers again once Redis is back.
func TestRedisPaused(t *testing.T) {
	r := weathertest.StartRedis(t)
	fake := weathertest.NewFake(t)
	p := newProvider(t, fake, redisStore(t, r.URL), nil)
	one(t, p, request("", "", "urlbar", sfLocation()))
	set, err := suggest.NewSet([]suggest.Provider{staticProvider{}, p}, 200*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	chosen := set.Resolve(nil, "static,accuweather", true)
	if err := r.Pause(); err != nil {
		t.Skipf("cannot pause redis-server: %v", err)
	}
	defer r.Resume()
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		out := set.Query(ctx, request("", "", "urlbar", sfLocation()), chosen, nil)
		took := time.Since(start)
		cancel()
		if len(out) != 1 || out[0].Provider != "static" {
			t.Fatalf("request %d with Redis paused: %v", i, out)
		}
		if took > time.Second {
			t.Errorf("request %d took %v: a paused Redis held the answer", i, took)
		}
	}
	if err := r.Resume(); err != nil {
		t.Fatal(err)
	}
	// Back: weather answers again (after its breaker, if it opened, lets a call through).
	deadline := time.Now().Add(45 * time.Second)
	for {
		out, err := query(t, p, request("", "", "urlbar", sfLocation()))
		if err == nil && len(out) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("weather did not come back after Redis resumed: %d, %v", len(out), err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
