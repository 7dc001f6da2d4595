package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/index/domains"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/toppicks"
)

// A source that changes while requests run: every answer comes whole from one snapshot or the
// other, never an error, and a corrupt version in between changes nothing.
func TestSwapUnderLoad(t *testing.T) {
	fixture, err := os.ReadFile("testdata/top_picks.json")
	if err != nil {
		t.Fatal(err)
	}
	versions := [][]byte{
		fixture,
		bytes.ReplaceAll(fixture, []byte(`"title": "Example"`), []byte(`"title": "Example B"`)),
		[]byte(`{"domains": [`), // corrupt: must be rejected, the last good one keeps serving
	}
	path := filepath.Join(t.TempDir(), "top_picks.json")
	if err := os.WriteFile(path, versions[0], 0o644); err != nil {
		t.Fatal(err)
	}
	p := toppicks.New(toppicks.Settings{Base: suggest.Base{Name: "top_picks", Score: 0.25, EnabledByDefault: true, QueryTimeout: time.Second}, Index: domains.Options{QueryCharLimit: 4, FirefoxCharLimit: 2}})
	src, err := loaders.NewSource(path, loaders.HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	apply := toppicks.Loader(p, log)
	syncer := loaders.NewSyncer("swap_test", src, time.Hour, apply, log)
	if _, err := syncer.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := start(t, defaultOptions(p))

	var stop atomic.Bool
	var wg sync.WaitGroup
	var answers [2]atomic.Int64
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				r := ts.get(t, "/api/v1/suggest?q=exam")
				switch {
				case r.status != 200:
					t.Errorf("status %d", r.status)
				case r.body == body(exampleJSON):
					answers[0].Add(1)
				case r.body == body(strings.Replace(exampleJSON, `"Example"`, `"Example B"`, 1)):
					answers[1].Add(1)
				default:
					t.Errorf("an answer from neither snapshot: %s", r.body)
				}
			}
		}()
	}
	for i := 1; i <= 60; i++ {
		v := versions[i%len(versions)]
		if err := os.WriteFile(path, v, 0o644); err != nil {
			t.Fatal(err)
		}
		// A new modification time for each write, even within the clock's resolution.
		mt := time.Now().Add(time.Duration(i) * time.Second)
		if err := os.Chtimes(path, mt, mt); err != nil {
			t.Fatal(err)
		}
		_, err := syncer.Sync(context.Background())
		if (err != nil) != (i%len(versions) == 2) {
			t.Errorf("sync %d: %v", i, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if answers[0].Load() == 0 || answers[1].Load() == 0 {
		t.Logf("answers: A %d, B %d (both should usually appear)", answers[0].Load(), answers[1].Load())
	}
}
