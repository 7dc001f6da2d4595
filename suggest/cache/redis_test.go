package cache

import (
	"context"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/weather/weathercache"
	"github.com/mozilla-services/merino-go/suggest/weather/weathertest"
)

// newRedis is one replica's redis_cache "providers.rc" (id names its counters).
func newRedis(t *testing.T, addr, id string, inner suggest.Provider) *Redis {
	t.Helper()
	rdb, err := weathercache.NewClient("redis://"+addr, weathercache.RedisOptions{MaxConnections: 4, ConnectTimeout: time.Second, SocketTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	return NewRedis(RedisSettings{Base: suggest.Base{Name: id}, DefaultTTL: time.Minute, LockTimeout: 3 * time.Second}, inner, "providers.rc", rdb)
}

// Two replicas miss the same key; the first computes, stores and releases its lock before
// the second tries to lock. The second must find the value, not compute it again (the fleet
// test saw two inner calls for one query asked of three replicas at once).
func TestRedisLockAfterAnotherStored(t *testing.T) {
	srv := weathertest.StartRedis(t)
	inner := &counting{Base: suggest.Base{Name: "x"}}
	first, second := newRedis(t, srv.Addr, "rc1", inner), newRedis(t, srv.Addr, "rc2", inner)
	missed, proceed := make(chan struct{}), make(chan struct{})
	second.beforeLock = func() {
		close(missed)
		<-proceed
	}
	done := make(chan []suggest.Suggestion)
	go func() {
		out, err := second.Query(context.Background(), &suggest.Request{Query: "fleet"}, nil)
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	<-missed // the second replica's read missed
	if got := query(t, first, "fleet"); len(got) != 1 {
		t.Fatalf("first replica: %v", got)
	}
	close(proceed)
	got := <-done
	if n := inner.calls.Load(); n != 1 || len(got) != 1 || string(got[0].Head) != `{"title":"fleet","score":` {
		t.Fatalf("%d inner calls, second replica answered %d suggestions; want 1 call and the stored answer", n, len(got))
	}
	if h, m := second.count.hits.Get(), second.count.misses.Get(); h != 1 || m != 0 {
		t.Errorf("second replica: %d hits, %d misses; want 1 and 0", h, m)
	}
}
