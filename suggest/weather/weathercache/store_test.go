package weathercache

import (
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	locKey = "AccuweatherBackend:v8:/locations/v1/cities/US/CA/search.json:abc"
	curTpl = "AccuweatherBackend:v8:/currentconditions/v1/{location_key}.json:lang"
	fcTpl  = "AccuweatherBackend:v8:/forecasts/v1/daily/1day/{location_key}.json:lang"
	ph     = "{location_key}"
)

// Both stores answer the same for the same writes (Redis: the real server).
func TestStores(t *testing.T) {
	clk := &testClock{t: time.Unix(1_700_000_000, 0)}
	stores := map[string]Store{"memory": NewMemory(clk.now)}
	if r := startRedis(t); r != nil {
		stores["redis"] = r
	}
	for name, s := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			b, err := s.ByLocation(ctx, locKey, curTpl, fcTpl, ph)
			if err != nil || b.Location != nil || b.HasTTL {
				t.Fatalf("empty ByLocation = %+v, %v", b, err)
			}
			must(t, s.Set(ctx, locKey, []byte(`{"key":"39376","localized_name":"San Francisco","administrative_area_id":"CA","country_name":"United States"}`), 30*24*time.Hour))
			b, err = s.ByLocation(ctx, locKey, curTpl, fcTpl, ph)
			if err != nil || !strings.Contains(string(b.Location), `"39376"`) || b.Current != nil || b.Forecast != nil || b.HasTTL {
				t.Fatalf("location only = %+v, %v", b, err)
			}
			cur := strings.ReplaceAll(curTpl, ph, "39376")
			fc := strings.ReplaceAll(fcTpl, ph, "39376")
			must(t, s.Set(ctx, cur, []byte(`{"url":"u"}`), 1800*time.Second))
			b, _ = s.ByLocation(ctx, locKey, curTpl, fcTpl, ph)
			if string(b.Current) != `{"url":"u"}` || b.Forecast != nil || b.HasTTL {
				t.Fatalf("partial = %+v", b)
			}
			must(t, s.Set(ctx, fc, []byte(`{"url":"f"}`), 3600*time.Second))
			b, _ = s.ByLocation(ctx, locKey, curTpl, fcTpl, ph)
			if string(b.Forecast) != `{"url":"f"}` || !b.HasTTL || b.TTL < 1799 || b.TTL > 1800 {
				t.Fatalf("complete = %+v", b)
			}
			p, err := s.Pair(ctx, cur, fc)
			if err != nil || p.Location != nil || string(p.Current) != `{"url":"u"}` || !p.HasTTL || p.TTL > 1800 {
				t.Fatalf("Pair = %+v, %v", p, err)
			}
			if p, _ = s.Pair(ctx, "nope", "nope2"); p.Current != nil || p.HasTTL {
				t.Fatalf("empty Pair = %+v", p)
			}
			v, ttl, ok, err := s.Get(ctx, fc)
			if err != nil || !ok || string(v) != `{"url":"f"}` || ttl < 3599 || ttl > 3600 {
				t.Fatalf("Get = %q %d %v %v", v, ttl, ok, err)
			}
			if _, _, ok, err = s.Get(ctx, "nope"); ok || err != nil {
				t.Fatalf("Get(missing) = %v, %v", ok, err)
			}
			// A cached location that is not a location object: found, without conditions.
			must(t, s.Set(ctx, "bad", []byte(`not json`), time.Hour))
			if b, err = s.ByLocation(ctx, "bad", curTpl, fcTpl, ph); err != nil || string(b.Location) != "not json" || b.Current != nil {
				t.Fatalf("bad location = %+v, %v", b, err)
			}
		})
	}
}

func TestMemoryExpiry(t *testing.T) {
	clk := &testClock{t: time.Unix(1_700_000_000, 0)}
	m := NewMemory(clk.now)
	ctx := context.Background()
	must(t, m.Set(ctx, "a", []byte("1"), 10*time.Second))
	clk.add(4400 * time.Millisecond)
	if _, ttl, ok, _ := m.Get(ctx, "a"); !ok || ttl != 6 {
		t.Errorf("ttl after 4.4 s = %d %v, want 6 (rounded as Redis)", ttl, ok)
	}
	clk.add(5600 * time.Millisecond)
	if _, _, ok, _ := m.Get(ctx, "a"); ok || m.Len() != 0 {
		t.Errorf("expired entry still served (len %d)", m.Len())
	}
	// The sweep drops expired entries that are never read again.
	for i := 0; i < sweepEvery; i++ {
		must(t, m.Set(ctx, "k"+string(rune(i)), nil, time.Second))
	}
	clk.add(2 * time.Second)
	for i := 0; i < sweepEvery; i++ {
		must(t, m.Set(ctx, "last", nil, time.Hour))
	}
	if m.Len() != 1 {
		t.Errorf("after the sweep: %d entries, want 1", m.Len())
	}
}

// A Redis that is down answers errors quickly, never stale or empty data.
func TestRedisDown(t *testing.T) {
	r := weathertest.StartRedis(t)
	s, err := NewRedis(RedisOptions{Server: r.URL, ConnectTimeout: time.Second, SocketTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	must(t, s.Set(ctx, "k", []byte("v"), time.Minute))
	r.Stop()
	if _, _, _, err := s.Get(ctx, "k"); err == nil {
		t.Error("Get with Redis down: no error")
	}
	if _, err := s.ByLocation(ctx, locKey, curTpl, fcTpl, ph); err == nil {
		t.Error("ByLocation with Redis down: no error")
	}
	if err := s.Set(ctx, "k", []byte("v"), time.Minute); err == nil {
		t.Error("Set with Redis down: no error")
	}
}

func startRedis(t *testing.T) Store {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Log("redis-server is not on PATH: testing the memory store only")
		return nil
	}
	r := weathertest.StartRedis(t)
	s, err := NewRedis(RedisOptions{Server: r.URL, Replica: r.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
