package loaders

import (
	"context"
	"sync"
)

// SyncAll runs every syncer's first Sync, at most n at a time, and returns when all are done.
// A failure is logged and counted by its syncer, as Sync does. Startup uses it: loading a
// dozen full-size data sets one after the other (five Wikipedias, ten MARS segments) takes
// longer than a readiness budget allows, and most of the work is CPU-bound parsing and
// building that spreads over the cores. SyncAll does not take the build slot that serialises
// refreshes (limits.go): it runs before any Run loop starts, with no snapshot to keep beside
// the one being built, and n is its bound.
func SyncAll(ctx context.Context, syncers []*Syncer, n int) {
	n = max(n, 1)
	work := make(chan *Syncer)
	var wg sync.WaitGroup
	for range min(n, len(syncers)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work {
				_, _ = s.sync(ctx)
			}
		}()
	}
	for _, s := range syncers {
		work <- s
	}
	close(work)
	wg.Wait()
}
