package weather

import (
	"context"
	"testing"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/weather/weathercache"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

var sinkSuggestions []suggest.Suggestion

// BenchmarkCacheHit is the memory store's read of a location's weather (one request's
// cache work on a hit).
func BenchmarkCacheHit(b *testing.B) {
	fake := weathertest.NewFake(b)
	m := weathercache.NewMemory(nil)
	p := newProvider(b, fake, m, nil)
	one(b, p, request("", "", "urlbar", sfLocation()))
	t := p.templates["en-US"]
	key := p.client.LocationCacheKey("US", "CA", true, "San Francisco")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bundle, err := m.ByLocation(ctx, key, t.Current, t.Forecast, "{location_key}")
		if err != nil || !bundle.HasTTL {
			b.Fatal(bundle, err)
		}
	}
}

// BenchmarkQueryWarm is the provider's whole query on a warm memory cache: location
// key, cache read, decoding, rendering.
func BenchmarkQueryWarm(b *testing.B) {
	benchQuery(b, weathercache.NewMemory(nil))
}

// BenchmarkQueryWarmRedis is the same against a real local Redis.
func BenchmarkQueryWarmRedis(b *testing.B) {
	r := weathertest.StartRedis(b)
	benchQuery(b, redisStore(b, r.URL))
}

func benchQuery(b *testing.B, store weathercache.Store) {
	fake := weathertest.NewFake(b)
	p := newProvider(b, fake, store, nil)
	req := request("", "", "urlbar", sfLocation())
	one(b, p, req)
	calls := fake.TotalCalls()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var dst []suggest.Suggestion
		ctx := context.Background()
		for pb.Next() {
			out, err := p.Query(ctx, req, dst[:0])
			if err != nil || len(out) != 1 {
				b.Error(len(out), err)
				return
			}
			dst = out
		}
	})
	b.StopTimer()
	if fake.TotalCalls() != calls {
		b.Errorf("warm benchmark called AccuWeather %d times", fake.TotalCalls()-calls)
	}
}
